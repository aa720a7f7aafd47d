"""The files every site is asked for besides its pages: robots.txt and the icon.

Without them every page view logs a 404 in the browser (favicon) and crawlers
guess. robots.txt keeps crawlers off the agencies' signed pages and search;
the icon is served from the templates (the pages link it, so the CSP's
``img-src 'self'`` covers it).
"""

from __future__ import annotations

import re

from flask import Request, Response

from aduan.statuspage.app import Site, redirect
from aduan.statuspage.render import FAVICON_PATH

LONG_CACHE = "public, max-age=86400"
ROBOTS = """User-agent: *
Disallow: /tindak/
Disallow: /cari
Disallow: /instansi/*/berhenti
Allow: /
"""


def robots(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    return Response(ROBOTS, mimetype="text/plain", headers={"Cache-Control": LONG_CACHE})


def favicon(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    headers = {"Cache-Control": LONG_CACHE, "X-Content-Type-Options": "nosniff"}
    return Response(site.templates.favicon, mimetype="image/svg+xml", headers=headers)


def favicon_ico(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    """Clients that ask for the conventional name before reading the page's link."""
    return redirect(FAVICON_PATH, LONG_CACHE)
