"""What an agency's POST does to a report — pure: the report in, the writes out.

Actions (the form's ``aksi``):

- ``status``: a new status within ``report.AGENCY_TRANSITIONS`` and/or a public
  response (``tanggapan``: ≤ 500 characters, redacted, kept in ``responses`` and
  ``response``, shown on the report's page, in Open311 and replied on the channel);
- ``category``: the category was wrong (a correction);
- ``not_report``: the post is not a report at all ("bukan laporan", a correction);
- ``route``: "bukan kewenangan kami" — the report moves to the agency it belongs to,
  with the reason (a correction).

Each change appends one history entry carrying the link's ``token_id`` (that is how
a second POST of the same link is recognised). A correction is also written to
``corrections/{report_id}`` (docs/contracts.md) in the same commit, with the original
text, the first and the current labels and every change. Refusals raise ``Refused``
with a reason the page explains.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aduan import report as r
from aduan.actions import Grant
from aduan.config import Config

SET_STATUS, ROUTE, CATEGORY, NOT_REPORT = "status", "route", "category", "not_report"
KINDS = (SET_STATUS, ROUTE, CATEGORY, NOT_REPORT)
KEEP = ""  # the status form's "keep the status, only answer" choice
NOTE_MAX = 500
RESPONSE_MAX = 500
# A rejection needs its public explanation; "not a report" and "not ours" need their reason.
RESPONSE_REQUIRED = frozenset({r.REJECTED})
NOTE_REQUIRED = frozenset({NOT_REPORT, ROUTE})
RESPONSES = frozenset({r.IN_PROGRESS, r.RESOLVED, r.REJECTED, r.NOT_A_REPORT})

# The kinds a correction is recorded under (docs/contracts.md).
C_CATEGORY, C_NOT_REPORT, C_REROUTE = "category", "not_report", "reroute"
# Reply events (names.REPLY_EVENTS) a change asks for once committed.
EV_RESPONDED, EV_RESOLVED, EV_REJECTED = "responded", "resolved", "rejected"

# Reasons (the action page has a message for each).
CROSS_AGENCY = "cross_agency"
USED = "used"
INVALID = "invalid"
NOTE_MISSING = "note_missing"
RESPONSE_MISSING = "response_missing"
TOO_LONG = "too_long"


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Stale(Exception):
    """The report changed between the read and the write (the store raises it); read again."""


@dataclass(frozen=True)
class Action:
    kind: str
    value: str  # the status (or KEEP), the agency id, or the category slug; "" for not_report
    note: str  # the reason, kept in the history (public on the report's page, redacted)
    response: str = ""  # the public answer to the citizen (status action only)


@dataclass(frozen=True)
class Change:
    """What to write, in one commit: the report's updates and, for a correction, its record."""

    updates: dict[str, Any]
    correction: dict[str, Any] | None = None  # one entry of corrections/{id}.changes
    event: str | None = None  # the reply event to request after the commit
    after: dict[str, Any] = field(default_factory=dict)


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def parse(form: Mapping[str, str]) -> Action:
    """The action a form asks for; Refused(INVALID or TOO_LONG) when it is not one."""
    kind = form.get("aksi", "")
    if kind not in KINDS:
        raise Refused(INVALID)
    value_field = {SET_STATUS: "status", ROUTE: "instansi", CATEGORY: "kategori"}.get(kind)
    value = (form.get(value_field) or "") if value_field else ""
    note, response = _one_line(form.get("catatan")), _one_line(form.get("tanggapan"))
    if len(note) > NOTE_MAX or len(response) > RESPONSE_MAX:
        raise Refused(TOO_LONG)
    if kind in (ROUTE, CATEGORY) and not value:
        raise Refused(INVALID)
    if kind == SET_STATUS:
        if value == KEEP and not response:
            raise Refused(RESPONSE_MISSING)
        if value in RESPONSE_REQUIRED and not response:
            raise Refused(RESPONSE_MISSING)
    if kind in NOTE_REQUIRED and not note:
        raise Refused(NOTE_MISSING)
    return Action(kind, value, note, response if kind == SET_STATUS else "")


def check_scope(doc: Mapping[str, Any], grant: Grant) -> None:
    """The link acts only for the agency that holds the report now, and only once."""
    if doc.get("id") != grant.report_id or doc.get("agency_id") != grant.agency_id:
        raise Refused(CROSS_AGENCY)
    if any(h.get("token_id") == grant.token_id for h in doc.get("history") or []):
        raise Refused(USED)


def allowed_statuses(doc: Mapping[str, Any]) -> list[str]:
    """Statuses the status form offers; "not a report" has a form of its own (it is a correction)."""
    return [s for s in r.STATUSES if s in r.AGENCY_TRANSITIONS.get(doc["status"], ()) and s != r.NOT_A_REPORT]


def can_mark_not_report(doc: Mapping[str, Any]) -> bool:
    return r.NOT_A_REPORT in r.AGENCY_TRANSITIONS.get(doc["status"], ())


def can_route(doc: Mapping[str, Any]) -> bool:
    return r.is_open(doc["status"])


def apply(
    doc: Mapping[str, Any],
    action: Action,
    grant: Grant,
    config: Config,
    now: datetime,
    redact: Callable[[str], str] = lambda text: text,
) -> Change:
    """The writes ``action`` makes (``history`` whole: the report write has a precondition).

    ``redact`` masks personal data in the public response (the status page's redactor).
    """
    check_scope(doc, grant)
    updates: dict[str, Any] = {"updated_at": now}
    status, note, correction, event = doc["status"], action.note, None, None
    if action.kind in (SET_STATUS, NOT_REPORT):
        status = r.NOT_A_REPORT if action.kind == NOT_REPORT else (action.value or doc["status"])
        if status != doc["status"] and status not in r.AGENCY_TRANSITIONS.get(doc["status"], ()):
            raise Refused(INVALID)
        if action.kind == SET_STATUS and status == r.NOT_A_REPORT:
            raise Refused(INVALID)  # through its own form: it needs a reason and is a correction
        was_report = bool(doc.get("is_report"))
        if status == r.NOT_A_REPORT:
            is_report = False
        elif doc["status"] == r.NOT_A_REPORT:
            is_report = True  # the gate was wrong: it is a report after all
        else:
            is_report = was_report
        if is_report != was_report:
            correction = _entry(C_NOT_REPORT, was_report, is_report, grant, now)
        updates.update(
            status=status, open=r.is_open(status), public=r.is_public(status, is_report), is_report=is_report
        )
        answered = status != doc["status"] and status in RESPONSES or bool(action.response)
        if answered and not doc.get("first_response_at"):
            updates["first_response_at"] = now
        if status == r.RESOLVED and not doc.get("resolved_at"):
            updates["resolved_at"] = now
        if action.response:
            text = redact(action.response)[:RESPONSE_MAX]
            entry = {"at": now, "by": grant.agency_id, "status": status, "text": text}
            updates["responses"] = [*(doc.get("responses") or []), entry]
            updates["response"] = text
            note = text  # the timeline shows the answer with the status it came with
        if r.is_public(status, is_report):
            if status == r.RESOLVED and doc["status"] != r.RESOLVED:
                event = EV_RESOLVED
            elif status == r.REJECTED and doc["status"] != r.REJECTED:
                event = EV_REJECTED
            elif action.response:
                event = EV_RESPONDED
    elif action.kind == ROUTE:
        target = config.agencies.get(action.value)
        if target is None or target.id == doc["agency_id"] or not can_route(doc):
            raise Refused(INVALID)
        status = r.ROUTED
        correction = _entry(C_REROUTE, doc["agency_id"], target.id, grant, now)
        updates.update(agency_id=target.id, routed_by="agency", status=status, open=True)
        note = f"{target.name}: {note}"
    else:
        if config.taxonomy.get(action.value) is None or action.value == doc.get("category"):
            raise Refused(INVALID)
        if not doc.get("is_report"):
            raise Refused(INVALID)  # a non-report has no category: make it a report first
        correction = _entry(C_CATEGORY, doc.get("category"), action.value, grant, now)
        updates["category"] = action.value
    entry = r.HistoryEntry(status, now, grant.agency_id, note).to_doc()
    updates["history"] = [*(doc.get("history") or []), {**entry, "token_id": grant.token_id}]
    if correction is not None:
        updates["corrected_at"] = now
    if doc.get("needs_review"):
        updates["needs_review"] = False  # an agency has looked at it: the review it waited for is done
    return Change(updates, correction, event, {**doc, **updates})


def _entry(kind: str, old: Any, new: Any, grant: Grant, now: datetime) -> dict[str, Any]:
    return {
        "kind": kind,
        "old": old,
        "new": new,
        "by": grant.agency_id,
        "at": now,
        "token_id": grant.token_id,
    }


def _labels(doc: Mapping[str, Any]) -> dict[str, Any]:
    is_report = bool(doc.get("is_report"))
    return {
        "is_report": is_report,
        "category": doc.get("category") if is_report else None,
        "agency_id": doc.get("agency_id"),
    }


def correction_record(before: Mapping[str, Any], after: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """``corrections/{id}`` as the first correction creates it (docs/contracts.md), ``changes`` aside."""
    return {
        "report_id": before["id"],
        "text": before.get("text") or "",
        **_labels(after),
        "original": _labels(before),
        "updated_at": now,
    }


def correction_update(after: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The fields a later correction overwrites (``changes`` is appended by the store)."""
    return {**_labels(after), "updated_at": now}


def has_correction_record(doc: Mapping[str, Any]) -> bool:
    """Whether ``corrections/{id}`` exists: the report notes the first correction's commit."""
    return doc.get("corrected_at") is not None
