"""``/tindak/<token>``: the agency's page behind a digest link.

GET shows the report and the forms and never changes anything (mail scanners
open every link). POST verifies the token again, checks its scope and that it
was not used, applies the change in one atomic write and says what happened.
Every refusal is a page that says why, and changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Request, Response

from aduan import actions
from aduan.logs import log
from aduan.statuspage import change, views
from aduan.statuspage.app import NO_STORE, Site, html

ATTEMPTS = 3  # re-reads after a concurrent write before giving up
REFUSAL_STATUS = {
    actions.FORGED: 403,
    actions.EXPIRED: 410,
    change.CROSS_AGENCY: 403,
    change.USED: 409,
    change.INVALID: 400,
    change.NOTE_MISSING: 400,
    "gone": 404,
    "busy": 409,
}


def _refuse(site: Site, language: str, reason: str, report_id: str | None = None) -> Response:
    log("WARNING", "action refused", reason=reason, report_id=report_id)
    return html(site, "status/action_refused.html", language, REFUSAL_STATUS[reason], NO_STORE, reason=reason)


def _form(
    site: Site, request: Request, language: str, doc: dict[str, Any], grant: actions.Grant, **extra: Any
) -> Response:
    pub = views.Publisher(site.config, language)
    others = [a for a in site.config.agencies.agencies if a.id != doc["agency_id"]]
    return html(
        site,
        "status/action.html",
        language,
        extra.pop("status", 200),
        NO_STORE,
        report=pub.report(doc, site.clock()),
        grant=grant,
        statuses=change.allowed_statuses(doc),
        status_label=pub.status_label,
        agencies=others,
        categories=pub.category_labels(),
        note_max=change.NOTE_MAX,
        can_route=doc.get("open", False),
        path=request.path,
        **extra,
    )


def handle(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    now = site.clock()
    try:
        grant = actions.verify(match["token"], site.signing_key, now)
    except actions.TokenRefused as refused:
        return _refuse(site, language, refused.reason)
    for _ in range(ATTEMPTS):
        found = site.store.report(grant.report_id)
        if found is None:
            return _refuse(site, language, "gone", report_id=grant.report_id)
        doc, update_time = found
        try:
            if request.method != "POST":
                change.check_scope(doc, grant)
                return _form(site, request, language, doc, grant)
            updates = change.apply(doc, change.parse(request.form), grant, site.config, now)
        except change.Refused as refused:
            if refused.reason in (change.INVALID, change.NOTE_MISSING):
                return _form(site, request, language, doc, grant, status=400, error=refused.reason)
            return _refuse(site, language, refused.reason, report_id=grant.report_id)
        try:
            site.store.change(doc, update_time, updates)
        except change.Stale:
            continue
        log(
            "INFO",
            "agency action",
            report_id=doc["id"],
            agency_id=grant.agency_id,
            status=updates.get("status", doc["status"]),
            token_id=grant.token_id,
        )
        site.cache.clear()
        after = {**doc, **updates}
        pub = views.Publisher(site.config, language)
        return html(
            site,
            "status/action_done.html",
            language,
            200,
            NO_STORE,
            report=pub.report(after, now),
            public=bool(after.get("public")),
        )
    return _refuse(site, language, "busy", report_id=grant.report_id)
