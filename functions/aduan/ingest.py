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


class UnknownAccount(Exception):
    """A 200 whose ``errors`` say X has no such account (resource-not-found for the polled user id)."""


class Unexpected(Exception):
    """An answer this client cannot read (malformed JSON, a bad id, an unknown status): the sweep stops."""


@dataclass(frozen=True)
class Page:
    posts: Sequence[Mapping[str, Any]]
    includes: Mapping[str, Any]
    newest_id: int | None
    oldest_id: int | None
    next_token: str | None
    # x-rate-limit-remaining / -reset of the app's window for this endpoint, when X sent them.
    rate_remaining: int | None = None
    rate_reset: datetime | None = None


@dataclass(frozen=True)
class Query:
    """What one sweep reads: an account's mentions timeline, or a search over several accounts."""

    kind: str  # "mentions" or "search": also the name of the app-wide rate-limit window
    target: str  # user id for mentions, the query string for search
    accounts: tuple[str, ...]  # checkpoint keys (X user ids) this sweep advances


class XSource(Protocol):
    def page(self, query: Query, since_id: int | None, until_id: int | None, token: str | None) -> Page: ...


class Publisher(Protocol):
    def publish(self, data: bytes, attributes: Mapping[str, str]) -> Any: ...

    def confirm(self, handles: Sequence[Any], timeout_s: float) -> None:
        """Block until every handle is acknowledged by Pub/Sub; raise if any failed."""


@dataclass(frozen=True)
class Checkpoint:
    """What is read for one account. Everything up to ``since_id`` is read (a first poll has none);
    an interrupted sweep leaves ``(since_id, backfill_until_id)`` unread, and ``backfill_newest_id``
    becomes ``since_id`` once it is. ``seen_ids``: posts already read in the look-back, so a re-read
    does not publish them again."""

    since_id: int | None = None
    backfill_until_id: int | None = None
    backfill_newest_id: int | None = None
    seen_ids: frozenset[int] = frozenset()
    last_run_at: datetime | None = None
    last_outcome: str = "never"


class CheckpointStore(Protocol):
    def load(self, keys: Sequence[str]) -> dict[str, Checkpoint]: ...

    def save(self, key: str, username: str, checkpoint: Checkpoint) -> None: ...

    def load_rate_limits(self) -> dict[str, datetime]:
        """Until when each endpoint's app-wide window is spent (``mentions``, ``search``)."""

    def save_rate_limits(self, limits: Mapping[str, datetime]) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


# --------------------------------------------------------------------------- settings and report


@dataclass(frozen=True)
class PollSettings:
    deadline_s: float = 240.0  # leave margin under the function's timeout
    max_requests: int = 60  # per run, shared by all accounts
    # Every sweep re-reads this far below the checkpoint, for posts X indexes late (minutes, at times).
    # X bills a post read twice in one UTC day once, so the re-read costs requests, not posts; posts
    # already published (``seen_ids``) are not published again.
    lookback: timedelta = timedelta(minutes=10)
    max_seen: int = 5000  # ids kept per checkpoint for the look-back (about 100 KB)
    first_backfill: timedelta = timedelta(hours=24)
    retries: int = 3
    backoff_s: float = 0.5
    publish_timeout_s: float = 60.0
    rate_window: timedelta = timedelta(minutes=15)  # assumed when a 429 carries no x-rate-limit-reset


@dataclass
class AccountReport:
    account: str
    user_id: str
    fetched: int = 0
    published: int = 0
    reread: int = 0  # posts read again and not republished (the look-back, or another sweep's post)
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
    reread: int = 0
    rate_limited_until: dict[str, str] = field(default_factory=dict)  # per endpoint, app-wide
    accounts: list[AccountReport] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "started_at": self.started_at,
            "requests": self.requests,
            "fetched": self.fetched,
            "published": self.published,
            "reread": self.reread,
            "rate_limited_until": dict(self.rate_limited_until),
            "gaps": sum(1 for a in self.accounts if a.gap),
            "errors": sum(len(a.errors) for a in self.accounts),
            "accounts": [vars(a) for a in self.accounts],
        }


# --------------------------------------------------------------------------- the sweep


@dataclass
class _Sweep:
    """Reads one query's pages newest-first over ``(since_id, until_id)``: the union of what its
    accounts left unread, plus the look-back."""

    query: Query
    usernames: dict[str, str]
    before: dict[str, Checkpoint]
    since_id: int  # exclusive lower bound of this sweep (look-back included)
    until_id: int | None  # exclusive upper bound (a shared backfill), or None for "up to now"
    floor_id: int  # where an account never polled starts (the first backfill)
    seen: frozenset[int] = frozenset()
    window_floor: int | None = None  # search: the oldest id recent search still reaches, when clamped
    token: str | None = None
    newest: int | None = None
    oldest: int | None = None
    read: int = 0
    reread: int = 0
    retweets: int = 0
    pages: int = 0
    read_ids: set[int] = field(default_factory=set)
    handles: list[Any] = field(default_factory=list)
    done: bool = False
    stopped: str | None = None  # why it ended early, if it did
    rate_limited_until: datetime | None = None
    errors: list[str] = field(default_factory=list)


def _span_ids(span: timedelta) -> int:
    """How far apart two ids ``span`` apart in time are."""
    return int(span.total_seconds() * 1000) << 22


def _plan_sweep(
    query: Query,
    usernames: dict[str, str],
    checkpoints: dict[str, Checkpoint],
    now: datetime,
    settings: PollSettings,
) -> _Sweep:
    """One range that covers every account's unread range, so none moves past what it never read.

    Accounts of a shared query may stand at different points (a mode switch, regrouped queries,
    one interrupted in another grouping): the sweep starts below the lowest of them. Only when
    every account waits on the very same backfill is the read bounded above by it."""
    before = {k: checkpoints.get(k, Checkpoint()) for k in query.accounts}
    floor = snowflake_at(_ms(now - settings.first_backfill))
    lowest = min(c.since_id if c.since_id is not None else floor for c in before.values())
    pending = {(c.backfill_until_id, c.backfill_newest_id) for c in before.values()}
    until = next(iter(pending))[0] if len(pending) == 1 else None
    seen = frozenset().union(*(c.seen_ids for c in before.values()))
    since = max(1, lowest - _span_ids(settings.lookback))
    sweep = _Sweep(query, usernames, before, since_id=since, until_id=until, floor_id=floor, seen=seen)
    if query.kind == "search":  # recent search reaches back 7 days and rejects an older since_id
        edge = snowflake_at(_ms(now - SEARCH_WINDOW + SEARCH_WINDOW_MARGIN))
        if since < edge:
            sweep.since_id, sweep.window_floor = edge, edge
    return sweep


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
        """Always returns the run report: what X answers can stop a sweep, never the cycle."""
        started = self.clock.now()
        deadline = started + timedelta(seconds=self.settings.deadline_s)
        report = RunReport(mode=mode, started_at=_iso(started))
        self._report = report
        self._published: set[int] = set()  # a post to two accounts is on both timelines: publish it once
        keys = [k for q in queries for k in q.accounts]
        checkpoints = self.checkpoints.load(keys)
        limits_before = self.checkpoints.load_rate_limits()
        self._limits = {k: v for k, v in limits_before.items() if v > started}
        self._sweeps = [_plan_sweep(q, usernames, checkpoints, started, self.settings) for q in queries]
        for sweep in self._sweeps:
            if sweep.query.kind in self._limits:  # the app's window for this endpoint is spent
                sweep.stopped, sweep.rate_limited_until = "rate_limited", self._limits[sweep.query.kind]
        # Fairness: least recently served first, then one page per sweep per round.
        self._sweeps.sort(
            key=lambda s: min((c.last_run_at or datetime.min.replace(tzinfo=UTC)) for c in s.before.values())
        )
        fetched_at = _iso(started)
        for sweep in self._rounds(self._sweeps, deadline, report):
            self._step(sweep, polled, fetched_at, deadline)
        for sweep in self._sweeps:
            self._finish(sweep, report)
        if self._limits != {k: v for k, v in limits_before.items() if v > started}:
            self.checkpoints.save_rate_limits(self._limits)
        report.rate_limited_until = {k: _iso(v) for k, v in self._limits.items()}
        return report

    def _rounds(self, sweeps: list[_Sweep], deadline: datetime, report: RunReport) -> Iterator[_Sweep]:
        while True:
            active = [s for s in sweeps if not s.done and s.stopped is None]
            if not active:
                return
            for sweep in active:
                if sweep.stopped is not None:  # stopped during this round (its endpoint's window spent)
                    continue
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

    def _rate_limited(self, kind: str, reset_at: datetime | None) -> None:
        """The mentions and search windows belong to the app, not to an account: every sweep on
        that endpoint waits for the reset, in this run and (through the store) the next ones."""
        until = reset_at or self.clock.now() + self.settings.rate_window
        self._limits[kind] = max(until, self._limits.get(kind, until))
        for sweep in self._sweeps:
            if sweep.query.kind == kind and not sweep.done and sweep.stopped is None:
                sweep.stopped, sweep.rate_limited_until = "rate_limited", self._limits[kind]

    def _step(self, sweep: _Sweep, polled: set[str], fetched_at: str, deadline: datetime) -> None:
        try:
            page = self._fetch_with_retry(sweep, deadline)
        except RateLimited as exc:
            self._rate_limited(sweep.query.kind, exc.reset_at)
            return
        except (Rejected, AuthFailed, Transient, UnknownAccount, Unexpected) as exc:
            sweep.stopped, message = STOPS[type(exc)]
            sweep.errors.append(message.format(names=self._names(sweep), exc=exc, n=self.settings.retries))
            return
        try:
            fresh = self._fresh_messages(sweep, page, polled, fetched_at)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # A post this client cannot read: nothing of the page is published, the range stays unread.
            sweep.stopped = "unexpected_answer"
            sweep.errors.append(f"X sent a post Aduan cannot read for {self._names(sweep)}: {exc!r}")
            return
        sweep.pages += 1
        sweep.handles.extend(self.publisher.publish(data, attributes) for data, attributes in fresh)
        sweep.read += len(page.posts)
        if page.newest_id is not None:
            sweep.newest = max(sweep.newest or 0, page.newest_id)
        if page.oldest_id is not None:
            sweep.oldest = page.oldest_id if sweep.oldest is None else min(sweep.oldest, page.oldest_id)
        sweep.token = page.next_token
        sweep.done = page.next_token is None
        if page.rate_remaining == 0:  # the app's window is spent: the next request would be a 429
            self._rate_limited(sweep.query.kind, page.rate_reset)

    def _fresh_messages(
        self, sweep: _Sweep, page: Page, polled: set[str], fetched_at: str
    ) -> list[tuple[bytes, dict[str, str]]]:
        """The page's posts as messages, less retweets and posts the look-back already published."""
        fresh, ids = [], []
        reread = retweets = 0
        for post in page.posts:
            post_id = int(post["id"])
            ids.append(post_id)
            if post_id in sweep.seen or post_id in self._published:
                reread += 1
            elif _is_retweet(post):  # the original post carries the complaint; search excludes these too
                retweets += 1
            else:
                fresh.append(from_x_post(post, page.includes, polled, fetched_at).to_message())
        sweep.read_ids.update(ids)
        self._published.update(ids)
        sweep.reread += reread
        sweep.retweets += retweets
        return fresh

    @staticmethod
    def _names(sweep: _Sweep) -> str:
        return ", ".join("@" + sweep.usernames.get(k, k) for k in sweep.query.accounts)

    def _fetch_with_retry(self, sweep: _Sweep, deadline: datetime) -> Page:
        delay = self.settings.backoff_s
        for attempt in range(1, self.settings.retries + 1):
            self._report.requests += 1
            try:
                return self.source.page(sweep.query, sweep.since_id, sweep.until_id, sweep.token)
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
            confirmed = True
        except Exception as exc:  # noqa: BLE001 - any publish failure means: keep the old checkpoint
            sweep.errors.append(f"publish failed, checkpoint kept: {exc}")
            sweep.stopped, confirmed = "publish_failed", False
        published = len(sweep.handles) if confirmed else 0
        report.fetched += sweep.read
        report.published += published
        report.reread += sweep.reread
        for key in sweep.query.accounts:
            old = sweep.before[key]
            new = (
                self._next_checkpoint(sweep, old, now)
                if confirmed
                else replace(old, last_run_at=now, last_outcome="publish_failed")
            )
            gap = self._gap(sweep, old) if confirmed and sweep.pages else None
            if new != old:
                self.checkpoints.save(key, sweep.usernames.get(key, key), new)
            entry = AccountReport(
                account=sweep.usernames.get(key, key),
                user_id=key,
                fetched=sweep.read,
                published=published,
                reread=sweep.reread,
                retweets_skipped=sweep.retweets,
                pages=sweep.pages,
                checkpoint_before=_str(old.since_id),
                checkpoint_after=_str(new.since_id),
                outcome=new.last_outcome,
                errors=list(sweep.errors),
                gap=gap,
                rate_limited_until=_iso(sweep.rate_limited_until) if sweep.rate_limited_until else None,
            )
            report.accounts.append(entry)
            severity = "ERROR" if sweep.errors else ("WARNING" if gap or sweep.stopped else "INFO")
            message = f"polled @{entry.account}: {entry.fetched} fetched, outcome {entry.outcome}"
            if sweep.errors:
                message += ": " + "; ".join(sweep.errors)
            self.log(severity, message, **vars(entry))

    def _next_checkpoint(self, sweep: _Sweep, old: Checkpoint, now: datetime) -> Checkpoint:
        """Where this account stands after the sweep (its publishes confirmed)."""
        if sweep.pages == 0:
            return replace(old, last_run_at=now, last_outcome=sweep.stopped or "ok")
        lookback = _span_ids(self.settings.lookback)
        own_low = old.since_id if old.since_id is not None else sweep.floor_id
        newest = _max(
            old.since_id,
            old.backfill_newest_id,
            sweep.newest if sweep.until_id is None else None,  # a bounded backfill chases its own newest
        )
        reached_bottom = sweep.done or (sweep.oldest is not None and sweep.oldest <= own_low - lookback)
        if reached_bottom:  # everything this account had unread is read and published
            outcome = "backfill_done" if old.backfill_until_id is not None else "ok"
            return Checkpoint(
                since_id=newest,
                seen_ids=self._seen(sweep, old, newest),
                last_run_at=now,
                last_outcome=outcome,
            )
        # Interrupted after some pages: (since_id, oldest read) is still unread for this account. A
        # clamped search moves since_id up to the window's floor: what lies below is reported once.
        since = old.since_id
        if sweep.window_floor is not None and since is not None and since < sweep.window_floor:
            since = sweep.window_floor
        return Checkpoint(
            since_id=since,
            backfill_until_id=sweep.oldest,
            backfill_newest_id=newest,
            seen_ids=self._seen(sweep, old, since),
            last_run_at=now,
            last_outcome=sweep.stopped or "interrupted",
        )

    def _seen(self, sweep: _Sweep, old: Checkpoint, since: int | None) -> frozenset[int]:
        """Ids a later look-back could read again: the newest ``max_seen`` above since_id − look-back."""
        low = (since if since is not None else sweep.floor_id) - _span_ids(self.settings.lookback)
        keep = sorted((i for i in sweep.seen | old.seen_ids | sweep.read_ids if i > low), reverse=True)
        return frozenset(keep[: self.settings.max_seen])

    @staticmethod
    def _gap(sweep: _Sweep, old: Checkpoint) -> dict[str, Any] | None:
        """A range this account can no longer read, reported once: when the checkpoint moves past it.

        Mentions: X shows only the 800 newest. The checkpoint is a post of the timeline, so a read
        that reaches below it returns it; when a sweep — or the chain of sweeps a 429, the budget or
        the deadline split it into — is complete yet never got back to the checkpoint, the posts
        between the checkpoint and the oldest one X still shows were pushed out of view.
        Search: a checkpoint older than the 7-day window leaves the posts between unread."""
        cp = old.since_id
        if cp is None:
            return None
        if sweep.window_floor is not None and cp < sweep.window_floor:
            return _gap_entry(
                cp,
                sweep.window_floor,
                sweep.read,
                "the last checkpoint is older than recent search's 7-day window; posts between were "
                "not read (polling was stopped for over a week)",
            )
        if sweep.query.kind != "mentions" or not sweep.done:
            return None
        chain = [x for x in (sweep.oldest, old.backfill_until_id if sweep.until_id else None) if x]
        oldest_seen = min(chain) if chain else None
        if oldest_seen is None or oldest_seen <= cp:
            return None
        return _gap_entry(
            cp,
            oldest_seen,
            sweep.read,
            "more mentions arrived than the 800 X shows; the ones between the checkpoint and the oldest "
            "still shown were not read (recent search can still reach them for 7 days)",
        )


STOPS: dict[type[Exception], tuple[str, str]] = {
    Rejected: ("rejected", "X rejected the request for {names}: {exc}"),
    AuthFailed: ("auth_failed", "X refused access for {names}: {exc}"),
    Transient: ("x_unavailable", "X API failed after {n} attempts: {exc}"),
    UnknownAccount: ("unknown_account", "X does not know {names}: {exc} (check config/agencies.yaml)"),
    Unexpected: ("unexpected_answer", "X sent an answer Aduan cannot read for {names}: {exc}"),
}


def _gap_entry(after_id: int, before_id: int, read: int, note: str) -> dict[str, Any]:
    """Ids in (after_id, before_id), both exclusive, were not read."""
    return {
        "after_id": str(after_id),
        "before_id": str(before_id),
        "from": _iso(_ms_time(snowflake_ms(after_id))),
        "to": _iso(_ms_time(snowflake_ms(before_id))),
        "read": read,
        "note": note,
    }


def _max(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


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
