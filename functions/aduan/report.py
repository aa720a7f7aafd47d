"""A report: its statuses, its lifecycle and its Firestore document (``reports/{source}-{source_id}``).

Document fields (private ones never leave the store except to the agency):

| field | |
| --- | --- |
| id, ticket | ``x-1862…``; the 8-character Crockford code (``aduan.ticket``) |
| source, source_id, url, lang, to_accounts | from the post |
| text, author {id, username, name} | **private**: what the citizen wrote and who |
| public_text | the text with personal data masked (``aduan.classifier.redact``) |
| created_at, received_at, updated_at | the post's time; when Aduan filed it; last change |
| is_report, kind, category, confidence, needs_review, urgent | the classifier's reading |
| place | {regency_code, regency_name, district_code, district_name, village_code, village_name} or None |
| agency_id, routed_by | who must act; ``region``, ``account`` or ``desk`` |
| status, open, public | lifecycle state; derived flags the queries filter on |
| history | [{status, at, by, note}], appended on every change |
| due_response_at, due_at | 3 working days to take up; 5 more to follow up (``aduan.workdays``) |
| first_response_at, resolved_at | when the agency first acted; when it closed the report |
| cluster_id, cluster_key | the report that started its cluster; ``category|place`` |
| stats_shard | the ``stats`` document that counted it, so a status change updates the same one |
| corrections | [{field, old, new, by, at}]: agencies' corrections, future training data |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

RECEIVED = "baru"
ROUTED = "diteruskan"
IN_PROGRESS = "diproses"
RESOLVED = "selesai"
REJECTED = "ditolak"
NOT_A_REPORT = "bukan_laporan"

STATUSES = (RECEIVED, ROUTED, IN_PROGRESS, RESOLVED, REJECTED, NOT_A_REPORT)
OPEN_STATUSES = frozenset({RECEIVED, ROUTED, IN_PROGRESS})
CLOSED_STATUSES = frozenset({RESOLVED, REJECTED})

# What an agency may set from its signed link, from each state.
AGENCY_TRANSITIONS: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({IN_PROGRESS, RESOLVED, REJECTED, NOT_A_REPORT}),
    ROUTED: frozenset({IN_PROGRESS, RESOLVED, REJECTED, NOT_A_REPORT}),
    IN_PROGRESS: frozenset({RESOLVED, REJECTED}),
    RESOLVED: frozenset({IN_PROGRESS}),  # reopened
    REJECTED: frozenset({IN_PROGRESS}),
    NOT_A_REPORT: frozenset({IN_PROGRESS}),  # the gate was wrong
}

STATUS_LABELS = {
    RECEIVED: {"id": "Diterima", "en": "Received"},
    ROUTED: {"id": "Diteruskan ke instansi", "en": "Sent to the agency"},
    IN_PROGRESS: {"id": "Sedang diproses", "en": "In progress"},
    RESOLVED: {"id": "Selesai", "en": "Resolved"},
    REJECTED: {"id": "Ditolak", "en": "Rejected"},
    NOT_A_REPORT: {"id": "Bukan laporan", "en": "Not a report"},
}


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def is_public(status: str, is_report: bool) -> bool:
    """Non-reports are kept for audit but never shown."""
    return is_report and status != NOT_A_REPORT


def open311_status(status: str) -> str:
    """GeoReport v2 knows only open and closed; the finer state goes to status_notes."""
    return "closed" if status in CLOSED_STATUSES or status == NOT_A_REPORT else "open"


@dataclass(frozen=True)
class HistoryEntry:
    status: str
    at: datetime
    by: str  # "aduan" for the pipeline, else the agency id
    note: str = ""

    def to_doc(self) -> dict:
        return {"status": self.status, "at": self.at, "by": self.by, "note": self.note}


def is_overdue(doc: dict, now: datetime) -> bool:
    """Open and past its deadline: the response deadline until taken up, then the final one."""
    if not doc.get("open"):
        return False
    deadline = doc.get("due_at") if doc.get("first_response_at") else doc.get("due_response_at")
    return deadline is not None and now > deadline
