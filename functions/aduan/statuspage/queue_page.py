"""``/antrian/<token>``: an agency's work queue, from the one signed link in its digest.

GET lists the agency's open reports, earliest deadline first, with their age, due
date, cluster size, category and confidence, filtered by status, category, overdue
and needs-review, paged with a cursor. Reads are bounded: one count, at most
``MAX_SCAN`` reports scanned to fill a filtered page (``PAGE_SIZE`` + 1 unfiltered),
one ``count()`` per cluster shown.

POST applies one action (status and response, category, not a report, reroute) to
the selected reports, each through ``action_page.perform`` — the same rules as a
single report's link. What keeps a cross-site form from acting with the link alone:

- a form token (``actions.form_token``) signed under the server's key, bound to this
  queue token, rendered only into this page; without it a POST changes nothing;
- the browser's ``Origin`` (and ``Sec-Fetch-Site``) must be this site when sent;
- the page forbids framing and sends no referrer, so the link does not leak.

Each report change carries an id made of the queue token, the form's nonce and the
report, so replaying a bulk POST (reload, double click, a proxy's retry) finds every
change already in the history and changes nothing twice.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Request, Response

from aduan import actions
from aduan import report as r
from aduan.logs import log
from aduan.statuspage import change, views
from aduan.statuspage.action_page import DONE, form_context, perform
from aduan.statuspage.app import NO_STORE, Site, html

PAGE_SIZE = 25
SCAN_CHUNK = 100
MAX_SCAN = 300  # reports one filtered request reads at most; the cursor continues from there
MAX_SELECTED = 50
CROSS_SITE = "cross_site"
NONE_SELECTED = "none_selected"
_CURSOR = re.compile(r"(?P<ts>\d{1,12}(?:\.\d{1,6})?)~(?P<id>[A-Za-z0-9_-]{1,120})")
_REPORT_ID = re.compile(r"[A-Za-z0-9_-]{1,120}")
REFUSAL_STATUS = {actions.FORGED: 403, actions.EXPIRED: 410, CROSS_SITE: 403}


@dataclass(frozen=True)
class Filters:
    status: str = ""
    category: str = ""
    overdue: bool = False
    review: bool = False

    @property
    def active(self) -> bool:
        return bool(self.status or self.category or self.overdue or self.review)

    def matches(self, doc: dict[str, Any], now: datetime) -> bool:
        return (
            (not self.status or doc.get("status") == self.status)
            and (not self.category or doc.get("category") == self.category)
            and (not self.overdue or r.is_overdue(doc, now))
            and (not self.review or bool(doc.get("needs_review")))
        )

    def query(self, language: str, cursor: str | None = None) -> str:
        pairs = [
            ("status", self.status),
            ("kategori", self.category),
            ("terlambat", "1" if self.overdue else ""),
            ("tinjau", "1" if self.review else ""),
            ("lang", "en" if language == "en" else ""),
            ("dari", cursor or ""),
        ]
        text = urlencode([(k, v) for k, v in pairs if v])
        return f"?{text}" if text else ""


def parse_filters(args: Any, site: Site) -> Filters:
    """Unknown values are ignored (a filter that cannot match shows nothing useful)."""
    status = args.get("status", "")
    category = args.get("kategori", "")
    return Filters(
        status=status if status in r.OPEN_STATUSES else "",
        category=category if site.config.taxonomy.get(category) is not None else "",
        overdue=args.get("terlambat") == "1",
        review=args.get("tinjau") == "1",
    )


def encode_cursor(doc: dict[str, Any]) -> str:
    return f"{doc['due_at'].timestamp():.6f}~{doc['id']}"


def decode_cursor(text: str | None) -> tuple[datetime, str] | None:
    found = _CURSOR.fullmatch(text or "")
    if found is None:
        return None
    return datetime.fromtimestamp(float(found["ts"]), UTC), found["id"]


@dataclass(frozen=True)
class QueueItem:
    report_id: str
    view: views.PublicReport
    age_days: int
    confidence: int  # percent
    needs_review: bool


def collect(
    site: Site, agency_id: str, filters: Filters, after: tuple[datetime, str] | None, now: datetime
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of matching open reports and the cursor of the next (None: no more)."""
    matched: list[dict[str, Any]] = []
    scanned, last = 0, None
    while len(matched) < PAGE_SIZE and scanned < MAX_SCAN:
        want = min(SCAN_CHUNK if filters.active else PAGE_SIZE + 1, MAX_SCAN - scanned)
        chunk = site.actions.open_page(agency_id, want, after)
        scanned += len(chunk)
        for doc in chunk:
            if len(matched) == PAGE_SIZE:
                return matched, encode_cursor(last)  # this doc is on the next page
            last = doc
            if filters.matches(doc, now) and doc.get("due_at") is not None:
                matched.append(doc)
        if len(chunk) < want:
            return matched, None  # the agency's open reports end here
        after = (last["due_at"], last["id"])
    return matched, encode_cursor(last) if last is not None else None


def _items(site: Site, docs: list[dict[str, Any]], language: str, now: datetime) -> list[QueueItem]:
    pub = views.Publisher(site.config, language)
    sizes = site.actions.cluster_sizes(d.get("cluster_id") for d in docs)
    return [
        QueueItem(
            report_id=d["id"],
            view=pub.report(d, now, sizes.get(d.get("cluster_id") or "", 1)),
            age_days=max(0, (now - d["received_at"]).days),
            confidence=round(100 * float(d.get("confidence") or 0)),
            needs_review=bool(d.get("needs_review")),
        )
        for d in docs
    ]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site(request: Request, base_url: str) -> bool:
    """True when the browser says the POST comes from another site (headers absent: not a browser).

    The page sends no referrer, so a browser's own form POST carries ``Origin: null``; that is
    accepted only with ``Sec-Fetch-Site: same-origin`` (a sandboxed cross-site frame says "cross-site").
    """
    origin = (request.headers.get("Origin") or "").lower().rstrip("/")
    fetch_site = request.headers.get("Sec-Fetch-Site", "")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return True
    if origin == "null":
        return fetch_site != "same-origin"
    return bool(origin) and origin != _origin(base_url)


def _refuse(site: Site, language: str, reason: str) -> Response:
    log("WARNING", "queue refused", reason=reason)
    return html(site, "status/queue_refused.html", language, REFUSAL_STATUS[reason], NO_STORE, reason=reason)


def _page(
    site: Site,
    request: Request,
    language: str,
    grant: actions.QueueGrant,
    now: datetime,
    status: int = 200,
    **extra: Any,
) -> Response:
    filters = parse_filters(request.args, site)
    after = decode_cursor(request.args.get("dari"))
    docs, next_cursor = collect(site, grant.agency_id, filters, after, now)
    pub = views.Publisher(site.config, language)
    context = form_context(
        site, {"agency_id": grant.agency_id, "status": r.ROUTED, "is_report": True}, language
    )
    context["statuses"] = [r.IN_PROGRESS, r.RESOLVED, r.REJECTED]  # each report refuses what it cannot take
    return html(
        site,
        "status/queue.html",
        language,
        status,
        NO_STORE,
        agency_name=pub.agency_name(grant.agency_id),
        grant=grant,
        open_count=site.actions.open_count(grant.agency_id),
        items=_items(site, docs, language, now),
        filters=filters,
        open_statuses=[(s, pub.status_label(s)) for s in (r.RECEIVED, r.ROUTED, r.IN_PROGRESS)],
        csrf=actions.form_token(site.signing_key, grant, now),
        next_url=request.path + filters.query(language, next_cursor) if next_cursor else None,
        first_url=request.path + filters.query(language) if after else None,
        reset_url=request.path + ("?lang=en" if language == "en" else ""),
        path=request.path,
        max_selected=MAX_SELECTED,
        **context,
        **extra,
    )


def handle(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    now = site.clock()
    try:
        grant = actions.verify_queue(match["token"], site.signing_key, now)
    except actions.TokenRefused as refused:
        return _refuse(site, language, refused.reason)
    if site.config.agencies.get(grant.agency_id) is None:
        return _refuse(site, language, actions.FORGED)
    if request.method != "POST":
        return _page(site, request, language, grant, now)
    if cross_site(request, site.base_url):
        return _refuse(site, language, CROSS_SITE)
    try:
        nonce = actions.verify_form(request.form.get("csrf", ""), site.signing_key, grant, now)
    except actions.TokenRefused as refused:
        return _refuse(site, language, refused.reason)
    ids = [i for i in dict.fromkeys(request.form.getlist("laporan")) if _REPORT_ID.fullmatch(i)]
    try:
        if not ids or len(ids) > MAX_SELECTED:
            raise change.Refused(NONE_SELECTED if not ids else change.INVALID)
        action = change.parse(request.form)
    except change.Refused as refused:
        return _page(site, request, language, grant, now, 400, error=refused.reason)
    found = site.actions.reports_by_id(ids)
    results: Counter[str] = Counter()
    for report_id in ids:
        outcome = perform(site, grant.for_report(report_id, nonce), action, now, found.get(report_id))
        results[outcome.result] += 1
    log(
        "INFO",
        "queue action",
        agency_id=grant.agency_id,
        recipient=grant.recipient,
        kind=action.kind,
        selected=len(ids),
        results=dict(results),
    )
    if results[DONE]:
        status = 200
    elif set(results) <= {change.USED, change.CROSS_AGENCY}:
        status = 409
    else:
        status = 400
    summary = [(reason, n) for reason, n in sorted(results.items()) if n]
    return _page(site, request, language, grant, now, status, results=summary, done=results[DONE])
