"""One poll cycle: every account's new mentions onto the ``mentions`` topic, losing none.

The core of ``fetch_mentions``. It talks to X, Pub/Sub and the checkpoint store
only through the ports below, so tests can run it on the simulator and the
emulators and inject a crash between any two steps.

Why the checkpoint is safe: a checkpoint is written only after every publish of
the sweep it covers has been confirmed; a crash anywhere before that leaves the
old checkpoint, so the next run re-reads (duplicates are removed downstream).
When a run's request budget or deadline ends a sweep half-way, the checkpoint
records the unread range (``backfill``) instead of moving past it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aduan.mention import from_x_post

# X ids are snowflakes: milliseconds since this epoch, shifted left by 22 bits.
SNOWFLAKE_EPOCH_MS = 1288834974657
X_VISIBLE_MENTIONS = 800
SEARCH_WINDOW = timedelta(days=7)  # recent search reaches back 7 days and rejects an older since_id
SEARCH_WINDOW_MARGIN = timedelta(minutes=10)
PAGE_SIZE = 100


def snowflake_ms(post_id: int) -> int:
    return (post_id >> 22) + SNOWFLAKE_EPOCH_MS


def snowflake_at(ms: int) -> int:
    """The smallest id X could give a post created at ``ms``."""
    return max(0, ms - SNOWFLAKE_EPOCH_MS) << 22


# --------------------------------------------------------------------------- ports


class RateLimited(Exception):
    def __init__(self, reset_at: datetime | None) -> None:
        super().__init__(f"rate limited until {reset_at.isoformat() if reset_at else 'unknown'}")
        self.reset_at = reset_at


class Transient(Exception):
    """A 5xx, a timeout or a dropped connection: worth a bounded retry."""


class AuthFailed(Exception):
    """401/403: the credentials or the account's access are wrong; retrying will not help."""


class Rejected(Exception):
    """400: X refused the request itself (a query or parameter); retrying the same will not help."""


@dataclass(frozen=True)
class Page:
    posts: Sequence[Mapping[str, Any]]
    includes: Mapping[str, Any]
    newest_id: int | None
    oldest_id: int | None
    next_token: str | None


@dataclass(frozen=True)
class Query:
    """What one sweep reads: an account's mentions timeline, or a search over several accounts."""

    kind: str  # "mentions" or "search"
    target: str  # user id for mentions, the query string for search
    accounts: tuple[str, ...]  # checkpoint keys (X user ids) this sweep advances


class XSource(Protocol):
    def page(
        self,
        query: Query,
        since_id: int | None,
        until_id: int | None,
        start_time: datetime | None,
        token: str | None,
    ) -> Page: ...


class Publisher(Protocol):
    def publish(self, data: bytes, attributes: Mapping[str, str]) -> Any: ...

    def confirm(self, handles: Sequence[Any], timeout_s: float) -> None:
        """Block until every handle is acknowledged by Pub/Sub; raise if any failed."""


@dataclass(frozen=True)
class Checkpoint:
    since_id: int | None = None
    # An unread range left by an interrupted sweep: ids in (since_id, until_id) are still to read,
    # and newest_id becomes since_id once they are.
    backfill_until_id: int | None = None
    backfill_newest_id: int | None = None
    rate_limited_until: datetime | None = None
    last_run_at: datetime | None = None
    last_outcome: str = "never"


class CheckpointStore(Protocol):
    def load(self, keys: Sequence[str]) -> dict[str, Checkpoint]: ...

    def save(self, key: str, username: str, checkpoint: Checkpoint) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


# --------------------------------------------------------------------------- settings and report


@dataclass(frozen=True)
class PollSettings:
    deadline_s: float = 240.0  # leave margin under the function's timeout
    max_requests: int = 60  # per run, shared by all accounts
    # Re-read window for posts X indexes late. Every re-read is a post read again: with steady traffic
    # the cost is overlap / poll interval, so 12 s on a 5-minute cycle keeps reads per new mention
    # near 1.04 (budget 1.05). Later-indexed posts are out of reach of polling by since_id.
    overlap: timedelta = timedelta(seconds=12)
    first_backfill: timedelta = timedelta(hours=24)
    retries: int = 3
    backoff_s: float = 0.5
    publish_timeout_s: float = 60.0


@dataclass
class AccountReport:
    account: str
    user_id: str
    fetched: int = 0
    published: int = 0
    retweets_skipped: int = 0
    pages: int = 0
    checkpoint_before: str | None = None
    checkpoint_after: str | None = None
    outcome: str = "pending"
    errors: list[str] = field(default_factory=list)
    gap: dict[str, Any] | None = None
    rate_limited_until: str | None = None


@dataclass
class RunReport:
    mode: str
    started_at: str
    requests: int = 0
    fetched: int = 0  # per sweep: a search sweep covers several accounts and counts once
    published: int = 0
    accounts: list[AccountReport] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "started_at": self.started_at,
            "requests": self.requests,
            "fetched": self.fetched,
            "published": self.published,
            "gaps": sum(1 for a in self.accounts if a.gap),
            "errors": sum(len(a.errors) for a in self.accounts),
            "accounts": [vars(a) for a in self.accounts],
        }


# --------------------------------------------------------------------------- the sweep


@dataclass
class _Sweep:
    """Reads one query's pages newest-first over the range its checkpoint leaves unread."""

    query: Query
    usernames: dict[str, str]
    before: dict[str, Checkpoint]
    since_id: int | None  # exclusive lower bound of this sweep
    until_id: int | None  # exclusive upper bound (a backfill), or None for "up to now"
    start_time: datetime | None  # first run only
    target_since: int | None  # since_id to store when the sweep completes
    token: str | None = None
    newest: int | None = None
    oldest: int | None = None
    read: int = 0
    retweets: int = 0
    pages: int = 0
    handles: list[Any] = field(default_factory=list)
    done: bool = False
    stopped: str | None = None  # why it ended early, if it did
    clamped_since: int | None = None  # a checkpoint older than search can reach: the posts between are lost
    rate_limited_until: datetime | None = None
    errors: list[str] = field(default_factory=list)


def _clamp_to_search_window(sweep: _Sweep, now: datetime) -> None:
    """Recent search reaches back 7 days and rejects an older since_id (400 on every cycle):
    start at the window's edge instead, and remember the lost range for the gap report."""
    oldest = now - SEARCH_WINDOW + SEARCH_WINDOW_MARGIN
    if (
        sweep.query.kind == "search"
        and sweep.since_id is not None
        and snowflake_ms(sweep.since_id) < _ms(oldest)
    ):
        sweep.clamped_since, sweep.since_id, sweep.start_time = sweep.since_id, None, oldest


def _plan_sweep(
    query: Query,
    usernames: dict[str, str],
    checkpoints: dict[str, Checkpoint],
    now: datetime,
    settings: PollSettings,
) -> _Sweep:
    """Where to start: a pending backfill first, else everything after the oldest checkpoint minus overlap."""
    before = {k: checkpoints.get(k, Checkpoint()) for k in query.accounts}
    pending = [c for c in before.values() if c.backfill_until_id is not None]
    known = [c.since_id for c in before.values() if c.since_id is not None]
    if pending:
        cp = min(pending, key=lambda c: c.since_id or 0)
        return _Sweep(
            query,
            usernames,
            before,
            since_id=cp.since_id,
            until_id=cp.backfill_until_id,
            start_time=None if cp.since_id else now - settings.first_backfill,
            target_since=max(c.backfill_newest_id or 0 for c in pending),
        )
    if len(known) < len(before):  # an account never polled: bounded first backfill
        return _Sweep(
            query,
            usernames,
            before,
            since_id=None,
            until_id=None,
            start_time=now - settings.first_backfill,
            target_since=None,
        )
    since = min(known)
    overlap_ids = int(settings.overlap.total_seconds() * 1000) << 22
    return _Sweep(
        query,
        usernames,
        before,
        since_id=max(1, since - overlap_ids),
        until_id=None,
        start_time=None,
        target_since=max(known),
    )


class Poller:
    """Runs one poll cycle over all queries, fairly, inside a deadline and a request budget."""

    def __init__(
        self,
        source: XSource,
        publisher: Publisher,
        checkpoints: CheckpointStore,
        clock: Clock,
        settings: PollSettings,
        log: Callable[..., None],
    ) -> None:
        self.source, self.publisher, self.checkpoints = source, publisher, checkpoints
        self.clock, self.settings, self.log = clock, settings, log

    def run(
        self, queries: Sequence[Query], usernames: dict[str, str], polled: set[str], mode: str
    ) -> RunReport:
        started = self.clock.now()
        deadline = started + timedelta(seconds=self.settings.deadline_s)
        report = RunReport(mode=mode, started_at=_iso(started))
        self._report = report
        keys = [k for q in queries for k in q.accounts]
        checkpoints = self.checkpoints.load(keys)
        sweeps: list[_Sweep] = []
        for query in queries:
            sweep = _plan_sweep(query, usernames, checkpoints, started, self.settings)
            _clamp_to_search_window(sweep, started)
            limited = [
                c.rate_limited_until
                for c in sweep.before.values()
                if c.rate_limited_until and c.rate_limited_until > started
            ]
            if limited:
                sweep.stopped, sweep.rate_limited_until = "rate_limited", max(limited)
            sweeps.append(sweep)
        # Fairness: least recently served first, then one page per sweep per round.
        sweeps.sort(
            key=lambda s: min((c.last_run_at or datetime.min.replace(tzinfo=UTC)) for c in s.before.values())
        )
        fetched_at = _iso(started)
        for sweep in self._rounds(sweeps, deadline, report):
            self._step(sweep, polled, fetched_at, deadline)
        for sweep in sweeps:
            self._finish(sweep, report)
        return report

    def _rounds(self, sweeps: list[_Sweep], deadline: datetime, report: RunReport) -> Iterator[_Sweep]:
        while True:
            active = [s for s in sweeps if not s.done and s.stopped is None]
            if not active:
                return
            for sweep in active:
                if report.requests >= self.settings.max_requests:
                    self._stop_all(active, "request budget spent")
                    return
                if self.clock.now() >= deadline:
                    self._stop_all(active, "deadline reached")
                    return
                yield sweep

    @staticmethod
    def _stop_all(sweeps: list[_Sweep], why: str) -> None:
        for s in sweeps:
            if not s.done and s.stopped is None:
                s.stopped = why

    def _step(self, sweep: _Sweep, polled: set[str], fetched_at: str, deadline: datetime) -> None:
        try:
            page = self._fetch_with_retry(sweep, deadline)
        except RateLimited as exc:
            sweep.stopped, sweep.rate_limited_until = "rate_limited", exc.reset_at
            return
        except Rejected as exc:
            sweep.stopped = "rejected"
            sweep.errors.append(f"X rejected the request for {self._names(sweep)}: {exc}")
            return
        except AuthFailed as exc:
            sweep.stopped = "auth_failed"
            sweep.errors.append(f"X refused access for {self._names(sweep)}: {exc}")
            return
        except Transient as exc:
            sweep.stopped = "x_unavailable"
            sweep.errors.append(f"X API failed after {self.settings.retries} attempts: {exc}")
            return
        sweep.pages += 1
        for post in page.posts:
            if _is_retweet(post):  # the original post carries the complaint; search excludes these too
                sweep.retweets += 1
                continue
            mention = from_x_post(post, page.includes, polled, fetched_at)
            data, attributes = mention.to_message()
            sweep.handles.append(self.publisher.publish(data, attributes))
        sweep.read += len(page.posts)
        if page.newest_id is not None:
            sweep.newest = max(sweep.newest or 0, page.newest_id)
        if page.oldest_id is not None:
            sweep.oldest = page.oldest_id if sweep.oldest is None else min(sweep.oldest, page.oldest_id)
        sweep.token = page.next_token
        sweep.done = page.next_token is None

    @staticmethod
    def _names(sweep: _Sweep) -> str:
        return ", ".join("@" + sweep.usernames.get(k, k) for k in sweep.query.accounts)

    def _fetch_with_retry(self, sweep: _Sweep, deadline: datetime) -> Page:
        delay = self.settings.backoff_s
        for attempt in range(1, self.settings.retries + 1):
            self._report.requests += 1
            try:
                return self.source.page(
                    sweep.query, sweep.since_id, sweep.until_id, sweep.start_time, sweep.token
                )
            except Transient:
                remaining = (deadline - self.clock.now()).total_seconds()
                if attempt == self.settings.retries or remaining <= delay:
                    raise
                self.clock.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _finish(self, sweep: _Sweep, report: RunReport) -> None:
        """Confirm every publish, then (and only then) move the checkpoints."""
        now = self.clock.now()
        try:
            self.publisher.confirm(sweep.handles, self.settings.publish_timeout_s)
            published = len(sweep.handles)
        except Exception as exc:  # noqa: BLE001 - any publish failure means: keep the old checkpoint
            sweep.errors.append(f"publish failed, checkpoint kept: {exc}")
            sweep.stopped, published = "publish_failed", 0
        gap = self._gap(sweep)
        report.fetched += sweep.read
        report.published += published
        for key in sweep.query.accounts:
            old = sweep.before[key]
            new = self._next_checkpoint(sweep, old, now, published == len(sweep.handles))
            if new != old:
                self.checkpoints.save(key, sweep.usernames.get(key, key), new)
            entry = AccountReport(
                account=sweep.usernames.get(key, key),
                user_id=key,
                fetched=sweep.read,
                published=published,
                retweets_skipped=sweep.retweets,
                pages=sweep.pages,
                checkpoint_before=_str(old.since_id),
                checkpoint_after=_str(new.since_id),
                outcome=new.last_outcome,
                errors=list(sweep.errors),
                gap=gap,
                rate_limited_until=_iso(new.rate_limited_until) if new.rate_limited_until else None,
            )
            report.accounts.append(entry)
            severity = "ERROR" if sweep.errors else ("WARNING" if gap or sweep.stopped else "INFO")
            self.log(
                severity,
                f"polled @{entry.account}: {entry.fetched} fetched, outcome {entry.outcome}",
                **vars(entry),
            )

    def _next_checkpoint(self, sweep: _Sweep, old: Checkpoint, now: datetime, confirmed: bool) -> Checkpoint:
        base = replace(old, last_run_at=now)
        if not confirmed:
            return replace(base, last_outcome="publish_failed")
        if sweep.stopped == "rate_limited" and sweep.pages == 0:
            return replace(base, rate_limited_until=sweep.rate_limited_until, last_outcome="rate_limited")
        if sweep.pages == 0:
            return replace(base, last_outcome=sweep.stopped or "ok")
        if sweep.done:
            # Completed: everything in (since_id, until_id) was read and published.
            if sweep.until_id is not None:  # a backfill closed: resume from the newest id it was chasing
                newest = max(sweep.target_since or 0, old.since_id or 0) or None
                return Checkpoint(since_id=newest, last_run_at=now, last_outcome="backfill_done")
            newest = (
                max(x for x in (sweep.newest, sweep.target_since, old.since_id) if x is not None)
                if (sweep.newest or sweep.target_since or old.since_id)
                else None
            )
            return Checkpoint(since_id=newest, last_run_at=now, last_outcome="ok")
        # Interrupted after some pages: remember the unread range below what was read.
        chasing = sweep.newest if sweep.until_id is None else sweep.target_since
        return Checkpoint(
            since_id=sweep.since_id,
            backfill_until_id=sweep.oldest,
            backfill_newest_id=max(chasing or 0, old.backfill_newest_id or 0) or None,
            rate_limited_until=sweep.rate_limited_until,
            last_run_at=now,
            last_outcome=sweep.stopped or "interrupted",
        )

    @staticmethod
    def _gap(sweep: _Sweep) -> dict[str, Any] | None:
        """X shows only the 800 newest mentions: a sweep that hit that wall may have missed older ones.
        Recent search shows 7 days: a checkpoint older than that leaves the posts between unread."""
        if sweep.clamped_since is not None:
            return {
                "after_id": str(sweep.clamped_since),
                "before_id": None,
                "from": _iso(_ms_time(snowflake_ms(sweep.clamped_since))),
                "to": _iso(sweep.start_time) if sweep.start_time else None,
                "read": sweep.read,
                "note": "the last checkpoint is older than recent search's 7-day window; posts between "
                "were not read (polling was stopped for over a week)",
            }
        if sweep.query.kind != "mentions" or not sweep.done or sweep.read < X_VISIBLE_MENTIONS:
            return None
        if sweep.since_id is None or sweep.oldest is None or sweep.oldest <= sweep.since_id:
            return None
        return {
            "after_id": str(sweep.since_id),
            "before_id": str(sweep.oldest),
            "from": _iso(_ms_time(snowflake_ms(sweep.since_id))),
            "to": _iso(_ms_time(snowflake_ms(sweep.oldest))),
            "read": sweep.read,
            "note": "more than 800 mentions since the last poll; older ones are not visible on the "
            "mentions timeline (recent search can still reach them for 7 days)",
        }


# --------------------------------------------------------------------------- queries


MAX_QUERY_CHARS = 512  # Basic tier; Pro allows 1024


def mention_queries(accounts: Sequence[tuple[str, str]]) -> list[Query]:
    """One mentions-timeline query per (user_id, username)."""
    return [Query("mentions", uid, (uid,)) for uid, _ in accounts]


def search_queries(accounts: Sequence[tuple[str, str]], max_chars: int = MAX_QUERY_CHARS) -> list[Query]:
    """As few recent-search queries as the query length allows: ``(@a OR @b …) -is:retweet``.

    Accounts keep the configuration's order (agencies of one city stand together), so accounts
    that citizens mention together mostly share a query: a post to accounts in two queries is
    read twice."""
    queries: list[Query] = []
    group: list[tuple[str, str]] = []

    def text(members: list[tuple[str, str]]) -> str:
        return "(" + " OR ".join("@" + name for _, name in members) + ") -is:retweet"

    for account in accounts:
        if group and len(text([*group, account])) > max_chars:
            queries.append(Query("search", text(group), tuple(uid for uid, _ in group)))
            group = []
        group.append(account)
    if group:
        queries.append(Query("search", text(group), tuple(uid for uid, _ in group)))
    return queries


def _is_retweet(post: Mapping[str, Any]) -> bool:
    return any(ref.get("type") == "retweeted" for ref in post.get("referenced_tweets", ()))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _ms_time(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)
