"""The ``status_page`` entry point: route a request to its page, set the headers a CDN needs.

functions-framework hands us a flask request; routing is a short table of
regular expressions (no Flask app of our own). One ``Site`` per instance holds
the Firestore client, the templates and the caches, built on the first request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Request, Response

from aduan import names
from aduan.config import Config
from aduan.settings import http_url, signing_key
from aduan.statuspage import i18n
from aduan.statuspage.cache import TTLCache
from aduan.statuspage.render import Templates

CACHE_TTL_S = 60.0
PUBLIC_CACHE = "public, max-age=60, s-maxage=120"
ERROR_CACHE = "public, max-age=30"
NO_STORE = "no-store"


@dataclass
class Site:
    """What every handler needs; one per instance."""

    store: Any  # aduan.adapters.firestore_status.FirestoreStatus or an equivalent
    config: Config
    signing_key: str
    base_url: str
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    templates: Templates = field(default_factory=Templates)
    cache: TTLCache = field(default_factory=lambda: TTLCache(CACHE_TTL_S))
    optouts: Any = None  # aduan.adapters.firestore_optouts.FirestoreOptOuts; by default on the store's client
    actions: Any = None  # aduan.adapters.firestore_actions.FirestoreActions; by default on the store's client
    replies: Any = None  # aduan.adapters.reply_publisher.ReplyPublisher; None: no reply requests

    def __post_init__(self) -> None:
        if self.optouts is None:
            from aduan.adapters.firestore_optouts import FirestoreOptOuts

            self.optouts = FirestoreOptOuts(self.store.db)
        if self.actions is None:
            from aduan.adapters.firestore_actions import FirestoreActions

            self.actions = FirestoreActions(self.store.db)


def html(
    site: Site, template: str, language: str, status: int = 200, cache: str = PUBLIC_CACHE, **context: Any
) -> Response:
    return page(site, site.templates.render(template, language, **context), language, status, cache)


def page(site: Site, body: str, language: str, status: int = 200, cache: str = PUBLIC_CACHE) -> Response:
    """An HTML response with the headers every page carries (CDN caching, CSP, language)."""
    response = Response(body, status=status, mimetype="text/html")
    response.headers.update(
        {
            "Cache-Control": cache,
            "Content-Security-Policy": site.templates.csp,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer" if cache == NO_STORE else "strict-origin-when-cross-origin",
            "Content-Language": language,
            "Vary": "Accept-Language",
        }
    )
    return response


def redirect(location: str, cache: str = PUBLIC_CACHE) -> Response:
    return Response("", status=303, headers={"Location": location, "Cache-Control": cache})


def not_found(site: Site, language: str, **context: Any) -> Response:
    return html(site, "status/message.html", language, 404, ERROR_CACHE, kind="not_found", **context)


Handler = Callable[[Site, Request, str, re.Match[str]], Response]


def _routes() -> list[tuple[frozenset[str], re.Pattern[str], Handler]]:
    from aduan.statuspage import action_page, api, pages, queue_page, site_files, unsubscribe_page

    get = frozenset({"GET", "HEAD"})
    # First match wins: add a route above the catch-alls at the end.
    return [
        (get, re.compile(r"/"), pages.overview),
        (get, re.compile(r"/cari"), pages.search),
        (get, re.compile(r"/laporan/(?P<ticket>[A-Za-z0-9-]{1,20})"), pages.report),
        (get, re.compile(r"/instansi/(?P<agency>[a-z0-9-]{1,63})"), pages.agency),
        (
            get,
            re.compile(r"/open311/v2/(?P<what>discovery|services|requests)\.(?P<fmt>\w{1,8})"),
            api.listing,
        ),
        (get, re.compile(r"/open311/v2/requests/(?P<id>[A-Za-z0-9-]{1,20})\.(?P<fmt>\w{1,8})"), api.one),
        (get | {"POST"}, re.compile(r"/tindak/(?P<token>[A-Za-z0-9_.-]{1,400})"), action_page.handle),
        (
            get | {"POST"},
            re.compile(r"/instansi/(?P<agency>[a-z0-9-]{1,63})/berhenti"),
            unsubscribe_page.handle,
        ),
        (get | {"POST"}, re.compile(r"/antrian/(?P<token>[A-Za-z0-9_.-]{1,400})"), queue_page.handle),
        (get, re.compile(r"/robots\.txt"), site_files.robots),
        (get, re.compile(r"/favicon\.svg"), site_files.favicon),
        (get, re.compile(r"/favicon\.ico"), site_files.favicon_ico),
        (get, re.compile(r"/open311(?:/.*)?", re.DOTALL), api.unknown),  # the spec's 404, not an HTML page
    ]


class App:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.routes = _routes()

    def respond(self, request: Request) -> Response:
        language = i18n.choose(request.args, request.headers.get("Accept-Language"))
        path = request.path.rstrip("/") or "/"
        for methods, pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if request.method not in methods:
                response = self.refused(request, language)
                response.headers["Allow"] = ", ".join(sorted(methods))
                return response
            return handler(self.site, request, language, match)
        return not_found(self.site, language)

    def refused(self, request: Request, language: str) -> Response:
        """405 in the resource's format: the spec's errors under /open311, a page elsewhere."""
        if request.path.startswith("/open311"):
            from aduan.statuspage import api

            return api.method_not_allowed(request)
        return html(self.site, "status/message.html", language, 405, NO_STORE, kind="method")


def site_from_env(config: Config, project: str, env: Mapping[str, str]) -> Site:
    """Validate the two variables this function needs, then connect (lazily imported: cold start)."""
    key = signing_key(env)
    base_url = http_url(env, names.ENV_STATUS_BASE_URL, "the public address of the status page")
    from google.cloud import firestore

    from aduan.adapters.firestore_status import FirestoreStatus
    from aduan.adapters.reply_publisher import ReplyPublisher

    return Site(
        FirestoreStatus(firestore.Client(project=project)),
        config,
        key,
        base_url.rstrip("/"),
        replies=ReplyPublisher(project),
    )


_APP: App | None = None


def prepare(settings: Any, config: Config, env: Mapping[str, str]) -> App:
    """Validate the environment and build the app once per instance (at start-up, from main.py)."""
    global _APP
    if _APP is None:
        _APP = App(site_from_env(config, settings.project, env))
    return _APP


def handle(request: Request, settings: Any, config: Config, env: Mapping[str, str]) -> Response:
    """Entry point body for ``functions/main.py``'s ``status_page``."""
    return prepare(settings, config, env).respond(request)
