"""A tiny per-instance cache with a time-to-live: figures change slowly, reads cost money."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

MAX_ENTRIES = 512


class TTLCache:
    """Values expire after ``ttl_s``; a race between two threads only loads twice (harmless)."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s, self.clock = ttl_s, clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        now = self.clock()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        if len(self._entries) >= MAX_ENTRIES:
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
        self._entries[key] = (now + self.ttl_s, value)
        return value

    def clear(self) -> None:
        self._entries.clear()
