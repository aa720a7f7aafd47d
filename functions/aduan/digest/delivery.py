"""Idempotent sending: each recipient gets a week's digest once, however often the job runs.

The ledger (``digests/{agency}-{week}``) records per recipient ``sending`` → ``sent``
(or ``failed``). A run first *claims* the recipients it will send to, in one
transaction, so of two concurrent runs only one sends to each; a retry claims only
recipients not yet sent. A claim older than ``LEASE`` is taken over: the run that
held it died, possibly after sending — then the resend carries the same
Message-ID (``mime.message_id``), which mail systems use to drop duplicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

LEASE = timedelta(minutes=15)
SENT, SENDING, FAILED = "sent", "sending", "failed"


def recipient_key(agency_id: str, week: str, recipient: str) -> str:
    """A recipient's key in the ledger (a Firestore map key cannot hold an address's dots)."""
    return hashlib.sha256(f"{agency_id}|{week}|{recipient.lower()}".encode()).hexdigest()[:16]


class Transport(Protocol):
    """Hands one message to a mail server; raises on any failure."""

    def send(self, message: EmailMessage) -> None: ...


class Ledger(Protocol):
    def claim(
        self, agency_id: str, week: str, recipients: Sequence[str], run_id: str, now: datetime
    ) -> list[str]:
        """The recipients this run may send to now (atomic with respect to other runs)."""
        ...

    def mark(
        self, agency_id: str, week: str, recipient: str, state: str, now: datetime, detail: str = ""
    ) -> None: ...


def claimable(entry: Mapping | None, run_id: str, now: datetime) -> bool:
    """Whether a recipient's ledger entry lets this run send: never when sent or freshly claimed by another."""
    if not entry:
        return True
    if entry.get("state") == SENT:
        return False
    if entry.get("state") == SENDING and entry.get("run_id") != run_id:
        return now - entry["claimed_at"] >= LEASE
    return True


@dataclass
class Outcome:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def deliver(
    agency_id: str,
    week: str,
    messages: Mapping[str, EmailMessage],
    ledger: Ledger,
    transport: Transport,
    run_id: str,
    now: datetime,
) -> Outcome:
    """Send each message whose recipient this run could claim; record every result."""
    outcome = Outcome()
    mine = set(ledger.claim(agency_id, week, list(messages), run_id, now))
    for recipient, message in messages.items():
        if recipient not in mine:
            outcome.skipped.append(recipient)
            continue
        try:
            transport.send(message)
        except Exception as exc:  # noqa: BLE001 - any failure leaves the recipient for the retry
            detail = f"{type(exc).__name__}: {exc}"[:500]
            ledger.mark(agency_id, week, recipient, FAILED, now, detail)
            outcome.failed[recipient] = detail
            continue
        ledger.mark(agency_id, week, recipient, SENT, now, message["Message-ID"])
        outcome.sent.append(recipient)
    return outcome
