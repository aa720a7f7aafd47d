"""The public HTML pages: overview, search, a report's timeline, an agency's queue.

Figures come from the stats shards and lists from small queries, both cached
for a minute in the instance, so a warm ``/`` costs no Firestore read and a
report page at most two (the report and its cluster), none when it was viewed in the last minute.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from flask import Request, Response

from aduan.stats import aggregate
from aduan.statuspage import open311, paging, views
from aduan.statuspage.app import NO_STORE, Site, html, not_found, page, redirect
from aduan.ticket import normalize

LATEST = 10
PAGE_SIZE = 20
MAX_PAGE = 50


def _totals(site: Site, period: views.Period) -> Any:
    """A period's sums from its months' shards; both cached, so a warm view does no arithmetic either."""

    def compute() -> Any:
        docs: list[dict[str, Any]] = []
        for month in views.months_of(period):
            docs += site.cache.get(("shards", month), lambda m=month: site.store.month_shards(m))
        return aggregate(docs, period.first, period.last)

    return site.cache.get(("totals", period), compute)


def overview(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    """Rendered at most once a minute per language: the CDN would serve it that stale anyway."""
    return page(
        site, site.cache.get(("overview", language), lambda: _render_overview(site, language)), language
    )


def _render_overview(site: Site, language: str) -> str:
    now = site.clock()
    pub = views.Publisher(site.config, language)
    week, month = views.week_and_month(now)
    week_totals, month_totals = _totals(site, week), _totals(site, month)
    latest = site.cache.get(("latest", LATEST), lambda: site.store.latest_public(LATEST))
    return site.templates.render(
        "status/overview.html",
        language,
        week=views.figures(week_totals),
        month=views.figures(month_totals),
        week_period=week,
        month_period=month,
        categories=views.bar_rows(month_totals, 1, pub.category_labels()),
        agencies=views.bar_rows(month_totals, 0, pub.agency_names()),
        latest=pub.reports(latest, now),
        path="/",
    )


def search(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    typed = request.args.get("tiket", "")
    code = normalize(typed)
    suffix = "?lang=en" if language == "en" else ""
    if code is None:
        return html(
            site,
            "status/message.html",
            language,
            400 if typed else 200,
            "public, max-age=300",
            kind="bad_ticket" if typed else "search",
            typed=typed[:40],
        )
    return redirect(f"/laporan/{code}{suffix}")


def report(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    code = normalize(match["ticket"])
    found = lookup(site, code) if code else None
    if found is None:
        return not_found(site, language, typed=match["ticket"][:40])
    doc, size = found
    item = views.Publisher(site.config, language).report(doc, site.clock(), size)
    return html(site, "status/report.html", language, report=item, path=f"/laporan/{code}")


def lookup(site: Site, code: str) -> tuple[dict[str, Any], int] | None:
    """A public report and its cluster's size (2 reads), cached; a miss is cached briefly (the cache's
    negative time-to-live), so random tickets cost a read each once and push out only cold entries."""

    def load() -> tuple[dict[str, Any], int] | None:
        doc = site.store.by_ticket(code)
        if doc is None or not doc.get("public"):
            return None
        return doc, site.store.cluster_size(doc.get("cluster_id"))

    return site.cache.get(("report", code), load)


def agency(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    agency_id = match["agency"]
    if site.config.agencies.get(agency_id) is None:
        return not_found(site, language)
    number = open311.whole(request.args.get("halaman"), 1, MAX_PAGE)
    if number is None:
        return html(site, "status/message.html", language, 400, NO_STORE, kind="bad_page", high=MAX_PAGE)
    now = site.clock()
    pub = views.Publisher(site.config, language)
    _, month = views.week_and_month(now)
    month_totals = _totals(site, month)
    docs, has_next = paging.page(
        site.cache,
        ("agency", agency_id),
        number,
        PAGE_SIZE,
        lambda limit, after: site.store.agency_open(agency_id, limit, after),
        paging.by_field("due_at"),
    )
    open_count = site.cache.get(("open_count", agency_id), lambda: site.store.agency_open_count(agency_id))
    items = views.overdue_first(pub.reports(docs, now))
    return html(
        site,
        "status/agency.html",
        language,
        agency_id=agency_id,
        agency_name=pub.agency_name(agency_id),
        month=views.figures(month_totals, agency_id),
        month_period=month,
        categories=views.bar_rows(month_totals, 1, pub.category_labels(), agency_id),
        open_count=open_count,
        reports=items,
        page=number,
        has_next=has_next,
        path=f"/instansi/{quote(agency_id)}",
    )
