"""X (Twitter): mentions in, replies out.

Inbound, an X API v2 post becomes a ``Mention`` (``aduan.mention.from_x_post``, shared with
the fetcher). Outbound, a reply answers the citizen's post from the agency account it
mentioned; everyone else X would notify (other accounts the post mentioned) is excluded,
and the text is measured the way X counts it (twitter-text's v3 configuration, as
documented in "Counting characters": weight 1 for code points in four ranges — Latin-1 to
U+10FF, general punctuation up to the ZWJ, U+2010–U+201F, U+2032–U+2037 — weight 2 for
everything else, every URL 23 characters, NFC-normalised first, limit 280).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Protocol

from aduan.channels import Target
from aduan.mention import Mention, from_x_post

NAME = "x"
MAX_WEIGHTED_LENGTH = 280
URL_LENGTH = 23  # t.co: every URL counts the same, however long
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_URL = re.compile(r"https?://[^\s]+", re.IGNORECASE)


def weighted_length(text: str) -> int:
    """How long X counts ``text``: URLs 23 each, CJK and emoji code points 2, the rest 1."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    last = 0
    for match in _URL.finditer(text):
        total += _weight(text[last : match.start()]) + URL_LENGTH
        last = match.end()
    return total + _weight(text[last:])


def _weight(chunk: str) -> int:
    return sum(1 if any(lo <= ord(ch) <= hi for lo, hi in _LIGHT_RANGES) else 2 for ch in chunk)


class Poster(Protocol):
    """Posts on X as one agency account (``aduan.adapters.x_post.XPoster``)."""

    def create_reply(self, account: str, text: str, in_reply_to: str, exclude_user_ids: list[str]) -> str: ...


def inbound(
    post: Mapping[str, Any], includes: Mapping[str, Any], polled: set[str], fetched_at: str
) -> Mention:
    """An X API v2 post → the message contract."""
    return from_x_post(post, includes, polled, fetched_at)


class XChannel:
    name = NAME
    max_length = MAX_WEIGHTED_LENGTH

    def __init__(self, poster: Poster) -> None:
        self.poster = poster

    def measure(self, text: str) -> int:
        return weighted_length(text)

    def target(self, report: Mapping[str, Any], account: str, account_ids: Mapping[str, str]) -> Target:
        """Answer the citizen's post; exclude every other user the post mentioned (X would notify them).

        ``account_ids`` maps agency usernames (lower case) to numeric ids, for the agency accounts
        the post mentioned besides the answering one; ``mentioned_user_ids`` (from the post's
        entities) covers the rest. The citizen (the post's author) is never excluded.
        """
        author = str((report.get("author") or {}).get("id") or "")
        own = account_ids.get(account.lower(), "")
        others = [account_ids[a] for a in report.get("to_accounts") or () if a in account_ids]
        others += [str(u) for u in report.get("mentioned_user_ids") or ()]
        exclude = tuple(dict.fromkeys(u for u in others if u and u not in (author, own)))
        return Target(account=account, in_reply_to=str(report["source_id"]), exclude_user_ids=exclude)

    def send(self, target: Target, text: str) -> str:
        return self.poster.create_reply(
            target.account, text, target.in_reply_to, list(target.exclude_user_ids)
        )
