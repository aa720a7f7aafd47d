"""Open311 GeoReport v2 over HTTP: discovery, services, requests and one request, in JSON or XML."""

from __future__ import annotations

import re

from flask import Request, Response

from aduan.statuspage import open311, views
from aduan.statuspage.app import PUBLIC_CACHE, Site

CONTACT = "Aduan — laporan warga Jawa Tengah"


def _respond(fmt: str, root: str, value: object, status: int = 200) -> Response:
    mimetype = open311.FORMATS.get(fmt, open311.FORMATS["json"])
    response = Response(open311.render(fmt, root, value), status=status, content_type=mimetype)
    response.headers.update(
        {
            "Cache-Control": PUBLIC_CACHE if status == 200 else "public, max-age=30",
            "Access-Control-Allow-Origin": "*",
            "X-Content-Type-Options": "nosniff",
        }
    )
    return response


def _error(fmt: str, error: open311.Open311Error) -> Response:
    return _respond(fmt if fmt in open311.FORMATS else "json", "errors", error.records(), error.status)


def listing(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    fmt, what = match["fmt"], match["what"]
    if fmt not in open311.FORMATS:
        return _error("json", open311.Open311Error(400, "the format must be .xml or .json"))
    pub = views.Publisher(site.config, language)
    if what == "discovery":
        return _respond(fmt, "discovery", open311.discovery(site.base_url, CONTACT))
    if what == "services":
        return _respond(fmt, "services", open311.services(pub))
    try:
        query = open311.parse_query(request.args, site.config.taxonomy.slugs, site.clock())
    except open311.Open311Error as error:
        return _error(fmt, error)
    offset = (query.page - 1) * query.page_size
    if query.tickets:
        docs = site.store.by_tickets(list(query.tickets))
        docs = sorted((d for d in docs if d.get("public")), key=lambda d: d["received_at"], reverse=True)
        docs = docs[offset : offset + query.page_size]
    else:
        key = ("open311", query)
        docs = site.cache.get(
            key,
            lambda: site.store.requests(
                query.service_codes, query.open, query.start, query.end, query.page_size, offset
            ),
        )
    return _respond(fmt, "service_requests", [open311.request_record(d, pub) for d in docs])


def one(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    fmt = match["fmt"]
    if fmt not in open311.FORMATS:
        return _error("json", open311.Open311Error(400, "the format must be .xml or .json"))
    code = open311.normalize(match["id"])
    doc = site.store.by_ticket(code) if code else None
    if doc is None or not doc.get("public"):
        return _error(fmt, open311.Open311Error(404, f"service_request_id {match['id']} was not found"))
    pub = views.Publisher(site.config, language)
    return _respond(fmt, "service_requests", [open311.request_record(doc, pub)])
