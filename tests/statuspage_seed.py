"""Seeding Firestore for the status page's tests: report, stats and cluster documents as the store writes them.

Documents follow ``aduan.report``'s schema; counts go through ``aduan.stats.filed``
and ``changed`` exactly as filing and agency actions do, so the figures the page
shows can be checked against the seeded reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from google.cloud import firestore

from aduan import names, stats
from aduan import report as r
from aduan.adapters.config_files import load_config
from aduan.ticket import ticket_for
from aduan.workdays import WIB, due_dates
from infra.localcloud import ROOT, LocalCloud, Service

CONFIG = load_config(ROOT / "config")
KEY = "test-signing-key-0123456789abcdefghijklmnop"
SEMARANG = {
    "regency_code": "3374",
    "regency_name": "Kota Semarang",
    "district_code": "3374050",
    "district_name": "Semarang Tengah",
    "village_code": "3374050001",
    "village_name": "Sekayu",
    "codes": ["3374", "3374050", "3374050001"],
}


def report_doc(
    n: int,
    received_at: datetime,
    *,
    agency_id: str = "kota-semarang",
    category: str | None = "jalan",
    status: str = r.ROUTED,
    text: str = "Jalan berlubang di Jl. Pemuda",
    is_report: bool = True,
    place: dict[str, Any] | None = SEMARANG,
    urgent: bool = False,
    cluster_id: str | None = None,
    author: str = "warga_smg",
) -> dict[str, Any]:
    """Report ``x-<1000+n>`` in ``status``, with the history, dates and flags filing and agencies give it."""
    report_id = f"x-{1_862_000_000_000_000_000 + n}"
    due_response, due_final = due_dates(received_at) if is_report else (None, None)
    history = [
        r.HistoryEntry(r.RECEIVED, received_at, "aduan").to_doc(),
        r.HistoryEntry(r.ROUTED, received_at, "aduan", CONFIG.agencies.get(agency_id).name).to_doc(),
    ]
    first_response = resolved = None
    if status in (r.IN_PROGRESS, r.RESOLVED, r.REJECTED):
        first_response = received_at + timedelta(hours=20)
        history.append(r.HistoryEntry(r.IN_PROGRESS, first_response, agency_id, "Petugas dikirim").to_doc())
    if status in (r.RESOLVED, r.REJECTED):
        resolved = received_at + timedelta(hours=60) if status == r.RESOLVED else None
        history.append(
            r.HistoryEntry(status, received_at + timedelta(hours=60), agency_id, "Sudah ditangani").to_doc()
        )
    if status == r.NOT_A_REPORT:
        history = [r.HistoryEntry(r.NOT_A_REPORT, received_at, "aduan", "otomatis: obrolan").to_doc()]
    return {
        "id": report_id,
        "ticket": ticket_for(report_id),
        "source": "x",
        "source_id": report_id[2:],
        "url": f"https://x.com/{author}/status/{report_id[2:]}",
        "lang": "in",
        "to_accounts": ["pemkotsmg"],
        "text": f"@pemkotsmg {text}",
        "author": {"id": str(900 + n), "username": author, "name": "Warga"},
        "public_text": text,
        "created_at": received_at - timedelta(minutes=3),
        "received_at": received_at,
        "updated_at": history[-1]["at"],
        "is_report": is_report,
        "kind": "keluhan" if is_report else "obrolan",
        "category": category if is_report else None,
        "confidence": 0.9,
        "needs_review": False,
        "urgent": urgent and is_report,
        "place": place,
        "agency_id": agency_id,
        "routed_by": "region",
        "status": status,
        "open": r.is_open(status),
        "public": r.is_public(status, is_report),
        "history": history,
        "due_response_at": due_response,
        "due_at": due_final,
        "first_response_at": first_response,
        "resolved_at": resolved,
        "cluster_id": cluster_id or report_id,
        "cluster_key": f"{category}|{(place or {}).get('district_code')}",
        "corrections": [],
        "stats_shard": stats.shard_doc_id(report_id, received_at),
    }


def seed(
    db: firestore.Client, docs: Iterable[dict[str, Any]], clusters: dict[str, int] | None = None
) -> None:
    """Write reports and count them as the store does: filed as received, then moved to their status."""
    for doc in docs:
        batch = db.batch()
        batch.set(db.collection(names.REPORTS).document(doc["id"]), doc)
        filed_as = {
            **doc,
            "status": r.ROUTED if doc["is_report"] else r.NOT_A_REPORT,
            "first_response_at": None,
            "resolved_at": None,
        }
        shard = db.collection(names.STATS).document(doc["stats_shard"])
        batch.set(shard, stats.filed(filed_as, firestore.Increment), merge=True)
        batch.commit()
        moved = stats.changed(filed_as, doc, firestore.Increment)
        if moved:
            shard.set(moved, merge=True)
    for cluster_id, joined in (clusters or {}).items():  # other citizens' reports of the same thing
        for n in range(joined):
            member = f"{cluster_id}-m{n}"
            db.collection(names.REPORTS).document(member).set(
                {"id": member, "cluster_id": cluster_id, "public": False}
            )


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def start_status_page(cloud: LocalCloud, port: int) -> Service:
    """functions-framework serving main.py's ``status_page`` with a signing key and its own address."""
    env = {names.ENV_LINK_SIGNING_KEY: KEY, names.ENV_STATUS_BASE_URL: f"http://127.0.0.1:{port}"}
    return cloud.start_function("status_page", port, env)


def make_client(project: str, now: datetime, key: str = KEY) -> tuple[Any, Any]:
    """An in-process client of the status page on the emulator (project ``project``) with a fixed clock."""
    from flask import Flask, request

    from aduan.adapters.firestore_status import FirestoreStatus
    from aduan.statuspage.app import App, Site

    store = FirestoreStatus(firestore.Client(project=project))
    site = Site(store, CONFIG, key, "http://127.0.0.1:8993", clock=lambda: now)
    app, flask_app = App(site), Flask("statuspage_test")
    flask_app.add_url_rule("/", "root", lambda: app.respond(request), methods=["GET", "POST", "HEAD", "PUT"])
    flask_app.add_url_rule(
        "/<path:rest>", "any", lambda rest: app.respond(request), methods=["GET", "POST", "HEAD", "PUT"]
    )
    # as main.py does for functions-framework: paths the router refuses (a newline) reach the app too
    flask_app.register_error_handler(404, lambda error: app.respond(request))
    return flask_app.test_client(), site
