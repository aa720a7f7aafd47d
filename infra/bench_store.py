"""End-to-end on the emulators: simulator → fetch → Pub/Sub push → classify_mention → Firestore.

Two runs on one functions-framework process fed by the real push subscription:
a backlog of N posts fetched in one poll cycle, and a steady burst published at a
fixed rate (100 posts/s by default). Writes per post are *counted*: the function
logs the number of documents each commit wrote. The hottest document's write
rate is measured from where each filed report was counted (its stats shard) and
when it was filed.

    python -m infra.bench_store [--posts 10000] [--rate 100] [--burst-s 20]   # prints JSON
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from google.cloud import firestore

from aduan import names
from aduan.adapters.config_files import load_config
from aduan.adapters.firestore_checkpoints import FirestoreCheckpoints
from aduan.adapters.pubsub import TopicPublisher
from aduan.adapters.x_api import XApi
from aduan.fetch_job import SystemClock
from aduan.ingest import Poller, PollSettings, search_queries
from aduan.mention import Author, Mention
from infra.localcloud import ROOT, LocalCloud, Ports, run_stoppable
from infra.wiring import wire_pubsub
from infra.xsim import Simulator
from infra.xsim.generator import Account

PORTS = Ports().shifted(450)


class TimedPublisher(TopicPublisher):
    """Remembers when each post was handed to Pub/Sub, for publish → stored latency."""

    def __init__(self, project: str) -> None:
        super().__init__(project, names.MENTIONS_TOPIC)
        self.sent_at: dict[str, float] = {}

    def publish(self, data, attributes):
        self.sent_at.setdefault(attributes["source_id"], time.time())
        return super().publish(data, attributes)


def filed_reports(db: firestore.Client, want: int, timeout_s: float) -> list[dict]:
    """Wait (bounded) until ``want`` reports exist or the count stops moving for 20 s."""
    deadline, last, still = time.monotonic() + timeout_s, -1, time.monotonic()
    reports = db.collection(names.REPORTS)
    while time.monotonic() < deadline:
        count = reports.count().get()[0][0].value
        if count != last:
            last, still = count, time.monotonic()
        if count >= want or time.monotonic() - still > 20:
            break
        time.sleep(1)
    return [s.to_dict() for s in reports.select(["id", "source_id", "received_at", "stats_shard"]).stream()]


def latency(reports: list[dict], sent_at: dict[str, float]) -> dict:
    delays = sorted(
        r["received_at"].timestamp() - sent_at[r["source_id"]] for r in reports if r["source_id"] in sent_at
    )
    if not delays:
        return {}
    first = min(sent_at[r["source_id"]] for r in reports if r["source_id"] in sent_at)
    last = max(r["received_at"].timestamp() for r in reports)
    return {
        "filed": len(delays),
        "posts_per_s": round(len(delays) / max(1e-6, last - first), 1),
        "latency_p50_s": round(statistics.median(delays), 2),
        "latency_p95_s": round(delays[int(0.95 * (len(delays) - 1))], 2),
    }


def hottest(reports: list[dict]) -> dict:
    """The most-written document: max writes within one second, and its mean rate over the run."""
    per_second = Counter((r["stats_shard"], int(r["received_at"].timestamp())) for r in reports)
    per_doc = Counter(r["stats_shard"] for r in reports)
    span = max(r["received_at"].timestamp() for r in reports) - min(
        r["received_at"].timestamp() for r in reports
    )
    doc, total = per_doc.most_common(1)[0]
    return {
        "hottest_doc": doc,
        "max_writes_in_one_second": max(per_second.values()),
        "hottest_mean_writes_per_s": round(total / max(1.0, span), 2),
        "distinct_hot_docs": len(per_doc),
    }


def write_counts(log: Path) -> dict:
    """Writes per commit from the function's log (one JSON object per line)."""
    writes, unreadable = [], 0
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{") and '"writes":' in line:
            try:
                writes.append(json.loads(line)["writes"])
            except ValueError:
                unreadable += 1
    filed = [w for w in writes if w]
    return {
        "commits": len(writes),
        "duplicates": writes.count(0),
        "writes_per_filed_post": round(sum(filed) / max(1, len(filed)), 3),
        "max_writes_per_post": max(filed or [0]),
        "unreadable_log_lines": unreadable,
    }


def backlog(cloud: LocalCloud, posts: int) -> dict:
    config = load_config(ROOT / "config")
    accounts = [(acc.user_id, acc.username) for _, acc in config.agencies.accounts]
    sim = Simulator(seed=5, accounts=[Account(n, u, n, ("33",)) for u, n in accounts])
    base = sim.start(port=0)
    try:
        sim.generate(posts, minutes=180)
        publisher = TimedPublisher(cloud.project)
        db = firestore.Client(project=cloud.project)
        poller = Poller(
            XApi("bench", base),
            publisher,
            FirestoreCheckpoints(db),
            SystemClock(),
            PollSettings(max_requests=2000, deadline_s=900),
            lambda *a, **k: None,
        )
        report = poller.run(
            search_queries(accounts), dict(accounts), {n for _, n in accounts}, "search"
        ).to_dict()
        reports = filed_reports(db, len(publisher.sent_at), 1800)
        return {
            "published": report["published"],
            "x_requests": report["requests"],
            **latency(reports, publisher.sent_at),
        }
    finally:
        sim.stop()


def burst(cloud: LocalCloud, rate: int, seconds: int) -> dict:
    """Publish ``rate`` posts per second for ``seconds``, like a flood hitting one city."""
    publisher = TimedPublisher(cloud.project)
    db = firestore.Client(project=cloud.project)
    already = db.collection(names.REPORTS).count().get()[0][0].value
    texts = [
        f"@pemkotsmg banjir setinggi lutut di Kelurahan Tlogosari Kulon RT {n}, air masuk rumah"
        for n in range(50)
    ]
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    handles, sent = [], 0
    start = time.monotonic()
    for second in range(seconds):
        for n in range(rate):
            post_id = str(2_000_000_000_000_000_000 + second * rate + n)
            m = Mention(
                "x",
                post_id,
                f"https://x.com/i/status/{post_id}",
                texts[n % len(texts)],
                "in",
                now,
                Author("1", "warga", "Warga"),
                ("pemkotsmg",),
                post_id,
                None,
                (),
                None,
                now,
            )
            handles.append(publisher.publish(*m.to_message()))
            sent += 1
        time.sleep(max(0.0, start + second + 1 - time.monotonic()))
    publisher.confirm(handles, 120)
    offered = sent / (time.monotonic() - start)
    reports = [r for r in filed_reports(db, already + sent, 900) if r["source_id"] in publisher.sent_at]
    return {
        "offered_posts_per_s": round(offered, 1),
        **latency(reports, publisher.sent_at),
        **hottest(reports),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--burst-s", type=int, default=20)
    args = parser.parse_args(argv)
    cloud = LocalCloud(project="bench-store", ports=PORTS)
    try:
        cloud.start_emulators()
        wire_pubsub(cloud)
        function = cloud.start_function(names.CLASSIFY_MENTION, cloud.ports.classify)
        results = {"backlog": backlog(cloud, args.posts)}
        results["burst"] = burst(cloud, args.rate, args.burst_s)
        results["writes"] = write_counts(function.log)
    finally:
        cloud.stop()
    print(json.dumps({"store": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(run_stoppable(main, sys.argv[1:]))
