"""Injected faults, rate-limit windows and the request log of the simulator.

A fault fires at the k-th request that matches it (endpoint and/or account), counted
from the moment it was installed, for ``times`` consecutive matching requests. This
lets a test say "the 3rd mentions request for account A gets a 429" without knowing
how many requests other code made before.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

# 429/503: that status; slow: answer after delay_s; drop: hang up; malformed: a 200 whose meta.newest_id
# is no id; garbage: a 200 whose body is not JSON.
KINDS = ("429", "503", "slow", "drop", "malformed", "garbage")
WINDOW_S = 15 * 60
DEFAULT_LIMITS = {"mentions": 450, "search": 450, "users": 300, "post": 100}


@dataclass
class Fault:
    kind: str
    at_request: int = 1
    endpoint: str | None = None
    account: str | None = None
    times: int = 1
    delay_s: float = 0.0
    reset_in_s: float = WINDOW_S
    seen: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"fault kind must be one of {KINDS}, got {self.kind!r}")
        if self.at_request < 1 or self.times < 1:
            raise ValueError("at_request and times must be >= 1")

    def matches(self, endpoint: str, accounts: list[str]) -> bool:
        return (self.endpoint in (None, endpoint)) and (self.account is None or self.account in accounts)


class FaultPlan:
    """The installed faults; :meth:`take` decides which one (if any) hits a request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.faults: list[Fault] = []
        self.fired: list[tuple[str, str, int]] = []  # (kind, endpoint, request number)

    def add(self, *specs: dict | Fault) -> list[Fault]:
        new = [s if isinstance(s, Fault) else Fault(**s) for s in specs]
        with self._lock:
            self.faults.extend(new)
        return new

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.fired.clear()

    def take(self, endpoint: str, accounts: list[str], request_no: int) -> Fault | None:
        hit = None
        with self._lock:
            for fault in self.faults:
                if not fault.matches(endpoint, accounts):
                    continue
                fault.seen += 1
                due = fault.at_request <= fault.seen < fault.at_request + fault.times
                if due and hit is None:
                    hit = fault
            if hit:
                self.fired.append((hit.kind, endpoint, request_no))
        return hit


@dataclass
class Window:
    limit: int
    start: float = 0.0
    used: int = 0


class RateLimits:
    """Per-endpoint 15-minute windows for the one app the simulator serves."""

    def __init__(self, limits: dict[str, int] | None = None) -> None:
        self._lock = threading.Lock()
        self._windows = {name: Window(n) for name, n in {**DEFAULT_LIMITS, **(limits or {})}.items()}

    def set_limit(self, endpoint: str, limit: int) -> None:
        """A new limit starts a fresh window."""
        with self._lock:
            self._windows[endpoint] = Window(int(limit))

    def spend(self, endpoint: str, now: float, consume: bool = True) -> tuple[bool, dict[str, str]]:
        """Uses one request of the window if one is left; returns (allowed, x-rate-limit headers)."""
        with self._lock:
            w = self._windows.setdefault(endpoint, Window(DEFAULT_LIMITS["users"]))
            if now >= w.start + WINDOW_S:
                w.start, w.used = now, 0
            allowed = w.used < w.limit
            if allowed and consume:
                w.used += 1
            return allowed, headers(w.limit, w.limit - w.used, w.start + WINDOW_S)


def headers(limit: int, remaining: int, reset_at: float) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(max(0, remaining)),
        "x-rate-limit-reset": str(int(reset_at)),
    }


@dataclass
class RequestLog:
    """What clients asked for: counts per endpoint, per account and per status, and posts served."""

    entries: list[dict] = field(default_factory=list)
    by_endpoint: Counter = field(default_factory=Counter)
    by_account: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    posts_served: int = 0
    served_ids: set[str] = field(default_factory=set)
    # X bills a post once per UTC day however often it is read that day: (day, id) pairs.
    billed: set[tuple[int, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def next_number(self, endpoint: str, accounts: list[str]) -> int:
        with self._lock:
            self.by_endpoint[endpoint] += 1
            self.by_account.update(f"{endpoint}:{a}" for a in accounts)
            return sum(self.by_endpoint.values())

    def record(
        self, number: int, endpoint: str, path: str, status: int, post_ids: list[str], at_ms: int = 0
    ) -> None:
        with self._lock:
            self.by_status[str(status)] += 1
            self.posts_served += len(post_ids)
            self.served_ids.update(post_ids)
            day = at_ms // 86_400_000
            self.billed.update((day, i) for i in post_ids)
            self.entries.append(
                {"n": number, "endpoint": endpoint, "path": path, "status": status, "posts": len(post_ids)}
            )

    def stats(self) -> dict:
        with self._lock:
            return {
                "requests": sum(self.by_endpoint.values()),
                "by_endpoint": dict(self.by_endpoint),
                "by_account": dict(self.by_account),
                "by_status": dict(self.by_status),
                "posts_served": self.posts_served,
                "distinct_posts_served": len(self.served_ids),
                "posts_billed": len(self.billed),  # unique posts per UTC day, as X bills reads
            }
