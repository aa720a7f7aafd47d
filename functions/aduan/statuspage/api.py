"""Open311 GeoReport v2 over HTTP: discovery, services, requests and one request, in JSON or XML.

Every answer, errors included, is in the format the path asks for (``.xml`` or
``.json``; JSON when it names neither) and errors are the spec's ``errors``
list. Every read goes through the instance cache: listings by their filters
(page by page, with cursors), single requests by ticket (misses briefly too).
"""

from __future__ import annotations

import re

from flask import Request, Response

from aduan.statuspage import open311, pages, paging, views
from aduan.statuspage.app import PUBLIC_CACHE, Site

CONTACT = "Aduan — laporan warga Jawa Tengah"
ERROR_CACHE = "public, max-age=30"


def _respond(fmt: str, root: str, value: object, status: int = 200) -> Response:
    """``value`` rendered as ``root`` in ``fmt``; a ``str`` is a body already rendered."""
    mimetype = open311.FORMATS.get(fmt, open311.FORMATS["json"])
    body = value if isinstance(value, str) else open311.render(fmt, root, value)
    response = Response(body, status=status, content_type=mimetype)
    response.headers.update(
        {
            "Cache-Control": PUBLIC_CACHE if status == 200 else ERROR_CACHE,
            "Access-Control-Allow-Origin": "*",
            "X-Content-Type-Options": "nosniff",
        }
    )
    return response


def _error(fmt: str, error: open311.Open311Error) -> Response:
    return _respond(fmt if fmt in open311.FORMATS else "json", "errors", error.records(), error.status)


def _bad_format() -> Response:
    return _error("json", open311.Open311Error(400, "the format must be .xml or .json"))


def listing(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    fmt, what = match["fmt"], match["what"]
    if fmt not in open311.FORMATS:
        return _bad_format()
    pub = views.Publisher(site.config, language)
    if what == "discovery":
        return _respond(fmt, "discovery", open311.discovery(site.base_url, CONTACT))
    if what == "services":
        return _respond(fmt, "services", open311.services(pub))
    try:
        query = open311.parse_query(request.args, site.config.taxonomy.slugs, site.clock())
    except open311.Open311Error as error:
        return _error(fmt, error)
    # The rendered body is cached too (per format and language): a warm listing neither reads nor renders.
    body = site.cache.get(
        ("open311-body", fmt, language, query), lambda: _listing_body(site, query, fmt, pub)
    )
    return _respond(fmt, "service_requests", body)


def _listing_body(site: Site, query: open311.RequestQuery, fmt: str, pub: views.Publisher) -> str:
    if query.tickets:
        found = site.cache.get(
            ("open311-ids", query.tickets), lambda: site.store.by_tickets(list(query.tickets))
        )
        public = sorted((d for d in found if d.get("public")), key=lambda d: d["received_at"], reverse=True)
        first = (query.page - 1) * query.page_size
        docs = public[first : first + query.page_size]
    else:
        docs, _ = paging.page(
            site.cache,
            ("open311", query.listing),
            query.page,
            query.page_size,
            lambda limit, after: site.store.requests(
                query.service_codes, query.open, query.start, query.end, limit, after
            ),
            paging.by_field("received_at"),
        )
    return open311.render(fmt, "service_requests", [open311.request_record(d, pub) for d in docs])


def one(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    fmt = match["fmt"]
    if fmt not in open311.FORMATS:
        return _bad_format()
    code = open311.normalize(match["id"])
    found = pages.lookup(site, code) if code else None
    if found is None:
        return _error(fmt, open311.Open311Error(404, f"service_request_id {match['id']} was not found"))
    pub = views.Publisher(site.config, language)
    return _respond(fmt, "service_requests", [open311.request_record(found[0], pub)])


def unknown(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    """Any other path under /open311: the spec's 404, in the format its extension names."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return _error(fmt, open311.Open311Error(404, "no such Open311 resource; see /open311/v2/discovery.json"))


def method_not_allowed(request: Request) -> Response:
    """Aduan is read-only through Open311: reports arrive from the channels, not by POST here."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return _error(fmt, open311.Open311Error(405, "Open311 here is read-only: only GET is allowed"))
