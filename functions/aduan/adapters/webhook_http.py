"""POST a signed alert to an agency's webhook: short timeouts, no redirects (a redirect could carry
the body to a host nobody configured)."""

from __future__ import annotations

from collections.abc import Mapping

import requests

TIMEOUT_S = (3.05, 10)


class HttpPoster:
    def __init__(self, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        response = self.session.post(
            url, data=body, headers=dict(headers), timeout=TIMEOUT_S, allow_redirects=False
        )
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"webhook answered HTTP {response.status_code}")
