"""Deliver one alert to every channel of every agency it names, each at most once.

The ledger ``alerts/{cluster_id}`` holds the cluster's latest alert — its number, the
report that claimed it, when, and one entry per channel (an e-mail recipient or an
agency's webhook) ``pending`` → ``sent`` (or ``failed``). ``decide`` says what a report
may do with it: start the cluster's first alert; resume its own claim (a redelivery of
the same report); take over a claim whose owner died (older than ``LEASE``, channels
still pending); start the next alert once ``WINDOW`` has passed since the last one;
otherwise nothing — so a cluster alerts at most once in any hour, however many
citizens join it and however often each post is redelivered. A failed channel raises
``NotDelivered`` so Pub/Sub redelivers the post; the ledger counts each channel's attempts
and gives a channel up after ``MAX_CHANNEL_ATTEMPTS`` (logged), one short of the
subscription's dead-letter limit — the report itself is filed and will be in the digest,
and Pub/Sub's own attempt count does not reach a functions-framework CloudEvent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from aduan import actions
from aduan.alerts import compose, webhook
from aduan.alerts.policy import Alert, AlertChannels
from aduan.config import Config

LEASE = timedelta(seconds=90)
WINDOW = timedelta(hours=1)
PENDING, SENT, FAILED, GIVEN_UP = "pending", "sent", "failed", "given_up"
DONE = frozenset({SENT, GIVEN_UP})
MAX_CHANNEL_ATTEMPTS = 4
NEW, RESUME, TAKE_OVER, SKIP = "new", "resume", "take_over", "skip"


class NotDelivered(RuntimeError):
    """Some channel failed; the ledger keeps it pending for the next attempt."""


@dataclass(frozen=True)
class Claim:
    """What a report may send: the alert's number in its cluster and the channels still to send."""

    action: str  # NEW, RESUME, TAKE_OVER or SKIP
    number: int
    channels: tuple[str, ...]
    attempts: Mapping[str, int] = field(default_factory=dict)  # failed attempts so far, per channel

    def alert_id(self, cluster_id: str) -> str:
        return f"{cluster_id}-{self.number}"


class Ledger(Protocol):
    def claim(self, alert: Alert, channels: list[str], now: datetime) -> Claim:
        """Apply ``decide`` atomically (a second claimant of the same state gets SKIP)."""
        ...

    def mark(
        self, cluster_id: str, channel: str, state: str, now: datetime, detail: str = "", attempts: int = 0
    ) -> None: ...


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class Poster(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise unless the receiver answered 2xx."""
        ...


def decide(entry: Mapping[str, Any] | None, owner: str, channels: list[str], now: datetime) -> Claim:
    """What ``owner`` (a report id) may do with the cluster's ledger ``entry`` (None: no alert yet)."""
    if not entry:
        return Claim(NEW, 1, tuple(channels))
    number = int(entry.get("number") or 1)
    known = entry.get("channels") or {}
    pending = tuple(c for c in channels if (known.get(c) or {}).get("state") not in DONE)
    attempts = {c: int((known.get(c) or {}).get("attempts") or 0) for c in pending}
    if now - entry["claimed_at"] >= WINDOW:
        return Claim(NEW, number + 1, tuple(channels))
    if entry.get("owner") == owner:
        return Claim(RESUME if pending else SKIP, number, pending, attempts)
    if pending and now - entry["claimed_at"] >= LEASE:
        return Claim(TAKE_OVER, number, pending, attempts)
    return Claim(SKIP, number, ())


def mail_channel(agency_id: str, recipient: str) -> str:
    digest = hashlib.sha256(recipient.lower().encode()).hexdigest()[:12]
    return f"mail_{agency_id}_{digest}"


def webhook_channel(agency_id: str) -> str:
    return f"webhook_{agency_id}"


@dataclass
class Outcome:
    alert_id: str
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    given_up: list[str] = field(default_factory=list)
    skipped: bool = False


def deliver(
    alert: Alert,
    doc: Mapping[str, Any],
    config: Config,
    channels: AlertChannels,
    ledger: Ledger,
    mailer: Mailer,
    poster: Poster,
    now: datetime,
) -> Outcome:
    """Send what this report may send of ``alert``; raise NotDelivered if a channel failed."""
    planned: dict[str, tuple[str, Any]] = {}
    for agency_id in alert.agency_ids:
        agency = config.agencies.get(agency_id)
        if agency is None:
            continue
        action = (
            actions.action_url(channels.base_url, channels.link_key, alert.report_id, agency.id, now)
            if channels.link_key and agency.id == doc.get("agency_id")
            else None
        )
        content = compose.content(alert, doc, agency, config.taxonomy, channels.base_url, action)
        for recipient in agency.alert_recipients:
            planned[mail_channel(agency.id, recipient)] = ("mail", (content, recipient))
        if agency.webhook_url and channels.webhook_key:
            planned[webhook_channel(agency.id)] = ("webhook", (content, agency.webhook_url))
    claim = ledger.claim(alert, list(planned), now)
    alert_id = claim.alert_id(alert.cluster_id)
    outcome = Outcome(alert_id, skipped=claim.action == SKIP)
    for channel in claim.channels:
        kind, (content, target) = planned[channel]
        try:
            if kind == "mail":
                mailer.send(compose.email(content, alert_id, channels.sender, target, now))
            else:
                key = webhook.agency_key(channels.webhook_key, content.agency_id)
                payload = webhook.body(compose.webhook_payload(content, alert_id))
                poster.post(target, payload, webhook.headers(key, alert_id, payload, now))
        except Exception as exc:  # noqa: BLE001 - a failed channel stays pending for the retry
            detail = f"{type(exc).__name__}: {exc}"[:300]
            attempts = claim.attempts.get(channel, 0) + 1
            state = GIVEN_UP if attempts >= MAX_CHANNEL_ATTEMPTS else FAILED
            ledger.mark(alert.cluster_id, channel, state, now, detail, attempts)
            if state == GIVEN_UP:
                outcome.given_up.append(channel)
            else:
                outcome.failed[channel] = detail
            continue
        ledger.mark(alert.cluster_id, channel, SENT, now)
        outcome.sent.append(channel)
    if outcome.failed:
        raise NotDelivered(f"alert {alert_id}: {len(outcome.failed)} channel(s) failed")
    return outcome
