"""What an agency's POST does to a report — pure: the report in, the field updates out.

Three actions: set the status (within ``report.AGENCY_TRANSITIONS``), route the
report to another agency, or correct its category. Each appends one history
entry carrying the link's ``token_id`` (that is how a second POST of the same
link is recognised) and a correction is also kept in ``corrections`` as future
training data. Refusals raise ``Refused`` with a reason the page explains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aduan import report as r
from aduan.actions import Grant
from aduan.config import Config

SET_STATUS, ROUTE, CATEGORY = "status", "route", "category"
NOTE_MAX = 500
NOTE_REQUIRED = frozenset({r.REJECTED, r.NOT_A_REPORT})
RESPONSES = frozenset({r.IN_PROGRESS, r.RESOLVED, r.REJECTED, r.NOT_A_REPORT})

# Reasons (the action page has a message for each).
CROSS_AGENCY = "cross_agency"
USED = "used"
INVALID = "invalid"
NOTE_MISSING = "note_missing"


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Stale(Exception):
    """The report changed between the read and the write (the store raises it); read again."""


@dataclass(frozen=True)
class Action:
    kind: str
    value: str
    note: str


def parse(form: Mapping[str, str]) -> Action:
    kind = form.get("aksi", "")
    value = form.get({SET_STATUS: "status", ROUTE: "instansi", CATEGORY: "kategori"}.get(kind, ""), "")
    note = " ".join((form.get("catatan") or "").split())
    if kind not in (SET_STATUS, ROUTE, CATEGORY) or not value or len(note) > NOTE_MAX:
        raise Refused(INVALID)
    return Action(kind, value, note)


def check_scope(doc: Mapping[str, Any], grant: Grant) -> None:
    """The link acts only for the agency that holds the report now, and only once."""
    if doc.get("id") != grant.report_id or doc.get("agency_id") != grant.agency_id:
        raise Refused(CROSS_AGENCY)
    if any(h.get("token_id") == grant.token_id for h in doc.get("history") or []):
        raise Refused(USED)


def allowed_statuses(doc: Mapping[str, Any]) -> list[str]:
    return [s for s in r.STATUSES if s in r.AGENCY_TRANSITIONS.get(doc["status"], ())]


def apply(
    doc: Mapping[str, Any], action: Action, grant: Grant, config: Config, now: datetime
) -> dict[str, Any]:
    """The fields to update (``history`` and ``corrections`` whole: the write has a precondition)."""
    check_scope(doc, grant)
    updates: dict[str, Any] = {"updated_at": now}
    corrections = list(doc.get("corrections") or [])
    status, note = doc["status"], action.note
    if action.kind == SET_STATUS:
        status = action.value
        if status not in r.AGENCY_TRANSITIONS.get(doc["status"], ()):
            raise Refused(INVALID)
        if status in NOTE_REQUIRED and not note:
            raise Refused(NOTE_MISSING)
        is_report = bool(doc.get("is_report")) or status != r.NOT_A_REPORT
        if is_report != bool(doc.get("is_report")):
            corrections.append(_correction("is_report", doc.get("is_report"), is_report, grant, now))
        updates.update(
            status=status, open=r.is_open(status), public=r.is_public(status, is_report), is_report=is_report
        )
        if status in RESPONSES and not doc.get("first_response_at"):
            updates["first_response_at"] = now
        if status == r.RESOLVED and not doc.get("resolved_at"):
            updates["resolved_at"] = now
    elif action.kind == ROUTE:
        target = config.agencies.get(action.value)
        if target is None or target.id == doc["agency_id"] or not r.is_open(doc["status"]):
            raise Refused(INVALID)
        status = r.ROUTED
        corrections.append(_correction("agency_id", doc["agency_id"], target.id, grant, now))
        updates.update(agency_id=target.id, routed_by="agency", status=status, open=True)
        note = f"{target.name}: {note}" if note else target.name
    else:
        if config.taxonomy.get(action.value) is None or action.value == doc.get("category"):
            raise Refused(INVALID)
        corrections.append(_correction("category", doc.get("category"), action.value, grant, now))
        updates["category"] = action.value
    entry = r.HistoryEntry(status, now, grant.agency_id, note).to_doc()
    updates["history"] = [*(doc.get("history") or []), {**entry, "token_id": grant.token_id}]
    updates["corrections"] = corrections
    return updates


def _correction(field_name: str, old: Any, new: Any, grant: Grant, now: datetime) -> dict[str, Any]:
    return {"field": field_name, "old": old, "new": new, "by": grant.agency_id, "at": now}
