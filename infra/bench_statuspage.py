"""Benchmark of the status page: requests/s of ``/`` and of a report page on a warm instance, as a ratio
to a hello-world function on the same stack (functions-framework + gunicorn, same machine, same load loop),
and Firestore reads per view.

    python -m infra.bench_statuspage [--seconds 5] [--threads 8] [--reports 400]

Starts its own emulators and functions on ports 8991– (so it can run beside tests and a demo) and
stops everything it started. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import functions_framework

BENCH_OFFSET = 310
HELLO_PORT_SHIFT = 1  # hello-world listens one port above the status page
SIGNING_KEY = "bench-signing-key-0123456789abcdefghijklmnop"


@functions_framework.http
def hello(request):
    """The baseline: the least a function on this stack can do."""
    return "Hello, World!"


# --------------------------------------------------------------------------- load


def load(
    port: int, path: str, seconds: float, threads: int, max_requests: int = 1_000_000
) -> dict[str, float]:
    """GET ``path`` over keep-alive connections from ``threads`` threads for ``seconds``; bounded in count too."""
    done, failed = [0] * threads, [0] * threads
    deadline = time.monotonic() + seconds
    per_thread = max_requests // threads

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(per_thread):
            if time.monotonic() >= deadline:
                break
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            done[i] += ok
            failed[i] += not ok
        conn.close()

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(seconds + 15)
    elapsed = time.monotonic() - started
    return {
        "requests": sum(done),
        "failed": sum(failed),
        "seconds": round(elapsed, 2),
        "rps": round(sum(done) / elapsed, 1),
    }


# --------------------------------------------------------------------------- data


def seed_bench_data(project: str, count: int, now: datetime) -> list[dict[str, Any]]:
    """``count`` reports over the last 40 days with their stats, as filing writes them."""
    from google.cloud import firestore

    from aduan import names, stats
    from aduan import report as r
    from infra.seed_reports import report_doc, seed

    db = firestore.Client(project=project)
    statuses = (r.ROUTED, r.IN_PROGRESS, r.RESOLVED, r.REJECTED)
    docs = []
    for n in range(count):
        received = now - timedelta(hours=n * 40 * 24 / count)
        doc = report_doc(n, "kota-magelang", received, status=statuses[n % len(statuses)])
        doc["stats_shard"] = stats.shard_doc_id(doc["id"], received)
        docs.append(doc)
    seed(db, docs)
    batch = db.batch()
    for i, doc in enumerate(docs, 1):
        batch.set(
            db.collection(names.STATS).document(doc["stats_shard"]),
            stats.filed(doc, firestore.Increment),
            merge=True,
        )
        if i % 200 == 0:
            batch.commit()
            batch = db.batch()
    batch.commit()
    return docs


def reads_per_view(project: str, overview: str, reports: list[str], views: int = 20) -> dict[str, float]:
    """Firestore documents read per view, in-process on the same code: warm views of ``/``, of one
    report, of the Open311 listings and lookups and of an agency's pages; first views (a cold cache)
    of the same; and first views of ``len(reports)`` different reports (a cache miss each)."""
    from flask import Flask, request
    from google.cloud import firestore

    from aduan.adapters.config_files import load_config
    from aduan.adapters.firestore_status import FirestoreStatus
    from aduan.statuspage.app import App, Site
    from infra.localcloud import ROOT

    store = FirestoreStatus(firestore.Client(project=project))
    app = App(Site(store, load_config(ROOT / "config"), SIGNING_KEY, "http://127.0.0.1"))
    flask_app = Flask("bench")

    def view(path: str, ok: tuple[int, ...] = (200,)) -> int:
        before = store.reads
        with flask_app.test_request_context(path):
            assert app.respond(request).status_code in ok, path
        return store.reads - before

    ticket = reports[0].rsplit("/", 1)[-1]
    paths = {
        "/": overview,
        "/laporan/<ticket>": reports[0],
        "/open311/v2/requests.json (default listing, 50)": "/open311/v2/requests.json",
        "/open311/v2/requests.xml?page=3&page_size=20": "/open311/v2/requests.xml?page=3&page_size=20",
        "/open311/v2/requests/<ticket>.json": f"/open311/v2/requests/{ticket}.json",
        "/open311/v2/requests/<unknown>.json (404)": "/open311/v2/requests/ZZZZZZZZ.json",
        "/instansi/<agency>?halaman=2": "/instansi/kota-magelang?halaman=2",
    }
    result: dict[str, Any] = {"warm": {}, "cold": {}}
    for name, path in paths.items():
        app.site.cache.clear()
        result["cold"][name] = view(path, ok=(200, 404))
        result["warm"][name] = sum(view(path, ok=(200, 404)) for _ in range(views)) / views
    app.site.cache.clear()
    result["/laporan/<ticket> first view, each a different ticket"] = sum(view(p) for p in reports[1:]) / (
        len(reports) - 1
    )
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--reports", type=int, default=400)
    args = parser.parse_args(argv)

    from infra.localcloud import FUNCTIONS_DIR, ROOT, LocalCloud, Ports

    sys.path.insert(0, str(FUNCTIONS_DIR))
    from aduan import names

    cloud = LocalCloud(
        project="bench-status", ports=Ports().shifted(BENCH_OFFSET), state_dir=ROOT / ".localcloud"
    )
    status_port, hello_port = cloud.ports.status, cloud.ports.status + HELLO_PORT_SHIFT
    env = {
        names.ENV_LINK_SIGNING_KEY: SIGNING_KEY,
        names.ENV_STATUS_BASE_URL: f"http://127.0.0.1:{status_port}",
    }
    try:
        cloud.start_emulators()
        docs = seed_bench_data(cloud.project, args.reports, datetime.now(UTC))
        cloud.start_function("status_page", status_port, env, name="bench-status_page")
        cloud.start_function("hello", hello_port, env, source=Path(__file__), name="bench-hello")
        report_path = f"/laporan/{docs[0]['ticket']}"
        listing = "/open311/v2/requests.json"
        for port, path in (
            (hello_port, "/"),
            (status_port, "/"),
            (status_port, report_path),
            (status_port, listing),
        ):
            load(port, path, 1.0, 2)  # warm: imports, caches, connections
        results = {
            "hello": load(hello_port, "/", args.seconds, args.threads),
            "overview": load(status_port, "/", args.seconds, args.threads),
            "report": load(status_port, report_path, args.seconds, args.threads),
            "open311_listing": load(status_port, listing, args.seconds, args.threads),
        }
        reads = reads_per_view(cloud.project, "/", [f"/laporan/{d['ticket']}" for d in docs[:21]])
    finally:
        cloud.stop()
    hello_rps = results["hello"]["rps"] or 1.0
    print(
        json.dumps(
            {
                "threads": args.threads,
                "seconds": args.seconds,
                "reports": args.reports,
                "requests_per_s": {k: v["rps"] for k, v in results.items()},
                "ratio_to_hello": {
                    k: round(results[k]["rps"] / hello_rps, 3)
                    for k in ("overview", "report", "open311_listing")
                },
                "failed": {k: v["failed"] for k, v in results.items()},
                "firestore_reads_per_view": reads,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    from infra.localcloud import run_stoppable

    sys.exit(run_stoppable(main, sys.argv[1:]))
