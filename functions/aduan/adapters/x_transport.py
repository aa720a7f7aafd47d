"""Point tweepy at another X API host, and give its requests a timeout, without patching tweepy.

tweepy 4.17 hard-codes ``https://api.twitter.com`` in ``BaseClient.request`` and
sends requests with no timeout. Its public ``session`` attribute is a
``requests.Session``: an adapter mounted on the X hosts can send each request to
our base URL instead (the local simulator, or a proxy) and bound how long it waits.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

TWEEPY_HOSTS = ("https://api.twitter.com", "https://api.x.com")


class XApiAdapter(HTTPAdapter):
    """Rewrites scheme and host to ``base_url`` (keeping path and query) and applies a default timeout."""

    def __init__(self, base_url: str | None, timeout_s: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self._timeout_s = timeout_s
        self._target: tuple[str, str, str] | None = None
        if base_url and base_url.rstrip("/") not in TWEEPY_HOSTS:
            parts = urlsplit(base_url.rstrip("/"))
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"X API base URL must be http(s)://host[:port], got {base_url!r}")
            self._target = (parts.scheme, parts.netloc, parts.path)

    def send(self, request: requests.PreparedRequest, **kwargs):  # type: ignore[override]
        if self._target is not None:
            scheme, netloc, prefix = self._target
            parts = urlsplit(request.url or "")
            request.url = urlunsplit((scheme, netloc, prefix + parts.path, parts.query, parts.fragment))
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout_s
        return super().send(request, **kwargs)


def point_session_at(session: requests.Session, base_url: str | None, timeout_s: float = 10.0) -> None:
    """Route this session's X API requests to ``base_url`` with a per-request timeout."""
    adapter = XApiAdapter(base_url, timeout_s)
    for host in TWEEPY_HOSTS:
        session.mount(host, adapter)
