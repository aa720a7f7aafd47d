"""Numbered pages of an ordered Firestore query, read with cursors instead of offsets.

An offset bills every document it skips (page 50 of 20 costs 1,000 reads). Here
page *n* starts just after the last row of page *n − 1*, which comes from the
cache; only a first visit deep into a listing walks the pages before it, once,
and then every page of the walk is cached. Each page reads one row more than it
shows, to know whether there is a next page without counting.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from aduan.statuspage.cache import TTLCache

Doc = dict[str, Any]
Cursor = tuple[Any, str]
Fetch = Callable[[int, Cursor | None], list[Doc]]


def page(
    cache: TTLCache, listing: Hashable, number: int, size: int, fetch: Fetch, cursor: Callable[[Doc], Cursor]
) -> tuple[list[Doc], bool]:
    """Rows of page ``number`` (from 1) and whether a next page exists; ``fetch(limit, after)`` reads."""

    def load() -> tuple[list[Doc], bool]:
        after = None
        if number > 1:
            previous, more = page(cache, listing, number - 1, size, fetch, cursor)
            if not more:
                return [], False
            after = cursor(previous[-1])
        rows = fetch(size + 1, after)
        return rows[:size], len(rows) > size

    return cache.get(("page", listing, number, size), load)


def by_field(field: str) -> Callable[[Doc], Cursor]:
    """The cursor of a row ordered by ``field`` then document id."""
    return lambda doc: (doc[field], doc["id"])
