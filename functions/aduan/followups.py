"""Follow-ups: a citizen's reply in the thread of a report belongs to that report — pure.

A post is a follow-up of a report when it replies to one of Aduan's replies to it
(``referenced`` ``replied_to`` ∈ the report's ``reply_post_ids``), or when the report's
own author writes again in the report's conversation. It is recorded in the report's
history (``kind: follow_up``), never filed as a report. After ``selesai`` a follow-up
saying it is not fixed reopens the report; one that confirms is recorded as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from aduan import report as r
from aduan.mention import Mention

NOT_FIXED, CONFIRMED = "not_fixed", "confirmed"
NOTE_CHARS = 280
# Indonesian, Javanese and English ways to say "still not fixed" / "fixed, thanks".
_NOT_FIXED = re.compile(
    r"\b(belum|blm|blum|durung|drung|urung|isih|masih|msh|sama\s+(saja|aja|wae)|podo\s+(wae|ae)|"
    r"padha\s+wae|tetap|tetep|ga+k?\s+ada\s+perubahan|tidak\s+ada\s+perubahan|ora\s+ana\s+owah|"
    r"kambuh|rusak\s+lagi|mati\s+lagi|banjir\s+lagi|not\s+(yet\s+)?fixed|still|nothing\s+changed)\b",
    re.IGNORECASE,
)
_CONFIRMED = re.compile(
    r"\b(sudah|udah|udh|sdh|wis|wes|sampun)\s+(beres|selesai|bagus|normal|diperbaiki|dibenerin|bener|"
    r"mulus|nyala|lancar|diangkut|bersih|apik|rampung|dandan)|\b(makasih|terima\s*kasih|trims|"
    r"matur\s+(nuwun|suwun)|suwun|thanks|thank\s+you|fixed|mantap)\b",
    re.IGNORECASE,
)
_QUESTION_ONLY = re.compile(r"\b(kapan|when)\b", re.IGNORECASE)


def verdict(text: str) -> str | None:
    """``not_fixed`` wins over thanks ("makasih, tapi masih rusak"); None: neither."""
    if _NOT_FIXED.search(text):
        return NOT_FIXED
    if _CONFIRMED.search(text) and not _QUESTION_ONLY.search(text):
        return CONFIRMED
    return None


def is_thread_reply(mention: Mention) -> bool:
    """Only a reply can be a follow-up: a post in someone's conversation, or replying to a post."""
    replied = any(ref.get("type") == "replied_to" for ref in mention.referenced)
    return replied or bool(mention.conversation_id and mention.conversation_id != mention.source_id)


def replied_to_ids(mention: Mention) -> list[str]:
    return [str(ref["id"]) for ref in mention.referenced if ref.get("type") == "replied_to" and ref.get("id")]


def parent_report(mention: Mention, candidates: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The report this post follows up, from candidates found by conversation or by Aduan's reply ids."""
    replied = set(replied_to_ids(mention))
    best = None
    for doc in candidates:
        if doc.get("id") == mention.report_id or doc.get("source") != mention.source:
            continue
        to_our_reply = bool(replied & set(doc.get("reply_post_ids") or ()))
        own_thread = (
            doc.get("conversation_id") == mention.conversation_id
            and str((doc.get("author") or {}).get("id")) == mention.author.id
        )
        if (to_our_reply or own_thread) and (best is None or doc["received_at"] < best["received_at"]):
            best = doc
    return best


def follow_up_changes(
    report: Mapping[str, Any], mention: Mention, public_text: str, now: datetime
) -> dict[str, Any] | None:
    """The report's new fields with the follow-up attached; None if this post is already attached."""
    history = list(report.get("history") or [])
    if any(h.get("source_id") == mention.source_id for h in history):
        return None
    said = verdict(mention.text)
    reopen = said == NOT_FIXED and report.get("status") == r.RESOLVED
    status = r.IN_PROGRESS if reopen else report["status"]
    history.append(
        {
            "status": status,
            "at": now,
            "by": "warga",
            "note": public_text[:NOTE_CHARS],
            "kind": "follow_up",
            "source_id": mention.source_id,
            "verdict": said,
        }
    )
    changes: dict[str, Any] = {
        "history": history,
        "follow_ups": int(report.get("follow_ups") or 0) + 1,
        "updated_at": now,
    }
    if reopen:
        changes.update(status=status, open=r.is_open(status), reopened_at=now)
    return changes
