"""Digest figures for ``make bench``: render time, HTML size and Firestore reads per digest.

For agencies with 0, 100 and 10,000 reports in the week (plus an open backlog of 50
older reports and 10 resolved this week), seeded into the Firestore emulator.
Reads are counted by the adapter as documents come back, not estimated. Uses the
running emulator when FIRESTORE_EMULATOR_HOST is set, else starts its own.

    python -m infra.bench_digest      # prints JSON
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import timedelta

from google.cloud import firestore

from aduan import report
from aduan.adapters.config_files import load_config
from aduan.adapters.firestore_digest import FirestoreDigestSource
from aduan.digest import model, render
from aduan.digest.job import gather
from aduan.digest.week import IsoWeek
from infra.localcloud import ROOT, LocalCloud, Ports, run_stoppable
from infra.seed_reports import report_doc, seed

SIZES = (0, 100, 10_000)
BACKLOG, RESOLVED, RENDER_REPEATS = 50, 10, 5
WEEK = IsoWeek.parse("2026-W48")
AGENCY = "kota-magelang"


def _docs(count: int) -> list[dict]:
    start = WEEK.start
    week = [
        report_doc(
            n,
            AGENCY,
            start + timedelta(seconds=(7 * 86400 - 1) * n // max(count, 1)),
            urgent=n % 40 == 0,
            needs_review=n % 25 == 0,
            cluster_id=f"x-c{n % 300}",
        )
        for n in range(count)
    ]
    backlog = [report_doc(50_000 + n, AGENCY, start - timedelta(days=4 + n)) for n in range(BACKLOG)]
    closed = [
        report_doc(
            60_000 + n,
            AGENCY,
            start - timedelta(days=3),
            status=report.RESOLVED,
            resolved_at=start + timedelta(days=1, hours=n),
        )
        for n in range(RESOLVED)
    ]
    return week + backlog + closed


def measure(project: str, count: int) -> dict:
    config = load_config(ROOT / "config")
    agency = config.agencies.get(AGENCY)
    assert agency is not None
    db = firestore.Client(project=project)
    seed(db, _docs(count))
    source = FirestoreDigestSource(db)
    now = WEEK.end + timedelta(hours=7)
    began = time.perf_counter()
    digest = gather(agency, config, WEEK, now, source, model.Links("https://status.example"))
    read_s = time.perf_counter() - began
    timings, html = [], ""
    for _ in range(RENDER_REPEATS):
        began = time.perf_counter()
        html = render.render(digest).html
        timings.append(time.perf_counter() - began)
    return {
        "reports_in_week": count,
        "open_backlog": BACKLOG,
        "resolved_in_week": RESOLVED,
        "firestore_reads": source.reads,
        "read_and_build_ms": round(read_s * 1000, 1),
        "render_ms_median": round(statistics.median(timings) * 1000, 1),
        "html_bytes": len(html.encode()),
        "html_budget_bytes": render.HTML_BUDGET_BYTES,
    }


def main() -> None:
    cloud = None
    if not os.environ.get("FIRESTORE_EMULATOR_HOST"):
        cloud = LocalCloud(project="bench-digest", ports=Ports().shifted(300))
        cloud.start_emulators()
    try:
        stamp = int(time.time())
        results = [measure(f"bench-digest-{n}-{stamp}", n) for n in SIZES]
    finally:
        if cloud:
            cloud.stop()
    print(json.dumps({"digest": results}, indent=2))


if __name__ == "__main__":
    sys.exit(run_stoppable(main))
