"""``/tindak/<token>``: the agency's page behind a digest link.

GET shows the report and the forms and never changes anything (mail scanners
open every link). POST verifies the token again, checks its scope and that it
was not used, applies the change in one atomic write (report, counts, correction
record) and then asks for the reply to the citizen. Every refusal is a page that
says why, and changes nothing.

``perform`` is the one place a change is made; the work queue calls it per report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Request, Response

from aduan import actions
from aduan.logs import log
from aduan.statuspage import change, views
from aduan.statuspage.app import NO_STORE, Site, html

ATTEMPTS = 3  # re-reads after a concurrent write before giving up
DONE, GONE, BUSY = "done", "gone", "busy"
FORM_ERRORS = frozenset({change.INVALID, change.NOTE_MISSING, change.RESPONSE_MISSING, change.TOO_LONG})
REFUSAL_STATUS = {
    actions.FORGED: 403,
    actions.EXPIRED: 410,
    change.CROSS_AGENCY: 403,
    change.USED: 409,
    change.INVALID: 400,
    change.NOTE_MISSING: 400,
    change.RESPONSE_MISSING: 400,
    change.TOO_LONG: 400,
    GONE: 404,
    BUSY: 409,
}


@dataclass(frozen=True)
class Outcome:
    result: str  # DONE or a refusal reason
    before: dict[str, Any] | None
    after: dict[str, Any] | None = None
    event: str | None = None


def perform(
    site: Site,
    grant: actions.Grant,
    action: change.Action,
    now: datetime,
    found: tuple[dict[str, Any], Any] | None = None,
) -> Outcome:
    """Apply ``action`` to ``grant``'s report: read (unless ``found``), apply, commit; re-read when
    another write came first. After the commit, request the reply (never before: a refused or
    stale change must not answer the citizen)."""
    redact = views.Publisher(site.config, "id").clean
    doc: dict[str, Any] | None = None
    for _ in range(ATTEMPTS):
        if found is None:
            found = site.actions.report(grant.report_id)
        if found is None:
            return Outcome(GONE, None)
        doc, update_time = found
        found = None
        try:
            planned = change.apply(doc, action, grant, site.config, now, redact)
        except change.Refused as refused:
            return Outcome(refused.reason, doc)
        try:
            site.actions.commit(doc, update_time, planned)
        except change.Stale:
            continue
        log(
            "INFO",
            "agency action",
            report_id=doc["id"],
            agency_id=grant.agency_id,
            kind=action.kind,
            status=planned.after.get("status"),
            correction=(planned.correction or {}).get("kind"),
            token_id=grant.token_id,
        )
        site.cache.clear()
        if planned.event and site.replies is not None:
            site.replies.publish(doc["id"], planned.event, now)
        return Outcome(DONE, doc, planned.after, planned.event)
    return Outcome(BUSY, doc)


def _refuse(site: Site, language: str, reason: str, report_id: str | None = None) -> Response:
    log("WARNING", "action refused", reason=reason, report_id=report_id)
    return html(site, "status/action_refused.html", language, REFUSAL_STATUS[reason], NO_STORE, reason=reason)


def form_context(site: Site, doc: dict[str, Any], language: str) -> dict[str, Any]:
    """What the action forms offer for ``doc`` (the queue offers the same for many)."""
    pub = views.Publisher(site.config, language)
    return {
        "statuses": change.allowed_statuses(doc),
        "status_label": pub.status_label,
        "agencies": [a for a in site.config.agencies.agencies if a.id != doc["agency_id"]],
        "categories": pub.category_labels(),
        "note_max": change.NOTE_MAX,
        "response_max": change.RESPONSE_MAX,
        "can_route": change.can_route(doc),
        "can_mark_not_report": change.can_mark_not_report(doc),
        "can_correct_category": bool(doc.get("is_report")),
    }


def _form(
    site: Site, request: Request, language: str, doc: dict[str, Any], grant: actions.Grant, **extra: Any
) -> Response:
    pub = views.Publisher(site.config, language)
    return html(
        site,
        "status/action.html",
        language,
        extra.pop("status", 200),
        NO_STORE,
        report=pub.report(doc, site.clock()),
        responses=[{**r, "text": pub.clean(r.get("text"))} for r in doc.get("responses") or []],
        grant=grant,
        path=request.path,
        **form_context(site, doc, language),
        **extra,
    )


def handle(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    now = site.clock()
    try:
        grant = actions.verify(match["token"], site.signing_key, now)
    except actions.TokenRefused as refused:
        return _refuse(site, language, refused.reason)
    found = site.actions.report(grant.report_id)
    if found is None:
        return _refuse(site, language, GONE, report_id=grant.report_id)
    doc = found[0]
    try:
        change.check_scope(doc, grant)
        if request.method != "POST":
            return _form(site, request, language, doc, grant)
        action = change.parse(request.form)
    except change.Refused as refused:
        if refused.reason in FORM_ERRORS:
            return _form(site, request, language, doc, grant, status=400, error=refused.reason)
        return _refuse(site, language, refused.reason, report_id=grant.report_id)
    outcome = perform(site, grant, action, now, found)
    if outcome.result in FORM_ERRORS and outcome.before is not None:
        return _form(site, request, language, outcome.before, grant, status=400, error=outcome.result)
    if outcome.result != DONE:
        return _refuse(site, language, outcome.result, report_id=grant.report_id)
    pub = views.Publisher(site.config, language)
    after = outcome.after or {}
    return html(
        site,
        "status/action_done.html",
        language,
        200,
        NO_STORE,
        report=pub.report(after, now),
        public=bool(after.get("public")),
    )
