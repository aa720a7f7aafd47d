"""Signed links of the digest: one report's action link, and one recipient's work-queue link.

The weekly digest gives an agency a link per report; the link is its only
credential (no accounts), so the token inside it must be unforgeable (HMAC via
itsdangerous, key from Secret Manager), scoped (it names the report and the
agency, and the page refuses it once the report belongs to another agency),
short-lived (14 days from issue) and single-use (its ``token_id`` is written
into the history entry of the change it made; a second POST finds it there).
Opening a link never changes anything: mail scanners GET every link.

The work-queue link (``queue_url``) is signed under another salt, so neither kind of
token is ever accepted as the other. It names the agency and the recipient it was
sent to (as a digest of the address, never the address) and lives 14 days too. It
acts on many reports and many times, so it is not single-use itself: each POST of
the queue page carries a form token (``form_token``) bound to the queue token, and
each report change made by one form is single-use (``change_id``), so a replayed
bulk POST changes nothing twice.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

LIFETIME = timedelta(days=14)
SALT = "aduan.action/1"
PATH = "/tindak/"
QUEUE_SALT = "aduan.queue/1"
QUEUE_PATH = "/antrian/"
FORM_SALT = "aduan.queue-form/1"
FORM_LIFETIME = timedelta(hours=12)  # a queue page left open over a working day still submits

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


def _serializer(key: str, salt: str = SALT) -> URLSafeSerializer:
    if not key:
        raise ValueError("the link signing key is empty")
    return URLSafeSerializer(key, salt=salt, signer_kwargs={"digest_method": hashlib.sha256})


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


def _load(token: str, key: str, salt: str, fields: tuple[str, ...], lifetime: timedelta, now: datetime):
    """The payload of a genuine token with ``fields``, and its issue and expiry times."""
    try:
        payload = _serializer(key, salt).loads(token)
    except BadSignature:
        raise TokenRefused(FORGED) from None
    if not isinstance(payload, dict) or any(f not in payload for f in fields):
        raise TokenRefused(FORGED)
    try:
        issued_at = datetime.fromtimestamp(int(payload["t"]), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise TokenRefused(FORGED) from None
    expires_at = issued_at + lifetime
    if now >= expires_at:
        raise TokenRefused(EXPIRED)
    return payload, issued_at, expires_at


def verify(token: str, key: str, now: datetime) -> Grant:
    """The grant of a genuine, unexpired token; raises TokenRefused otherwise.

    Scope (is the report still this agency's?) and reuse need the report, so the caller checks them.
    """
    payload, issued_at, expires_at = _load(token, key, SALT, ("r", "a", "t", "j"), LIFETIME, now)
    return Grant(str(payload["r"]), str(payload["a"]), str(payload["j"]), issued_at, expires_at)


# --------------------------------------------------------------------------- the work queue


@dataclass(frozen=True)
class QueueGrant:
    """What a queue token allows: listing and changing ``agency_id``'s open reports until ``expires_at``."""

    agency_id: str
    recipient: str  # digest of the address the link was sent to (who acted, without the address)
    token_id: str
    issued_at: datetime
    expires_at: datetime

    def for_report(self, report_id: str, nonce: str) -> Grant:
        """The single-report grant one queue form gives for ``report_id`` (its own single-use id)."""
        return Grant(
            report_id,
            self.agency_id,
            change_id(self.token_id, nonce, report_id),
            self.issued_at,
            self.expires_at,
        )


def recipient_tag(recipient: str) -> str:
    return hashlib.blake2b(recipient.strip().lower().encode(), digest_size=6).hexdigest()


def queue_url(base_url: str, key: str, agency_id: str, recipient: str, now: datetime) -> str:
    """The digest's one link to ``agency_id``'s work queue, for one recipient, valid 14 days."""
    issued = int(now.timestamp())
    tag = recipient_tag(recipient)
    jti = hashlib.blake2b(f"queue|{agency_id}|{tag}|{issued}".encode(), digest_size=9).hexdigest()
    token = _serializer(key, QUEUE_SALT).dumps({"a": agency_id, "m": tag, "t": issued, "j": jti})
    return f"{base_url.rstrip('/')}{QUEUE_PATH}{token}"


def verify_queue(token: str, key: str, now: datetime) -> QueueGrant:
    payload, issued_at, expires_at = _load(token, key, QUEUE_SALT, ("a", "m", "t", "j"), LIFETIME, now)
    return QueueGrant(str(payload["a"]), str(payload["m"]), str(payload["j"]), issued_at, expires_at)


def form_token(key: str, grant: QueueGrant, now: datetime) -> str:
    """A fresh token for one rendering of the queue's form: bound to the queue token, random nonce.

    A cross-site page that knows (or guesses) nothing but the queue link cannot make one,
    and the nonce names the form's changes, so posting the same form twice changes nothing twice.
    """
    payload = {"q": grant.token_id, "n": secrets.token_urlsafe(12), "t": int(now.timestamp())}
    return _serializer(key, FORM_SALT).dumps(payload)


def verify_form(token: str, key: str, grant: QueueGrant, now: datetime) -> str:
    """The form's nonce; TokenRefused(FORGED) unless made for this queue token, EXPIRED when too old."""
    payload, issued_at, _ = _load(token, key, FORM_SALT, ("q", "n", "t"), FORM_LIFETIME, now)
    if payload["q"] != grant.token_id or issued_at > now + timedelta(minutes=5):
        raise TokenRefused(FORGED)
    return str(payload["n"])


def change_id(queue_token_id: str, nonce: str, report_id: str) -> str:
    return hashlib.blake2b(f"{queue_token_id}|{nonce}|{report_id}".encode(), digest_size=9).hexdigest()
