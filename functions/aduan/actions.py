"""Signed action links: one report, one agency, 14 days, one change.

The weekly digest gives an agency a link per report; the link is its only
credential (no accounts), so the token inside it must be unforgeable (HMAC via
itsdangerous, key from Secret Manager), scoped (it names the report and the
agency, and the page refuses it once the report belongs to another agency),
short-lived (14 days from issue) and single-use (its ``token_id`` is written
into the history entry of the change it made; a second POST finds it there).
Opening a link never changes anything: mail scanners GET every link.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

LIFETIME = timedelta(days=14)
SALT = "aduan.action/1"
PATH = "/tindak/"

FORGED = "forged"
EXPIRED = "expired"


class TokenRefused(Exception):
    """A token that must change nothing; ``reason`` is FORGED or EXPIRED."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Grant:
    """What a valid token allows: acting once on ``report_id`` as ``agency_id`` until ``expires_at``."""

    report_id: str
    agency_id: str
    token_id: str
    issued_at: datetime
    expires_at: datetime


def _serializer(key: str) -> URLSafeSerializer:
    if not key:
        raise ValueError("the link signing key is empty")
    return URLSafeSerializer(key, salt=SALT, signer_kwargs={"digest_method": hashlib.sha256})


def _token_id(report_id: str, agency_id: str, issued: int) -> str:
    """Deterministic, so re-rendering a digest gives the same links."""
    return hashlib.blake2b(f"{report_id}|{agency_id}|{issued}".encode(), digest_size=9).hexdigest()


def make_token(key: str, report_id: str, agency_id: str, now: datetime) -> str:
    issued = int(now.timestamp())
    payload = {"r": report_id, "a": agency_id, "t": issued, "j": _token_id(report_id, agency_id, issued)}
    return _serializer(key).dumps(payload)


def action_url(base_url: str, key: str, report_id: str, agency_id: str, now: datetime) -> str:
    """The link the digest puts beside a report for ``agency_id``."""
    return f"{base_url.rstrip('/')}{PATH}{make_token(key, report_id, agency_id, now)}"


def verify(token: str, key: str, now: datetime) -> Grant:
    """The grant of a genuine, unexpired token; raises TokenRefused otherwise.

    Scope (is the report still this agency's?) and reuse need the report, so the caller checks them.
    """
    try:
        payload = _serializer(key).loads(token)
    except BadSignature:
        raise TokenRefused(FORGED) from None
    fields = ("r", "a", "t", "j")
    if not isinstance(payload, dict) or any(f not in payload for f in fields):
        raise TokenRefused(FORGED)
    issued_at = datetime.fromtimestamp(int(payload["t"]), UTC)
    expires_at = issued_at + LIFETIME
    if now >= expires_at:
        raise TokenRefused(EXPIRED)
    return Grant(str(payload["r"]), str(payload["a"]), str(payload["j"]), issued_at, expires_at)
