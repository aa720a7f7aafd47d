"""Signed alert webhooks (HMAC-SHA256), the way an agency's bot or system can check them.

Each agency gets its own key, derived from Aduan's one webhook secret
(``ADUAN_WEBHOOK_SIGNING_KEY``) and the agency id, so one agency's receiver can never
forge another's alerts and only one secret needs rotating. Header:
``X-Aduan-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(agency key, "<t>.<body>")>``;
a receiver refuses a timestamp older than ``TOLERANCE_S`` (replays) and deduplicates
on ``X-Aduan-Delivery`` (the alert id; a retried delivery repeats it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

SIGNATURE_HEADER = "X-Aduan-Signature"
DELIVERY_HEADER = "X-Aduan-Delivery"
EVENT_HEADER = "X-Aduan-Event"
TOLERANCE_S = 300
SCHEMA = "aduan.alert/1"


class BadSignature(ValueError):
    pass


def agency_key(master_key: str, agency_id: str) -> str:
    """The key an agency's receiver verifies with (``python -m aduan.alerts key AGENCY`` prints it)."""
    return hmac.new(master_key.encode(), f"aduan.webhook/1|{agency_id}".encode(), hashlib.sha256).hexdigest()


def _mac(key: str, timestamp: int, body: bytes) -> str:
    return hmac.new(key.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def body(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def headers(key: str, alert_id: str, payload_body: bytes, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: f"t={timestamp},v1={_mac(key, timestamp, payload_body)}",
        DELIVERY_HEADER: alert_id,
        EVENT_HEADER: "alert",
    }


def verify(key: str, signature: str, payload_body: bytes, now: datetime) -> None:
    """Raise BadSignature unless ``signature`` is this body's, made within TOLERANCE_S of ``now``."""
    fields = dict(part.split("=", 1) for part in signature.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        raise BadSignature("no timestamp") from None
    if abs(now.timestamp() - timestamp) > TOLERANCE_S:
        raise BadSignature("timestamp outside the tolerance (replayed or clock skew)")
    if not hmac.compare_digest(_mac(key, timestamp, payload_body), fields.get("v1", "")):
        raise BadSignature("signature does not match")
