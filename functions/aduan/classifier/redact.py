"""Masking personal data in a post before it is shown in public (DESIGN.md invariant 4).

Masked: NIK and KK numbers, phone numbers, e-mail addresses, vehicle plates and
every @handle (or account in a profile link: x.com/budi_s/…) that is not a listed
public account. Patterns are deliberately broad (a masked office phone costs
nothing; a leaked NIK does), numbers written side by side are masked whole, and
every pattern is linear in the text's length.

Writing variants must not get around a pattern, so the patterns never see the
text as written: they run on a *folded* copy in which every kind of space (NBSP,
tab, newline, ideographic space) is one ASCII space, full-width and other
compatibility forms are their ASCII letters, digits and signs (``＠``, ``０８１２``),
digits of any script are ASCII digits, every dash is ``-``, and invisible format
characters (zero-width space, soft hyphen, bidi marks) are gone. A match on the
folded copy masks the span it came from in the original text.

Handles: only accounts listed exactly are public (the agencies' own, from
``config/agencies.yaml``, and ``public_handles`` in
``config/vocabulary/redaction.yaml``). Name prefixes are no rule: anyone can
register ``@humasbudi``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import lru_cache

MASKS = {
    "email": "[email]",
    "nik": "[NIK/KK]",
    "phone": "[telepon]",
    "plate": "[nopol]",
    "handle": "@[akun]",
    "profile": "[akun]",
}

# Characters that separate a number's groups as people write them: "3374 0123", "0812-3456",
# "0812/3456", "3374_0123", "3374,0123", "0812 - 3456" (up to three of them in a row).
_SEP = r"[ .\-/_,:]{0,3}"
_EMAIL = r"(?<![\w.%+\-])[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[\w\-]{2,}"
# 16 digits (NIK, KK), in any grouping. \d(?<!\d\d) is (?<!\d)\d with the digit first: re skips to digits.
_NIK = r"\d(?<!\d\d)(?:" + _SEP + r"\d){15}(?!\d)"
# Phones. Mobile: 08…, 62 8…, +62 8…, 0062 8…, (+62) 8…, "wa0812…" (a letter before is no boundary).
# Any number after +62 / 0062 (office lines abroad-style: +62 24 351 5871). Office numbers with the
# area code in brackets or followed by a separator: (024) 351 5871, 024-3515871, 024 / 351 5871.
_INTL = r"(?:\+ ?|00 ?)62"
_PSEP = r"[ .\-/_,:()]{0,3}"  # brackets too: "(0812) 3456", "(+62)812"
_PHONE = "|".join(
    (
        # mobile: 8 and 7 to 12 more digits, grouped any way, after 0, 62, +62 or 0062
        rf"(?<!\d)\(?(?:{_INTL}|62|0){_PSEP}8(?:{_PSEP}\d){{7,12}}(?!\d)",
        # anything else dialled from abroad: +62 24 351 5871
        rf"(?<!\d)\(?{_INTL}{_PSEP}[1-9](?:{_PSEP}\d){{5,12}}(?!\d)",
        # office lines with the area code in brackets or followed by a separator
        rf"(?<!\d)\( ?0\d{{2,3}} ?\){_SEP}\d{{3,4}}{_SEP}\d{{2,5}}(?!\d)",
        r"(?<!\d)0[1-9]\d{1,2} ?[\-/.] ?\d{3,4}[ \-.]?\d{2,5}(?!\d)",
    )
)
# Indonesian plates: a region code, 1–4 digits and up to 3 letters ("H 1234 AB", "G1234XY", "h.1234.ab"),
# or a region code and 3–4 digits. Letters in any case; a lower-case word that merely follows a number
# ("S1 dan D3", "e 10 kg") is not read as a plate's letters. Plates are found at every start, overlaps
# included: in "AA100 AA 1A" the first plate's letters are the second's region.
_REGIONS = frozenset(
    [
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
)
_NOT_PLATE_LETTERS = "dan|di|ke|yg|ya|dr|km|kg|rb|jt|sd|rt|rw|no|jl|gg|wib|jam|thn|org|kali"
# The region is checked against _REGIONS in code (an alternation of 55 codes is slow to scan).
_PLATE = (
    r"(?<![^\W_])(?P<region>[A-Za-z]{1,2})(?=[ .\-]{0,2}\d)[ .\-]{0,2}"
    r"(?:\d{1,4}[ .\-]{0,2}(?!(?:" + _NOT_PLATE_LETTERS + r")(?![A-Za-z]))[A-Za-z]{1,3}|\d{3,4})"
    r"(?![^\W_])"
)
# "@" first, then "not after another @": the same as (?<!@)@, but a literal start lets re skip to each "@".
_HANDLE = r"@(?<!@@)(?P<name>\w+)"
# A profile link names its account without an "@": x.com/budi_s/status/…, instagram.com/budi.s
_PROFILE = (
    r"(?<![\w.\-])(?i:(?:www\.|mobile\.|m\.)?(?:x|twitter|instagram|facebook|fb|tiktok|threads)\.(?:com|net))"
    r"/@?(?P<name>[A-Za-z0-9_.]{1,50})"
)
# First path segments of those sites that are pages, not accounts.
_NOT_ACCOUNTS = frozenset(
    {"i", "home", "search", "explore", "hashtag", "intent", "share", "settings", "p", "reel"}
)
_NUMBER_MASKS = (MASKS["nik"], MASKS["phone"])
# Digits joined by the separators a number's groups use (see _widened).
# A digit glued to a word ("anak2", "2x") is not part of a number written beside another.
# The digit comes before its "no letter before" check (\d(?<!…\d) is (?<!…)\d) so re skips to digits.
_RUN = re.compile(r"\d(?<![^\W\d_]\d)(?:[ .\-/_,:()+]{0,3}\d)*(?![^\W\d_])")
# The first digit of each run of digits: where a plate's number starts (see _plates).
_RUN_START = re.compile(r"\d(?<!\d\d)")
# Cheap tests that a pass can match at all; each is implied by its pattern, so a text that fails one
# has no match of that kind. Most posts have no e-mail address, no profile link and no long number.
_EMAIL_HINT = re.compile(r"@(?<=[\w.%+\-]@)[\w\-]")  # the characters on either side of an address's "@"
_PROFILE_HINT = re.compile(r"(?i)\.(?:com|net)/")  # same flags as _PROFILE's site part
_DIGITS = "0123456789"  # fold() turns every decimal digit into one of these
# Fewest digits in a match: 16 for NIK/KK; 8 for a phone (0 8 and seven more, 62 + 1 + 5, 3 + 3 + 2).
_MIN_DIGITS = {"email": 0, "nik": 16, "phone": 8, "plate": 1, "handle": 0, "profile": 0}
# One pass per kind; on overlaps the earlier span wins, and the earlier kind at the same start. Where a
# pattern does not start with a literal or a digit, a one-character look-ahead lets the scan skip ahead.
_PASSES = tuple(
    (kind, re.compile(pattern), _MIN_DIGITS[kind])
    for kind, pattern in (
        ("email", rf"(?=[\w.%+\-])(?P<whole>{_EMAIL})"),
        ("nik", rf"(?P<whole>{_NIK})"),
        ("phone", rf"(?=[(+0-9])(?P<whole>{_PHONE})"),
        # plates overlap: the pattern is tried at each candidate start (see _plates), matching nothing
        ("plate", rf"(?=[A-Za-z])(?=(?P<whole>{_PLATE}))"),
        ("handle", rf"(?P<whole>{_HANDLE})"),
        ("profile", rf"(?=[A-Za-z])(?P<whole>{_PROFILE})"),
    )
)


def _plates(folded: str, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """Plate matches at every start, as finditer on the empty-width pattern finds them, but tried only
    where one can start: a plate's region is 1–2 letters and 0–2 separators, so it starts 1–4 characters
    before the first digit of a run of digits."""
    tried = -1
    for run in _RUN_START.finditer(folded):
        digit = run.start()
        for start in range(max(tried + 1, digit - 4), digit):
            match = pattern.match(folded, start)
            if match:
                yield match
        tried = digit - 1


# Punctuation that reads as a dot or a slash between a number's groups, beyond what NFKC folds.
_DOTS = "\u00b7\u2022\u2027\u2219\u22c5\u30fb\u3002\uff61"
_SLASHES = "\u2044\u2215\u29f8"


class _Folding(dict):
    """``str.translate`` table built lazily: each character seen once is folded once (see module doc)."""

    def __missing__(self, code: int) -> str:
        value = _fold(chr(code))
        if len(self) < 200_000:
            self[code] = value
        return value


def _fold(char: str) -> str:
    if char.isspace() or unicodedata.category(char) in ("Zs", "Zl", "Zp"):
        return " "
    if unicodedata.category(char) == "Cf":
        return ""
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        folded = char
    digit = unicodedata.decimal(folded, None)
    if digit is not None:
        return str(digit)
    if folded in _DOTS:
        return "."
    if folded in _SLASHES:
        return "/"
    if folded == "\u2212" or unicodedata.category(folded) == "Pd":
        return "-"
    return folded


_FOLDING = _Folding()
_UNPRINTABLE_ASCII = re.compile(r"[^ -~]+")  # what fold() looks up: everything but " " to "~"


def _fold_run(run: re.Match[str]) -> str:
    return run.group().translate(_FOLDING)


def fold(text: str) -> tuple[str, list[int] | None]:
    """The folded copy of ``text`` and, when characters were dropped, each folded character's index in ``text``."""
    # Printable ASCII folds to itself, so beyond ASCII only the runs of other characters are looked up
    # (translate looks up every character of a text that is not all ASCII: three times slower).
    folded = text.translate(_FOLDING) if text.isascii() else _UNPRINTABLE_ASCII.sub(_fold_run, text)
    if len(folded) == len(text):
        return folded, None
    return folded, [i for i, char in enumerate(text) if _FOLDING[ord(char)]]


def public_names(handles: Iterable[str]) -> frozenset[str]:
    """Account names as the redactor compares them: without "@", folded, case-folded."""
    return frozenset(fold(h)[0].strip().lstrip("@").casefold() for h in handles)


_public_names = lru_cache(maxsize=16)(public_names)


def redact(text: str, public_handles: Iterable[str] = frozenset()) -> str:
    """Return ``text`` with personal data replaced by bracketed labels (see MASKS).

    ``public_handles`` (with or without "@", any case) are the only accounts that stay;
    a frozenset is normalised once and remembered (the callers pass the same one every time).
    """
    if isinstance(public_handles, frozenset):
        public = _public_names(public_handles)
    else:
        public = public_names(public_handles)
    folded, index = fold(text)
    digits = sum(map(folded.count, _DIGITS))
    spans: list[tuple[int, int, int, str]] = []
    for order, (kind, pattern, fewest) in enumerate(_PASSES):
        if digits < fewest or not _may_match(kind, folded):
            continue
        for match in _plates(folded, pattern) if kind == "plate" else pattern.finditer(folded):
            if kind in ("handle", "profile") and match["name"].casefold().rstrip(".") in public:
                continue
            if kind == "profile" and match["name"].casefold() in _NOT_ACCOUNTS:
                continue
            if kind == "plate" and match["region"].upper() not in _REGIONS:
                continue
            group = "name" if kind == "profile" else "whole"
            spans.append((match.start(group), order, match.end(group), MASKS[kind]))
    if not spans:
        return text
    if any(mask in _NUMBER_MASKS for *_, mask in spans):
        spans = _widened(folded, spans)
    out: list[str] = []
    written = 0  # in the original text
    for start, end, mask in _merged(spans):
        if index is not None:
            start, end = index[start], index[end - 1] + 1
        out += (text[written:start], mask)
        written = end
    out.append(text[written:])
    return "".join(out)


def _may_match(kind: str, folded: str) -> bool:
    """False when ``folded`` lacks what every match of ``kind`` contains (see the hints above)."""
    if kind == "email":
        return _EMAIL_HINT.search(folded) is not None
    if kind == "handle":
        return "@" in folded
    if kind == "profile":
        return _PROFILE_HINT.search(folded) is not None
    return True


def _widened(folded: str, spans: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """Widen each number's span to every digit joined to it by separators: numbers written side by side
    ("0812 3456 7890 3374 0123 …") are masked whole, never a NIK's tail shown after a phone's mask."""
    runs = [run.span() for run in _RUN.finditer(folded)]
    starts = [first for first, _ in runs]
    out = []
    for start, order, end, mask in spans:
        if mask in _NUMBER_MASKS:
            i = max(0, bisect_right(starts, start) - 1)
            while i < len(runs) and runs[i][0] < end:
                if start < runs[i][1]:
                    start, end = min(start, runs[i][0]), max(end, runs[i][1])
                i += 1
        out.append((start, order, end, mask))
    return out


def _merged(spans: list[tuple[int, int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans as one mask, labelled by the one that starts first (the earlier kind on a tie)."""
    merged: list[tuple[int, int, str]] = []
    for start, _, end, mask in sorted(spans):
        if merged and start < merged[-1][1]:
            first, last, label = merged[-1]
            merged[-1] = (first, max(last, end), label)
        else:
            merged.append((start, end, mask))
    return merged
