"""Masking personal data in a post before it is shown in public (DESIGN.md invariant 4).

Masked: NIK and KK numbers, phone numbers, e-mail addresses, vehicle plates and
the @handles of private persons. Patterns are deliberately broad (a masked
office phone costs nothing; a leaked NIK does) and linear in the text's length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASKS = {"email": "[email]", "nik": "[NIK/KK]", "phone": "[telepon]", "plate": "[nopol]", "handle": "@[akun]"}

# Naming conventions of government bodies, so their accounts stay readable even
# when the caller knows no agency list (config/vocabulary/redaction.yaml adds more).
PUBLIC_PREFIXES = (
    "pemkot",
    "pemkab",
    "pemprov",
    "humas",
    "bpbd",
    "dinas",
    "dishub",
    "disdukcapil",
    "polres",
    "polda",
)

_EMAIL = re.compile(r"[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 16 digits (NIK, KK), possibly grouped with spaces, dots or dashes.
_NIK = re.compile(r"(?<!\d)(?:\d[ .\-]?){15}\d(?!\d)")
# Mobile numbers: 08…, 62 8…, +62 8…; office numbers with an area code in
# brackets or followed by a dash: (024) 351 5871, 024-3515871.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\s?62|62|0)[\s.\-]?\(?8\d{1,2}\)?(?:[\s.\-]?\d{2,5}){2,4}(?!\d)"
    r"|\(0\d{2,3}\)[\s.\-]?\d{3,4}[\s.\-]?\d{2,5}(?!\d)"
    r"|(?<![\w+])0\d{2,3}-\d{6,8}(?!\d)"
)
# Indonesian plates: region letters, 1–4 digits, up to 3 letters ("H 1234 AB",
# "G1234XY"). Only known region codes, upper case, so "RT 05" or "S1" stay.
_REGIONS = [
    "AA",
    "AB",
    "AD",
    "AE",
    "AG",
    "B",
    "BA",
    "BB",
    "BD",
    "BE",
    "BG",
    "BH",
    "BK",
    "BL",
    "BM",
    "BN",
    "BP",
    "D",
    "DA",
    "DB",
    "DC",
    "DD",
    "DE",
    "DG",
    "DH",
    "DK",
    "DL",
    "DM",
    "DN",
    "DR",
    "DS",
    "DT",
    "E",
    "EA",
    "EB",
    "ED",
    "F",
    "G",
    "H",
    "K",
    "KB",
    "KH",
    "KT",
    "KU",
    "L",
    "M",
    "N",
    "P",
    "PA",
    "PB",
    "R",
    "S",
    "T",
    "W",
    "Z",
]
_PLATE = re.compile(
    r"(?<![\w])(?:" + "|".join(sorted(_REGIONS, key=len, reverse=True)) + r")"
    r"[ \-]?(?:\d{1,4}[ \-]?[A-Z]{1,3}|\d{3,4})(?![\w])"
)
_HANDLE = re.compile(r"(?<![\w@])@(\w{1,50})")


def redact(
    text: str,
    agency_handles: Iterable[str] = frozenset(),
    public_prefixes: Iterable[str] = PUBLIC_PREFIXES,
) -> str:
    """Return ``text`` with personal data replaced by bracketed labels (see MASKS).

    ``agency_handles`` (with or without "@", any case) and handles starting with
    one of ``public_prefixes`` are public bodies and stay.
    """
    public = {h.lower().lstrip("@") for h in agency_handles}
    prefixes = tuple(p.lower() for p in public_prefixes)

    def handle(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        return match.group(0) if name in public or name.startswith(prefixes) else MASKS["handle"]

    text = _EMAIL.sub(MASKS["email"], text)
    text = _NIK.sub(MASKS["nik"], text)
    text = _PHONE.sub(MASKS["phone"], text)
    text = _PLATE.sub(MASKS["plate"], text)
    return _HANDLE.sub(handle, text)
