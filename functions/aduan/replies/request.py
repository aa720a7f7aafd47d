"""A reply request (``aduan.reply/1``): one message per reply event, no citizen data in it.

The message only names the report and the event; ``send_replies`` composes the text
from the report document when it sends (docs/contracts.md, topic ``replies``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aduan import names


def reply_request(report_id: str, event: str, now: datetime) -> tuple[bytes, dict[str, str]]:
    """The data and attributes of the request to reply to ``report_id`` for ``event``."""
    if event not in names.REPLY_EVENTS:
        raise ValueError(f"unknown reply event {event!r}; one of {', '.join(names.REPLY_EVENTS)}")
    if not report_id:
        raise ValueError("a reply request needs a report id")
    body = {
        "schema": names.REPLY_SCHEMA,
        "report_id": report_id,
        "event": event,
        "requested_at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    attributes = {"report_id": report_id, "event": event, "schema": names.REPLY_SCHEMA}
    return json.dumps(body, separators=(",", ":")).encode("utf-8"), attributes
