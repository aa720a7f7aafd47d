"""Ticket codes: short, stable, case-insensitive and unambiguous to read aloud over the phone.

Eight Crockford base32 characters (no I, L, O, U) from a hash of the report id,
shown as ``K7Q2-9M4X``. 40 bits: a collision needs ~1 million reports for a 1 in
2 chance among *all* pairs, so the store still checks and the lookup keys on the
ticket field, not on the code alone.
"""

from __future__ import annotations

import hashlib

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def ticket_for(report_id: str) -> str:
    """The canonical 8-character code (no dash) of a report id."""
    number = int.from_bytes(hashlib.sha256(report_id.encode("utf-8")).digest()[:5], "big")
    chars = []
    for _ in range(LENGTH):
        number, digit = divmod(number, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def display(ticket: str) -> str:
    return f"{ticket[:4]}-{ticket[4:]}"


def normalize(typed: str) -> str | None:
    """What a citizen typed (any case, dashes, spaces, I/L/O mistaken for 1/0) → canonical code, or None."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_READ_AS)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned
