"""A small per-instance cache: entries expire after a time-to-live, the least recently used go first.

Figures change slowly and reads cost money, so every public view goes through
here. The cache is bounded by entries and evicts one at a time, so a flood of
misses (random tickets, random query strings) pushes out only the coldest
entries, never the whole cache. A miss (``None``) is cached too, but briefly:
a typo'd ticket asked for again costs nothing, a report filed a moment later
still appears soon.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

MAX_ENTRIES = 2048
NEGATIVE_TTL_S = 10.0


class TTLCache:
    """``get(key, load)``: the cached value, or ``load()``'s; a race between two threads only loads twice."""

    def __init__(
        self,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
        negative_ttl_s: float = NEGATIVE_TTL_S,
    ) -> None:
        self.ttl_s, self.clock, self.max_entries, self.negative_ttl_s = (
            ttl_s,
            clock,
            max_entries,
            negative_ttl_s,
        )
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        now = self.clock()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] > now:
                self._entries.move_to_end(key)
                return hit[1]
        value = load()
        expires = now + (self.negative_ttl_s if value is None else self.ttl_s)
        with self._lock:
            self._entries[key] = (expires, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
