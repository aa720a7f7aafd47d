"""``send_replies``' core: one reply request → at most one post on the channel, never lost.

The ledger ``replies/{report_id}-{event}`` is the lock and the record (docs/contracts.md):

* **claim** — the first delivery *creates* the entry (``claimed``, with a lease); a concurrent
  or repeated delivery finds it and stops (``sent``/``skipped``) or waits (``claimed`` within
  its lease, ``deferred`` before its ``not_before``);
* **take over** — a claim whose lease ran out (its instance crashed, or a timeout left it
  unsure) is taken by an update with a precondition on the entry's update time, and the
  *same text* (kept in the entry) is posted again: if the first attempt did reach X, X
  refuses the repeat as duplicate content, which proves it was posted — the ticket in every
  text makes that refusal specific to this reply;
* **defer** — a 429 or a spent daily budget turns the entry ``deferred`` until the reset.

A reply that must wait a little (a concurrent delivery holds the claim, a crashed one's
lease runs out, a 429 resets in seconds) waits inside the delivery, up to ``inline_wait``.
A longer wait (a spent daily budget until midnight UTC, a 15-minute rate-limit window) is
*parked*: the entry stays ``deferred`` with ``not_before`` and the message is acknowledged —
Pub/Sub's 5 attempts and push back-off are not a timer, and NACKing for hours would slow
every other reply on the subscription. ``sweep`` re-publishes parked replies that are due;
it runs after every delivery and on a schedule (a ``sweep`` message every few minutes).
Every path ends in ``sent`` or ``skipped`` (or the dead-letter topic, logged): none is lost.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aduan import channels
from aduan.config import Config, account_ids, reply_account
from aduan.mention import PoisonMessage
from aduan.replies import ACKNOWLEDGED, REQUEST_GRACE, REQUESTED, ReplyRequest
from aduan.replies.compose import compose

CLAIMED, SENT, SKIPPED, DEFERRED = "claimed", "sent", "skipped", "deferred"  # and REQUESTED
FINAL = frozenset({SENT, SKIPPED})
DEFAULT_LEASE = timedelta(seconds=30)  # longer than one post's timeout (10 s) plus the writes
DEFAULT_INLINE_WAIT = timedelta(seconds=40)  # within the function's 60 s timeout, above the lease
INLINE_TRIES = 4
SWEEP_LIMIT = 20
RATE_LIMIT_FALLBACK = timedelta(seconds=60)  # a 429 without a reset header
FANOUT_LIMIT = 500
ANSWER_EVENTS = ("responded", "resolved", "rejected")


class NotYet(Exception):
    """The reply cannot be posted now; retry at or after ``until``."""

    def __init__(self, until: datetime, reason: str, parked: bool = False) -> None:
        super().__init__(f"{reason}; not before {until.isoformat()}")
        self.until, self.reason = until, reason
        self.parked = parked  # the ledger holds it as deferred: a sweep re-publishes it when due


class ReplyStore(Protocol):
    def report(self, report_id: str) -> dict[str, Any] | None: ...

    def cluster_members(self, cluster_id: str, limit: int) -> list[dict[str, Any]]: ...

    def entry(self, ledger_id: str) -> tuple[dict[str, Any], Any] | None:
        """The ledger entry and its update time (the precondition of ``update``)."""
        ...

    def create(self, ledger_id: str, entry: Mapping[str, Any]) -> bool:
        """Create the entry; False if it exists (someone else claimed first)."""
        ...

    def update(self, ledger_id: str, update_time: Any, changes: Mapping[str, Any]) -> bool:
        """Apply if the entry is unchanged since ``update_time``; False if it moved on."""
        ...

    def budget_used(self, budget_key: str) -> int: ...

    def claim_within_budget(
        self, ledger_id: str, update_time: Any, fields: Mapping[str, Any], budget_key: str, budget: int
    ) -> str:
        """Create (``update_time`` None) or take over the entry with ``fields`` only while fewer than
        ``budget`` entries carry ``budget_key``, atomically with concurrent claims of that budget:
        "claimed", "lost" (someone else moved the entry on) or "spent"."""
        ...

    def uncount(self, ledger_id: str, changes: Mapping[str, Any]) -> None:
        """Apply ``changes`` and give the entry's claim back to its daily budget (it did not post)."""
        ...

    def due_deferred(self, now: datetime, limit: int) -> list[tuple[str, dict[str, Any], Any]]:
        """Parked (``deferred``) and unanswered ``requested`` entries whose ``not_before`` has passed:
        (ledger id, entry, update time)."""
        ...

    def record_sent(
        self, ledger_id: str, changes: Mapping[str, Any], report_id: str, report_changes: Mapping[str, Any]
    ) -> None:
        """The ledger marked sent and the report updated, in one commit."""
        ...


class Republisher(Protocol):
    def republish(self, request: ReplyRequest) -> None:
        """Publish ``request`` to the replies topic and wait until it is accepted."""
        ...


@dataclass(frozen=True)
class Outcome:
    state: str  # sent, skipped, already (sent or skipped before), deferred (re-published)
    ledger_id: str
    post_id: str | None = None
    reason: str = ""
    text: str = ""
    fanned_out: int = 0


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def next_utc_midnight(now: datetime) -> datetime:
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def status_link(base_url: str, ticket: str, language: str) -> str:
    return f"{base_url.rstrip('/')}/laporan/{ticket}" + ("?lang=en" if language == "en" else "")


class ReplySender:
    def __init__(
        self,
        config: Config,
        store: ReplyStore,
        channels_by_source: Mapping[str, channels.Channel],
        republisher: Republisher,
        status_base_url: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        lease: timedelta = DEFAULT_LEASE,
        inline_wait: timedelta = DEFAULT_INLINE_WAIT,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[ReplyRequest, NotYet, float], None] = lambda request, wait, seconds: None,
    ) -> None:
        self.config, self.store, self.channels = config, store, channels_by_source
        self.republisher, self.base_url, self.clock = republisher, status_base_url, clock
        self.lease, self.inline_wait, self.sleep = lease, inline_wait, sleep
        self.on_wait = on_wait  # told of every wait inside a delivery (the entry point logs it)
        self.account_ids = account_ids(config.agencies)

    # --- one delivery --------------------------------------------------------------------
    def handle(self, request: ReplyRequest) -> Outcome:
        """Process one delivery; raises NotYet (a short wait ran out: Pub/Sub redelivers) or
        PoisonMessage (dead-letter). A parked reply returns ``deferred`` (acknowledged)."""
        waited = timedelta(0)
        for attempt in range(INLINE_TRIES):
            try:
                return self._handle(request)
            except NotYet as wait:
                delay = max(timedelta(0), wait.until - self.clock())
                last = attempt == INLINE_TRIES - 1
                if not last and waited + delay <= self.inline_wait:
                    self.on_wait(request, wait, delay.total_seconds())
                    self.sleep(delay.total_seconds() + 0.05)
                    waited += delay
                    continue
                if wait.parked:
                    return Outcome("deferred", request.ledger_id, reason=wait.reason)
                raise
        raise AssertionError("unreachable")  # the loop returns or raises

    def sweep(self, limit: int = SWEEP_LIMIT) -> int:
        """Re-publish parked replies, and requests nobody took, that are due; each is then taken over
        like any other. A ``requested`` entry stays due again a grace later, so a re-publish that is
        lost too is swept again; the claim clears ``not_before``."""
        now = self.clock()
        count = 0
        for ledger_id, entry, update_time in self.store.due_deferred(now, limit):
            request = ReplyRequest(entry["report_id"], entry["event"], utc_iso(now), entry.get("answer_of"))
            self.republisher.republish(request)
            again = now + REQUEST_GRACE if entry.get("state") == REQUESTED else None
            self.store.update(ledger_id, update_time, {"not_before": again})
            count += 1
        return count

    def _handle(self, request: ReplyRequest) -> Outcome:
        now = self.clock()
        ledger_id = request.ledger_id
        found = self.store.entry(ledger_id)
        if found and found[0].get("state") in FINAL:
            return Outcome("already", ledger_id, found[0].get("post_id"), found[0].get("reason", ""))
        if found:
            self._wait_if_held(found[0], now)
        report = self.store.report(request.report_id)
        if report is None:
            raise PoisonMessage(f"no report {request.report_id}")
        answer_doc = report
        if request.answer_of:
            answer_doc = self.store.report(request.answer_of) or {}
        fanned = self._fan_out(request, report) if request.event in ANSWER_EVENTS else 0
        skip = self._skip_reason(request, report, answer_doc)
        if skip:
            self._set(request, found, now, state=SKIPPED, reason=skip, not_before=None)
            return Outcome(SKIPPED, ledger_id, reason=skip, fanned_out=fanned)
        channel = self.channels[report["source"]]
        account = reply_account(self.config.agencies, report.get("to_accounts") or ())
        assert account is not None and account.replies is not None  # _skip_reason checked
        text = (
            found[0].get("text")
            if found and found[0].get("text")
            else self._text(request, report, answer_doc, channel)
        )
        budget_key = f"{channel.name}:{account.username.lower()}:{now.astimezone(UTC):%Y-%m-%d}"
        counted = bool(found and found[0].get("budget_key") == budget_key)
        claim: dict[str, Any] = dict(
            state=CLAIMED,
            lease_until=now + self.lease,
            not_before=None,
            budget_key=budget_key,
            text=text,
            text_digest=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
            account=account.username,
            channel=channel.name,
        )
        if counted:  # a take-over of a claim already counted against today's budget
            claimed = "claimed" if self._set(request, found, now, **claim) else "lost"
        else:
            update_time, record = self._record(request, found, now, **claim)
            claimed = self.store.claim_within_budget(
                ledger_id, update_time, record, budget_key, account.replies.daily_budget
            )
        if claimed == "spent":
            until = next_utc_midnight(now)
            parked = self._set(
                request, found, now, state=DEFERRED, not_before=until, reason="daily budget spent", text=text
            )
            raise NotYet(until, f"daily budget of @{account.username} spent", parked)
        if claimed != "claimed":
            raise NotYet(now + timedelta(seconds=2), "claimed by a concurrent delivery")
        target = channel.target(report, account.username, self.account_ids)
        try:
            post_id = channel.send(target, text)
        except channels.Duplicate:
            return self._sent(
                request, report, None, now, text, fanned, "duplicate content: posted by an earlier attempt"
            )
        except channels.RateLimited as exc:
            until = exc.reset_at or now + RATE_LIMIT_FALLBACK
            self.store.uncount(ledger_id, {"state": DEFERRED, "not_before": until, "reason": "rate limited"})
            raise NotYet(until, f"rate limited on {channel.name}", parked=True) from None
        except channels.Refused as exc:
            self._release(ledger_id, state=SKIPPED, reason=f"refused by {channel.name}: {exc}")
            return Outcome(SKIPPED, ledger_id, reason=str(exc), fanned_out=fanned)
        except (channels.Transient, channels.AuthFailed) as exc:
            # Unsure whether it was posted: let the next delivery take over at once; a repeat that
            # reaches X is refused as a duplicate if this one got through.
            self._release(ledger_id, lease_until=now, reason=f"{type(exc).__name__}: {exc}")
            raise
        return self._sent(request, report, post_id, now, text, fanned, "")

    # --- steps ---------------------------------------------------------------------------
    def _wait_if_held(self, entry: Mapping[str, Any], now: datetime) -> None:
        if entry.get("state") == CLAIMED and entry.get("lease_until") and entry["lease_until"] > now:
            raise NotYet(entry["lease_until"], "claimed by another delivery")
        if entry.get("state") == DEFERRED and entry.get("not_before") and entry["not_before"] > now:
            raise NotYet(entry["not_before"], entry.get("reason") or "deferred", parked=True)

    def _skip_reason(
        self, request: ReplyRequest, report: Mapping[str, Any], answer: Mapping[str, Any]
    ) -> str:
        if not report.get("is_report") or not report.get("public"):
            return "not a public report"
        if request.event == ACKNOWLEDGED and report.get("needs_review"):
            return "needs review: the agency answers instead"
        if report.get("source") not in self.channels:
            return f"no reply channel for source {report.get('source')!r}"
        if reply_account(self.config.agencies, report.get("to_accounts") or ()) is None:
            return "replies are not enabled for the accounts it mentioned"
        if request.event == "responded" and not answer.get("response"):
            return "no response text"
        return ""

    def _text(
        self,
        request: ReplyRequest,
        report: Mapping[str, Any],
        answer: Mapping[str, Any],
        channel: channels.Channel,
    ) -> str:
        agency = self.config.agencies.get(answer.get("agency_id") or report["agency_id"])
        language = "en" if str(report.get("lang") or "").startswith("en") else "id"
        return compose(
            request.event,
            report["ticket"],
            agency.name if agency else str(report["agency_id"]),
            status_link(self.base_url, report["ticket"], language),
            answer.get("response") if request.event != ACKNOWLEDGED else None,
            report.get("lang"),
            channel.measure,
            channel.max_length,
        ).text

    def _fan_out(self, request: ReplyRequest, report: Mapping[str, Any]) -> int:
        """The agency answered one report of a cluster: every other one from a reply channel gets it."""
        if request.answer_of or not report.get("cluster_id"):
            return 0
        members = self.store.cluster_members(report["cluster_id"], FANOUT_LIMIT)
        count = 0
        for member in members:
            if member.get("id") == report["id"] or member.get("source") not in self.channels:
                continue
            self.republisher.republish(
                ReplyRequest(member["id"], request.event, request.requested_at, answer_of=report["id"])
            )
            count += 1
        return count

    def _entry(self, request: ReplyRequest, state: str, now: datetime, **fields: Any) -> dict[str, Any]:
        return {
            "report_id": request.report_id,
            "event": request.event,
            "state": state,
            "channel": None,
            "account": None,
            "post_id": None,
            "text_digest": None,
            "claimed_at": now,
            "sent_at": None,
            "attempts": 1 if state == CLAIMED else 0,
            "reason": "",
            "answer_of": request.answer_of,
            **fields,
        }

    def _record(
        self, request: ReplyRequest, found: tuple[dict, Any] | None, now: datetime, **fields: Any
    ) -> tuple[Any, dict[str, Any]]:
        """(None, the new entry) or (the update time to hold, the take-over's changes)."""
        state = fields.pop("state")
        if found is None:
            return None, self._entry(request, state, now, **fields)
        attempts = int(found[0].get("attempts") or 0) + (1 if state == CLAIMED else 0)
        return found[1], {**fields, "state": state, "claimed_at": now, "attempts": attempts}

    def _set(
        self, request: ReplyRequest, found: tuple[dict, Any] | None, now: datetime, **fields: Any
    ) -> bool:
        """Create the entry, or take it over (precondition: unchanged since we read it)."""
        update_time, record = self._record(request, found, now, **fields)
        if update_time is None:
            return self.store.create(request.ledger_id, record)
        return self.store.update(request.ledger_id, update_time, record)

    def _release(self, ledger_id: str, **changes: Any) -> None:
        self.store.update(ledger_id, None, changes)

    def _sent(
        self,
        request: ReplyRequest,
        report: Mapping[str, Any],
        post_id: str | None,
        now: datetime,
        text: str,
        fanned: int,
        reason: str,
    ) -> Outcome:
        report_changes: dict[str, Any] = {
            "history_entry": {
                "status": report.get("status"),
                "at": now,
                "by": "aduan",
                "note": f"dibalas di {report['source'].upper()}",
                "kind": "reply",
                "event": request.event,
            },
            "post_id": post_id,
        }
        if request.event == ACKNOWLEDGED and not report.get("acknowledged_at"):
            report_changes["acknowledged_at"] = now
        self.store.record_sent(
            request.ledger_id,
            {
                "state": SENT,
                "post_id": post_id,
                "sent_at": now,
                "reason": reason,
                "lease_until": None,
                "not_before": None,
            },
            request.report_id,
            report_changes,
        )
        return Outcome(SENT, request.ledger_id, post_id, reason, text, fanned)
