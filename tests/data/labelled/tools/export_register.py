"""Turn a post into the "exported" register of other complaint systems (issue 10, pattern 7).

Systems that hand complaints on (LAPOR! exports, spreadsheets, older triage tools)
lower-case the text, strip punctuation, sometimes stem it and replace numbers by a
token. The labelled corpus holds such posts so the classifier is measured on them;
this module makes the transformation reproducible: the variant is chosen from the
post's id, never at random.
"""

from __future__ import annotations

import hashlib
import re

# Crude Indonesian affix stripping, like the stemmers other systems run before export.
_PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "pem", "pen", "di", "ber", "ter", "ke", "se")
_SUFFIXES = ("nya", "kan", "lah", "kah", "an", "i")
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_PUNCT = re.compile(r"[^\w\s<>]|_", re.UNICODE)
_BRACKET_PUNCT = re.compile(r"[^\w\s\[\]]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")

VARIANTS = ("plain", "angka", "num-stem", "bracket")


def variant_for(post_id: str) -> str:
    """The export variant of one post, fixed by its id."""
    digest = hashlib.sha256(post_id.encode("utf-8")).digest()
    return VARIANTS[digest[0] % len(VARIANTS)]


def _stem(word: str) -> str:
    if len(word) < 6 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            return word[len(prefix) :]
    return word


def export_text(text: str, variant: str) -> str:
    """The text as the named export variant writes it."""
    out = text.lower()
    if variant == "angka":
        out = _NUMBER.sub(" <angka> ", out)
    elif variant == "num-stem":
        out = _NUMBER.sub(" NUM ", out)
    elif variant == "bracket":
        out = _NUMBER.sub(" [angka] ", out)
    out = _BRACKET_PUNCT.sub(" ", out) if variant == "bracket" else _PUNCT.sub(" ", out)
    words = _SPACE.sub(" ", out).strip().split(" ")
    if variant == "num-stem":
        words = [w if w == "NUM" else _stem(w) for w in words]
    return " ".join(words)


def export_pii(pii: list[dict], text: str, variant: str) -> list[dict]:
    """The personal data that survive the export, as they now appear in the exported text.

    Numbers replaced by a token are gone; e-mail addresses and handles lose the
    punctuation that made them one and are no longer labelled.
    """
    kept = []
    for item in pii:
        if item["kind"] in ("email", "handle"):
            continue
        value = export_text(item["value"], variant)
        if re.search(r"\d", value) and value in text:
            kept.append({"kind": item["kind"], "value": value})
    return kept
