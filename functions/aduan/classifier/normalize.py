"""Text clean-up and tokenising shared by every part of the classifier.

Posts are informal: slang ("bgt"), Javanese ("neng kali"), reduplication
("bolong2"), stretched letters ("parahhh"), fancy Unicode letters. Everything is
brought to lower-case ASCII-ish tokens so that one dictionary look-up per token
(and per n-gram) does the matching; no regex scans over the vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# Lone surrogates cannot be encoded; C0/C1 controls (except tab and newline) are
# invisible and can break consumers of public_text.
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_URL = re.compile(r"(?:https?://|www\.)\S*", re.IGNORECASE)
_HANDLE = re.compile(r"@(\w{1,50})")
_QUESTIONS = re.compile(r"\?+")  # a run of question marks is one "?" token
# Tokens are runs of [a-z0-9] and "?"s: in the UTF-8 bytes every other byte (each byte of a non-ASCII
# character too) becomes a space and bytes.split() cuts the tokens, three times quicker than re.findall.
_TOKEN_BYTES = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789?" else 32 for c in range(256))
_STRETCH = re.compile(r"(?:([a-z])\1)\1+")  # = ([a-z])\1{2,}, a third quicker in re
_REDUPLICATION = re.compile(r"^([a-z]{3,})2$")
_SPELLED: dict[str, str] = {}  # token as cut → as words() returns it (see _spelled)
_SPELLED_LIMIT, _SPELLED_LONGEST = 50_000, 40  # entries and token length kept: memory stays bounded


# _CONTROLS within ASCII, as bytes: an ASCII text (no surrogates) is cleaned in one C pass.
_ASCII_CONTROLS = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])


def clean(text: str) -> str:
    """Return ``text`` safe to store and show: no lone surrogates or control characters."""
    if text.isascii():
        return text.encode("ascii").translate(None, _ASCII_CONTROLS).decode("ascii")
    return _CONTROLS.sub("", _SURROGATES.sub("\ufffd", text))


def handles(text: str) -> list[str]:
    """The @handles in ``text``, lower-cased, in order."""
    return [h.lower() for h in _HANDLE.findall(text)]


def words(text: str) -> list[str]:
    """Lower-case word tokens of ``text`` without URLs and @handles.

    Stretched letters are shortened ("parahhh" → "parah") and Indonesian
    reduplication written with a 2 is undone ("bolong2" → "bolong"). A link
    becomes the token "url" and a question mark the token "?", so the
    vocabulary can use them as cues.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    if "http" in text or "www." in text:
        text = _URL.sub(" url ", text)
    if "@" in text:
        text = _HANDLE.sub(" ", text)
    if "?" in text:
        text = _QUESTIONS.sub(" ? ", text)
    cut = text.encode("utf-8", "surrogatepass").translate(_TOKEN_BYTES).decode("ascii").split()
    spelled = _SPELLED.get
    return [spelled(token) or _spelled(token) for token in cut]


def _spelled(token: str) -> str:
    """A token with stretched letters shortened and a reduplication's 2 dropped, remembered.

    Per token, not per text: a run of one letter never crosses a token's edge, so the result is
    the same, and most tokens of a post were seen before.
    """
    # A run at the token's start is an acronym or a sound ("pppk", "www", "mmm"), not a stretch
    # ("parahhh", "mantappp"): it stays.
    lead = len(token) - len(token.lstrip(token[0]))
    head = token[:lead] if lead >= 3 else ""
    out = head + _STRETCH.sub(r"\1", token[len(head) :])
    if out[-1] == "2":
        match = _REDUPLICATION.match(out)
        if match:
            out = match.group(1)
    if len(_SPELLED) < _SPELLED_LIMIT and len(token) <= _SPELLED_LONGEST:
        _SPELLED[token] = out
    return out


def standardise(tokens: list[str], forms: Mapping[str, str]) -> list[str]:
    """Replace each token by its standard form: slang, Javanese, inflections.

    ``forms`` maps a written token to what it stands for: one word, several
    words separated by spaces, or "" (a filler word that is dropped).
    """
    out: list[str] = []
    for token in tokens:
        replacement = forms.get(token)
        if replacement is None:
            out.append(token)
        elif " " in replacement:
            out.extend(replacement.split(" "))
        elif replacement:
            out.append(replacement)
    return out
