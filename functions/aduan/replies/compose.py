"""The text of a reply: ticket, agency, the agency's answer and the status link — pure.

Indonesian first; English when the citizen wrote in English. The text is built from
the report document when the reply is sent, so it always carries the current agency
and response; it must fit the channel's limit as the channel counts it (X: 280, URLs
23), so only the agency's answer (and, in extremis, the agency name) is shortened.
The ticket is in every text: it makes each reply unique, which is what lets X's
"duplicate content" refusal prove that an earlier attempt was posted.
No @handle survives in an answer: a reply must notify nobody but the citizen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from aduan.names import REPLY_EVENTS
from aduan.ticket import display

ACKNOWLEDGED, RESPONDED, RESOLVED, REJECTED = REPLY_EVENTS
ELLIPSIS = "…"
_HANDLE = re.compile(r"[@＠](?=\w)")
_SPACE = re.compile(r"\s+")

# {ticket} {agency} {answer} {link}; the answer part is left out when there is no answer.
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "id": {
        ACKNOWLEDGED: (
            "Terima kasih, laporan Anda kami terima dengan tiket {ticket} dan diteruskan ke {agency}. "
            "Pantau statusnya di {link}",
            "",
        ),
        RESPONDED: ("Tanggapan {agency} untuk laporan {ticket}:{answer} Selengkapnya: {link}", " “{answer}”"),
        RESOLVED: (
            "Laporan {ticket} dinyatakan selesai oleh {agency}.{answer} Belum beres? Balas di utas ini. {link}",
            " “{answer}”",
        ),
        REJECTED: ("Laporan {ticket} ditolak oleh {agency}.{answer} Info: {link}", " Alasan: “{answer}”"),
    },
    "en": {
        ACKNOWLEDGED: (
            "Thank you, your report is filed as ticket {ticket} and sent to {agency}. Follow it at {link}",
            "",
        ),
        RESPONDED: ("{agency} answered report {ticket}:{answer} More: {link}", " “{answer}”"),
        RESOLVED: (
            "Report {ticket} was marked resolved by {agency}.{answer} Not fixed? Reply in this thread. {link}",
            " “{answer}”",
        ),
        REJECTED: ("Report {ticket} was rejected by {agency}.{answer} More: {link}", " Reason: “{answer}”"),
    },
}


@dataclass(frozen=True)
class Composed:
    text: str
    language: str
    shortened: bool


def language_of(post_lang: str | None) -> str:
    """X's ``lang`` of the citizen's post → the reply's language."""
    return "en" if (post_lang or "").lower().startswith("en") else "id"


def clean_answer(text: str | None) -> str:
    """One line, no @mentions (X would notify them): the agency's public, redacted answer."""
    return _SPACE.sub(" ", _HANDLE.sub("", text or "")).strip()


def compose(
    event: str,
    ticket: str,
    agency: str,
    link: str,
    answer: str | None,
    post_lang: str | None,
    measure: Callable[[str], int],
    limit: int,
) -> Composed:
    """The reply for ``event``; shortens the answer (then the agency name) to fit ``limit``."""
    language = language_of(post_lang)
    body, answer_part = TEMPLATES[language][event]
    answer_text = clean_answer(answer)
    agency = clean_answer(agency)

    def render(answer_cut: str, agency_cut: str) -> str:
        part = answer_part.format(answer=answer_cut) if answer_part and answer_cut else ""
        return body.format(ticket=display(ticket), agency=agency_cut, answer=part, link=link)

    text = render(answer_text, agency)
    if measure(text) <= limit:
        return Composed(text, language, False)
    cut = _longest_fit(answer_text, lambda a: measure(render(a, agency)) <= limit)
    if cut is not None:
        return Composed(render(cut, agency), language, True)
    cut = _longest_fit(agency, lambda a: measure(render("", a)) <= limit)
    if cut is not None:
        return Composed(render("", cut), language, True)
    raise ValueError(f"a {event} reply cannot fit {limit} characters")


def _longest_fit(source: str, fits: Callable[[str], bool]) -> str | None:
    """The longest shortened ``source`` (cut at a word where possible, with "…") that fits; "" if none
    but the empty one; None if not even that."""

    def shortened(n: int) -> str:
        head = source[:n]
        if n < len(source) and " " in head[len(head) // 2 :]:
            head = head[: head.rfind(" ")]
        head = head.rstrip(" ,.;:")
        return head + ELLIPSIS if head else ""

    lo, hi = 0, len(source)  # invariant: shortened(lo) fits (or lo == 0), shortened(hi + 1) does not
    if not fits(""):
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(shortened(mid)):
            lo = mid
        else:
            hi = mid - 1
    return shortened(lo)
