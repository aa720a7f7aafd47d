"""One-click unsubscribe (RFC 8058) links of the weekly digest: signed, scoped to agency and address.

The digest writes the link (``url``); the status page checks it (``verify``) before
it records an opt-out. The token is an HMAC of the agency and the lower-cased
address under the link-signing key, so a link opts out only the address it was
sent to, for that agency's digest, and cannot be made for another. It does not
expire: an old digest's link must still work, and it can only ever stop mail.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote, urlencode

TOKEN_CHARS = 32


def unsubscribe_token(key: str, agency_id: str, recipient: str) -> str:
    mac = hmac.new(key.encode(), f"unsubscribe|{agency_id}|{recipient.lower()}".encode(), hashlib.sha256)
    return mac.hexdigest()[:TOKEN_CHARS]


def path(agency_id: str) -> str:
    return f"/instansi/{quote(agency_id, safe='')}/berhenti"


def unsubscribe_url(base_url: str, key: str, agency_id: str, recipient: str) -> str:
    query = urlencode({"to": recipient, "t": unsubscribe_token(key, agency_id, recipient)})
    return f"{base_url}{path(agency_id)}?{query}"


def verify(key: str, agency_id: str, recipient: str, token: str) -> bool:
    """Constant-time: a wrong guess learns nothing from how long the refusal took."""
    expected = unsubscribe_token(key, agency_id, recipient)
    return hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace"))


def mask(address: str) -> str:
    """``l***@magelangkota.example.go.id``: enough for its owner to recognise, not to harvest."""
    user, _, domain = address.rpartition("@")
    if not user:
        return "***"
    return f"{user[0]}***@{domain}"
