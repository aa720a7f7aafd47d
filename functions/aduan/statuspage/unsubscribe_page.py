"""``/instansi/<agency>/berhenti?to=…&t=…``: the digest's one-click unsubscribe (RFC 8058).

GET only asks (mail scanners open every link); POST — ``List-Unsubscribe=One-Click``
from a mail app, or the page's own button — checks the signed token for this agency
and address, then records the opt-out once. A refused link records nothing. The
address is shown masked and never stored in a cache (``no-store``, no referrer).
"""

from __future__ import annotations

import re

from flask import Request, Response

from aduan import unsubscribe
from aduan.adapters.firestore_optouts import FORM, ONE_CLICK
from aduan.logs import log
from aduan.statuspage.app import NO_STORE, Site, html, not_found

FORM_FIELD = "berhenti"  # the page's own button posts berhenti=ya
MAX_ADDRESS = 254  # RFC 5321's limit on a forward path


def _via(request: Request) -> str | None:
    """How the POST came: a mail app's one-click body or the confirmation form; None for anything else."""
    if request.form.get("List-Unsubscribe") == "One-Click":
        return ONE_CLICK
    if request.form.get(FORM_FIELD) == "ya":
        return FORM
    return None


def _page(site: Site, language: str, status: int, state: str, **context: object) -> Response:
    return html(site, "status/unsubscribe.html", language, status, NO_STORE, state=state, **context)


def handle(site: Site, request: Request, language: str, match: re.Match[str]) -> Response:
    agency = site.config.agencies.get(match["agency"])
    if agency is None:
        return not_found(site, language)
    recipient, token = request.args.get("to", ""), request.args.get("t", "")
    if not recipient or not token or len(recipient) > MAX_ADDRESS or "@" not in recipient:
        return _page(site, language, 400, "refused", reason="incomplete")
    if not unsubscribe.verify(site.signing_key, agency.id, recipient, token):
        log("WARNING", "unsubscribe refused", agency_id=agency.id, reason="forged")
        return _page(site, language, 403, "refused", reason="forged")
    shown = {"agency_name": agency.name, "address": unsubscribe.mask(recipient)}
    if request.method != "POST":
        return _page(site, language, 200, "confirm", field=FORM_FIELD, **shown)
    via = _via(request)
    if via is None:
        return _page(site, language, 400, "confirm", field=FORM_FIELD, error=True, **shown)
    recorded = site.optouts.record(agency.id, recipient, via, site.clock())
    log("INFO", "digest unsubscribe", agency_id=agency.id, via=via, recorded=recorded)
    return _page(site, language, 200, "done", **shown)
