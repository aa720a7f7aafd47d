"""Replies to citizens on their channel: the ``aduan.reply/1`` request and its parsing.

A reply request names a report and an event, nothing else (no citizen data): the
text is composed by ``send_replies`` from the report document when it sends, so it
carries the current ticket, agency, response and link. Producers: ``classify_mention``
(``acknowledged``) and ``status_page`` (``responded``, ``resolved``, ``rejected``) —
both publish ``reply_request(...)`` to ``names.REPLIES_TOPIC``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aduan.mention import PoisonMessage
from aduan.names import REPLY_EVENTS, REPLY_SCHEMA, REPLY_SWEEP_SCHEMA

ACKNOWLEDGED, RESPONDED, RESOLVED, REJECTED = REPLY_EVENTS
_REPORT_ID = re.compile(r"^[a-z0-9]{1,16}-[A-Za-z0-9_.:-]{1,64}$")
MAX_REQUEST_BYTES = 4096
REQUESTED = "requested"  # ledger state: the change committed, the request may not have been published
REQUEST_GRACE = timedelta(minutes=2)  # the sweep re-publishes a request not taken within this


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ReplyRequest:
    report_id: str
    event: str
    requested_at: str
    # Fan-out: this report gets the answer given to ``answer_of`` (a report of the same cluster).
    answer_of: str | None = None

    @property
    def ledger_id(self) -> str:
        return f"{self.report_id}-{self.event}"

    def to_message(self) -> tuple[bytes, dict[str, str]]:
        body: dict[str, object] = {
            "schema": REPLY_SCHEMA,
            "report_id": self.report_id,
            "event": self.event,
            "requested_at": self.requested_at,
        }
        if self.answer_of:
            body["answer_of"] = self.answer_of
        data = json.dumps(body, separators=(",", ":")).encode("utf-8")
        return data, {"report_id": self.report_id, "event": self.event, "schema": REPLY_SCHEMA}


def reply_request(report_id: str, event: str, now: datetime) -> tuple[bytes, dict[str, str]]:
    """Pub/Sub data and attributes asking ``send_replies`` to answer ``report_id`` for ``event``.

    Publish them to ``names.REPLIES_TOPIC`` after the change that caused the event has committed;
    publishing twice is harmless (the ledger ``replies/{report_id}-{event}`` posts once).
    """
    if event not in REPLY_EVENTS:
        raise ValueError(f"unknown reply event {event!r} (one of {REPLY_EVENTS})")
    if not _REPORT_ID.match(report_id):
        raise ValueError(f"not a report id: {report_id!r}")
    return ReplyRequest(report_id, event, _iso(now)).to_message()


def requested_entry(report_id: str, event: str, now: datetime) -> dict[str, Any]:
    """The ledger entry ``replies/{report_id}-{event}`` written in the same commit as the change that
    asks for the reply (the outbox): if the publish after the commit is lost, the sweep finds the
    entry due at ``not_before`` and publishes the request again."""
    return {
        "report_id": report_id,
        "event": event,
        "state": REQUESTED,
        "channel": None,
        "account": None,
        "post_id": None,
        "text_digest": None,
        "claimed_at": None,
        "sent_at": None,
        "attempts": 0,
        "reason": "",
        "answer_of": None,
        "requested_at": now,
        "not_before": now + REQUEST_GRACE,
    }


def parse_reply_request(data: bytes) -> ReplyRequest:
    """Validate a ``replies`` message; PoisonMessage (with the reason) when it never can be processed."""
    if len(data) > MAX_REQUEST_BYTES:
        raise PoisonMessage(f"reply request of {len(data)} bytes exceeds {MAX_REQUEST_BYTES}")
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PoisonMessage(f"reply request is not UTF-8 JSON ({exc})") from None
    if not isinstance(body, dict):
        raise PoisonMessage("reply request must be a JSON object")
    if body.get("schema") != REPLY_SCHEMA:
        raise PoisonMessage(f"unknown schema {str(body.get('schema'))[:60]!r} (expected {REPLY_SCHEMA})")
    report_id, event = body.get("report_id"), body.get("event")
    if not isinstance(report_id, str) or not _REPORT_ID.match(report_id):
        raise PoisonMessage(f"field 'report_id' is not a report id: {str(report_id)[:80]!r}")
    if event not in REPLY_EVENTS:
        raise PoisonMessage(f"field 'event' must be one of {REPLY_EVENTS}, got {str(event)[:40]!r}")
    answer_of = body.get("answer_of")
    if answer_of is not None and (not isinstance(answer_of, str) or not _REPORT_ID.match(answer_of)):
        raise PoisonMessage("field 'answer_of' is not a report id")
    return ReplyRequest(report_id, event, str(body.get("requested_at") or ""), answer_of)


def sweep_request() -> tuple[bytes, dict[str, str]]:
    """The message that makes ``send_replies`` re-publish parked replies that are due (scheduled)."""
    return json.dumps({"schema": REPLY_SWEEP_SCHEMA}).encode(), {"schema": REPLY_SWEEP_SCHEMA}


def is_sweep(data: bytes) -> bool:
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(body, dict) and body.get("schema") == REPLY_SWEEP_SCHEMA
