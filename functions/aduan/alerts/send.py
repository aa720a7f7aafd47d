"""Deliver one alert to every channel of every agency it names, each at most once.

The ledger (``alerts/{cluster}-{hour}``) holds one entry per channel — an e-mail
recipient or an agency's webhook — ``pending`` → ``sent`` (or ``failed``). The first
report to claim an alert owns it; a redelivery of that same report resumes its own
claim at once, another report of the cluster takes over only after ``LEASE`` (the
owner died), and a fully sent alert is never sent again. Failed channels raise
``NotDelivered`` so Pub/Sub retries; the caller gives up on the last attempt, since
the report itself is filed and will be in the digest.
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
PENDING, SENT, FAILED = "pending", "sent", "failed"


class NotDelivered(RuntimeError):
    """Some channel failed; the ledger keeps it pending for the next attempt."""


class Ledger(Protocol):
    def claim(self, alert: Alert, channels: list[str], now: datetime) -> list[str]:
        """The channels this report may send now (empty: sent already, or another claim is fresh)."""
        ...

    def mark(self, alert_id: str, channel: str, state: str, now: datetime, detail: str = "") -> None: ...


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class Poster(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise unless the receiver answered 2xx."""
        ...


def claimable(entry: Mapping[str, Any] | None, owner: str, now: datetime) -> bool:
    """Whether ``owner`` (a report id) may send the alert whose ledger entry is ``entry``."""
    if not entry:
        return True
    if entry.get("owner") == owner:
        return True
    return now - entry["claimed_at"] >= LEASE


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
    outcome = Outcome(alert.alert_id)
    mine = ledger.claim(alert, list(planned), now)
    outcome.skipped = not mine
    for channel in mine:
        kind, (content, target) = planned[channel]
        try:
            if kind == "mail":
                mailer.send(compose.email(content, channels.sender, target, now))
            else:
                key = webhook.agency_key(channels.webhook_key, content.agency_id)
                payload = webhook.body(compose.webhook_payload(content))
                poster.post(target, payload, webhook.headers(key, alert.alert_id, payload, now))
        except Exception as exc:  # noqa: BLE001 - a failed channel stays pending for the retry
            detail = f"{type(exc).__name__}: {exc}"[:300]
            ledger.mark(alert.alert_id, channel, FAILED, now, detail)
            outcome.failed[channel] = detail
            continue
        ledger.mark(alert.alert_id, channel, SENT, now)
        outcome.sent.append(channel)
    if outcome.failed:
        raise NotDelivered(f"alert {alert.alert_id}: {len(outcome.failed)} channel(s) failed")
    return outcome
