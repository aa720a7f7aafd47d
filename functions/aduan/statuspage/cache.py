"""A small per-instance cache: entries expire after a time-to-live, the least recently used go first.

Figures change slowly and reads cost money, so every public view goes through
here. The cache is bounded by entries and evicts one at a time, the coldest first,
never the whole cache. A miss (``None``) is cached too, but briefly (a typo'd
ticket asked for again costs nothing, a report filed a moment later still
appears soon) and in a pool of its own: a flood of misses for random tickets
evicts only other misses, never the pages people actually view.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

MAX_ENTRIES = 2048
MAX_MISSES = 1024
NEGATIVE_TTL_S = 10.0


class _Pool(OrderedDict):
    """Entries ``key → (expires, value)`` in order of use, at most ``limit``; the least recently used goes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: Hashable, expires: float, value: Any) -> None:
        self[key] = (expires, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class TTLCache:
    """``get(key, load)``: the cached value, or ``load()``'s; a race between two threads only loads twice."""

    def __init__(
        self,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
        negative_ttl_s: float = NEGATIVE_TTL_S,
        max_misses: int = MAX_MISSES,
    ) -> None:
        self.ttl_s, self.clock, self.negative_ttl_s = ttl_s, clock, negative_ttl_s
        self._values, self._misses = _Pool(max_entries), _Pool(max_misses)
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        now = self.clock()
        with self._lock:
            for pool in (self._values, self._misses):
                hit = pool.get(key)
                if hit is not None and hit[0] > now:
                    pool.move_to_end(key)
                    return hit[1]
        value = load()
        with self._lock:
            if value is None:
                self._values.pop(key, None)
                self._misses.put(key, now + self.negative_ttl_s, value)
            else:
                self._misses.pop(key, None)
                self._values.put(key, now + self.ttl_s, value)
        return value

    def __len__(self) -> int:
        return len(self._values) + len(self._misses)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._misses.clear()
