"""`make bench`: measure the DESIGN.md budgets on the local cloud and write docs/benchmarks.md.

Figures are reported beside the floor they are compared with, as ratios where the
machine's noise matters. Every run is bounded in count and time; only loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from google.cloud import firestore

from aduan.adapters.firestore_checkpoints import FirestoreCheckpoints
from aduan.adapters.pubsub import TopicPublisher
from aduan.adapters.x_api import XApi
from aduan.fetch_job import SystemClock
from aduan.ingest import Poller, PollSettings, mention_queries, search_queries
from infra import bench_replies
from infra.localcloud import ROOT, LocalCloud, Ports, run_stoppable
from infra.wiring import drain, tap, wire_pubsub
from infra.xsim import Simulator
from infra.xsim.generator import Account

# Another offset lets a second checkout bench on the same machine (ADUAN_BENCH_PORT_OFFSET).
BENCH_PORTS = Ports().shifted(int(os.environ.get("ADUAN_BENCH_PORT_OFFSET", "400")))
ACCOUNTS = 35
MENTIONS = 10_000
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": f"{ROOT / 'functions'}:{ROOT}"}


def bench_accounts() -> list[Account]:
    return [
        Account(f"akun_pemda{n:02d}", str(1_200_000_000_000_000_000 + n), f"Pemda {n}", ("33",))
        for n in range(ACCOUNTS)
    ]


def silent(*args, **kwargs) -> None:
    return None


def ingestion(cloud: LocalCloud) -> dict:
    """10,000 mentions over 35 accounts, simulator → Pub/Sub, per-account polling vs batched search."""
    results = {}
    for mode in ("mentions", "search"):
        sim = Simulator(seed=3, accounts=bench_accounts())
        base = sim.start(port=0)
        try:
            sim.generate(MENTIONS, minutes=60)
            cloud.project = f"bench-{mode}"
            wire_pubsub(cloud, push=False)
            sub = tap(cloud, "bench-tap")
            accounts = [(a.user_id, a.username) for a in bench_accounts()]
            queries = mention_queries(accounts) if mode == "mentions" else search_queries(accounts)
            poller = Poller(
                XApi("bench", base),
                TopicPublisher(cloud.project, "mentions"),
                FirestoreCheckpoints(firestore.Client(project=cloud.project)),
                SystemClock(),
                PollSettings(max_requests=1000, deadline_s=600),
                silent,
            )
            started = time.perf_counter()
            first = poller.run(queries, dict(accounts), {n for _, n in accounts}, mode).to_dict()
            elapsed = time.perf_counter() - started
            first_ids = {m.attributes["source_id"] for m in drain(sub, timeout_s=120)}
            # A steady 5-minute cycle at the same traffic rate as the backlog hour. Its look-back
            # re-reads posts the first cycle read the same UTC day: X bills those once.
            steady_new = MENTIONS // 12
            sim.generate(steady_new, minutes=5)
            before = sim.stats()
            steady = poller.run(queries, dict(accounts), {n for _, n in accounts}, mode).to_dict()
            after = sim.stats()
            served = after["posts_served"] - before["posts_served"]
            billed = after["posts_billed"] - before["posts_billed"]
            steady_ids = [m.attributes["source_id"] for m in drain(sub, timeout_s=120)]
            new_ids = set(steady_ids) - first_ids
            results[mode] = {
                "first_cycle_published": first["published"],
                "distinct_on_topic": len(first_ids),
                "first_cycle_s": round(elapsed, 2),
                "posts_per_s": round(first["published"] / elapsed),
                "requests_first_cycle": first["requests"],
                "requests_steady_cycle": steady["requests"],
                "steady_new_mentions": len(new_ids),
                "posts_read_per_new_mention_steady": round(served / max(1, len(new_ids)), 3),
                "posts_billed_per_new_mention_steady": round(billed / max(1, len(new_ids)), 3),
                "steady_republished": len(steady_ids) - len(new_ids),
                "lookback_min": PollSettings().lookback.total_seconds() / 60,
            }
        finally:
            sim.stop()
    return results


def import_time(runs: int = 7) -> dict:
    """Cold import of the fetch_mentions entry point vs just the libraries it needs, fresh processes."""

    def median(code: str) -> float:
        samples = []
        for _ in range(runs):
            out = subprocess.run(
                [PY, "-c", f"import time; t=time.perf_counter(); {code}; print(time.perf_counter()-t)"],
                capture_output=True,
                text=True,
                env={**ENV, "GOOGLE_CLOUD_PROJECT": "bench"},
                cwd=ROOT / "functions",
                timeout=120,
                check=True,
            )
            samples.append(float(out.stdout.strip().splitlines()[-1]))
        return statistics.median(samples)

    libs = median("import functions_framework, google.cloud.pubsub, google.cloud.firestore, tweepy")
    entry = median("import main; import aduan.fetch_job")
    return {"libraries_s": round(libs, 3), "entry_point_s": round(entry, 3), "ratio": round(entry / libs, 3)}


def sub_bench(module: str, *args: str) -> dict:
    out = subprocess.run(
        [PY, "-m", module, *args], capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=900, check=True
    )
    return json.loads(out.stdout[out.stdout.index("{") :])


def store_section(store: dict) -> list[str]:
    back, burst, writes = store["backlog"], store["burst"], store["writes"]
    return [
        "## Store: simulator → fetch → Pub/Sub push → classify_mention → Firestore (emulators)",
        "",
        "One functions-framework process behind the local push relay (a pull subscription with production's dead-letter policy; infra/wiring.py).",
        "",
        "| figure | backlog (one poll cycle) | steady burst | budget |",
        "| --- | --- | --- | --- |",
        f"| posts filed | {back.get('filed')} of {back.get('published')} published | {burst.get('filed')} "
        f"(offered {burst.get('offered_posts_per_s')}/s) | — |",
        f"| posts/s filed | {back.get('posts_per_s')} | {burst.get('posts_per_s')} | — |",
        f"| latency publish → stored, p50 / p95 | {back.get('latency_p50_s')} s / {back.get('latency_p95_s')} s "
        f"(queueing behind the backlog) | {burst.get('latency_p50_s')} s / {burst.get('latency_p95_s')} s | — |",
        f"| Firestore writes per filed post (counted from each commit's write results) | "
        f"{writes['writes_per_filed_post']} (max {writes['max_writes_per_post']}; {writes['duplicates']} "
        f"duplicates wrote 0) | | ≤ 3 |",
        f"| hottest document: max writes in one second / mean writes/s | | "
        f"{burst.get('max_writes_in_one_second')} / {burst.get('hottest_mean_writes_per_s')} "
        f"({burst.get('distinct_hot_docs')} stats shards written) | ≈ 1/s |",
        "",
        "Reports are written once each (create); the only documents written repeatedly are the 128 monthly "
        "stats shards, picked by a hash of the report id, so at 100 posts/s each shard takes about "
        "100/128 = 0.8 writes/s. Clusters have no document (their size is a count()), so a flood of "
        "similar posts makes no hot spot. One functions-framework process (1 worker, 8 threads) on this "
        "2-core machine, sharing it with both emulators, files fewer than 100 posts/s; production scales "
        "out instances, and the shard arithmetic above is what bounds the hottest document there.",
        "",
    ]


def ingestion_section(ing: dict) -> list[str]:
    men, sea = ing["mentions"], ing["search"]
    return [
        "## Ingestion: 10,000 mentions over 35 accounts, simulator → Pub/Sub emulator",
        "",
        "| figure | per-account mentions | batched recent search | budget |",
        "| --- | --- | --- | --- |",
        f"| X requests, first cycle (backlog) | {men['requests_first_cycle']} | {sea['requests_first_cycle']} | — |",
        f"| X requests, steady 5-minute cycle | {men['requests_steady_cycle']} | "
        f"{sea['requests_steady_cycle']} | far below one per account ({ACCOUNTS}) |",
        f"| posts read per new mention, billed (unique posts per UTC day, as X bills; steady 5-minute "
        f"cycle at the backlog's rate, {sea['steady_new_mentions']} new) | "
        f"{men['posts_billed_per_new_mention_steady']} | {sea['posts_billed_per_new_mention_steady']} | ≤ 1.05 |",
        f"| posts read per new mention, raw (every post of every page, the {sea['lookback_min']:g}-minute "
        f"look-back included) | {men['posts_read_per_new_mention_steady']} | "
        f"{sea['posts_read_per_new_mention_steady']} | — |",
        f"| posts published again by the steady cycle (look-back re-reads) | {men['steady_republished']} | "
        f"{sea['steady_republished']} | 0 |",
        f"| posts published, first cycle | {men['first_cycle_published']} | {sea['first_cycle_published']} | — |",
        f"| posts/s, first cycle | {men['posts_per_s']} | {sea['posts_per_s']} | — |",
        "",
        "Every sweep re-reads a look-back below its checkpoint, for posts X indexes minutes late. X bills "
        "a post read more than once in a UTC day once (the simulator counts reads the same way), so the "
        "re-read costs requests, not billed posts; the checkpoint keeps the ids it already published, so "
        "nothing is published twice. Per-account polling reads each post once per polled account it "
        "mentions, and retweets (read, billed, never filed); batched search excludes retweets and reads "
        "a post to accounts in both of its 512-character queries twice in the same day, billed once. "
        "What the look-back does cost is pages: each steady cycle re-reads the posts of the last "
        f"{sea['lookback_min']:g} minutes, which at this rate (10,000 mentions an hour) triples the batched "
        "requests; at a few hundred mentions an hour the look-back fits in the page a query reads anyway.",
        "",
    ]


def replace_section(text: str, heading: str, lines: list[str]) -> str:
    """``text`` with the ``## `` section starting at ``heading`` replaced by ``lines``."""
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    body = "\n".join(lines).rstrip("\n")
    return text[:start] + body + ("\n\n" + text[end + 1 :] if end >= 0 else "\n")
def classifier_section(cls: dict) -> list[str]:
    """docs/benchmarks.md's classifier table from infra/bench_classifier.py's JSON."""
    speed, warm, texts, train = cls["speed"], cls["warmup"], cls["texts"], cls["training"]
    quality = cls["quality"]
    rows = [
        "## Classifier (`python -m infra.bench --only classifier`; docs/classification.md)",
        "",
        f"Texts: {texts['posts']} posts, mean {texts['mean_chars']} characters, p95 {texts['p95_chars']}, "
        f"{texts['share_over_1000']:.1%} over 1,000, longest {texts['max_chars']}.",
        "",
        "| figure | measured | budget |",
        "| --- | --- | --- |",
        f"| posts/s, one core, whole `understand()` with the model (CPU time; wall) | "
        f"{speed['posts_per_s_cpu']} ({speed['posts_per_s_wall']}) | ≥ 5,000 |",
        f"| of which redaction (redact.py) | {speed['redact_us_per_post']} µs of {speed['us_per_post']} µs "
        f"({speed['redact_share']:.0%}) | — |",
        f"| rules alone, posts/s | {speed['rules_only_posts_per_s_cpu']} | — |",
        f"| warm-up: import + load with model + first call, fresh process (median; max) | "
        f"{warm['warmup_ms']} ms ({warm['warmup_ms_max']} ms) | ≤ 60 ms |",
        f"| floor: a fresh process parsing the same compiled.json and model.json; ratio | "
        f"{warm.get('floor_ms')} ms; warm-up = {warm.get('warmup_to_floor')} × floor | — |",
        f"| training on base data + {train['corrections']:,} corrections (CPU; wall) | "
        f"{train['training_cpu_s']} s ({train['training_wall_s']} s) | ≤ 60 s |",
        f"| artifact: shipped; after {train['corrections']:,} corrections | {warm['shipped_model_bytes']:,} B; "
        f"{train['artifact_bytes']:,} B | ≤ 5 MB |",
        f"| warm-up with the {train['corrections']:,}-correction model (median) | "
        f"{train['warmup_ms_with_this_model']} ms | ≤ 60 ms |",
        "",
        "| held-out | gate precision | gate recall | category accuracy | category macro-F1 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in ("rules", "base_model", "combination"):
        m = quality[name]
        rows.append(
            f"| {name.replace('_', ' ')} | {m['gate_precision']} | {m['gate_recall']} | "
            f"{m['category_accuracy']} | {m['category_macro_f1']} |"
        )
    rows += [
        "",
        "Learning curve: held-out label accuracy after n corrections (combination trained on base + them; "
        "TF-IDF + LinearSVC on them alone), ratio = combination / LinearSVC:",
        "",
        "| corrections | combination | TF-IDF + LinearSVC | ratio | rerouted deployment: combination | "
        "LinearSVC | ratio |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    rerouted = {p["corrections"]: p for p in cls.get("learning_curve_rerouted", {}).get("points", [])}
    for point in cls["learning_curve"]["points"]:
        if "skipped" in point:
            rows.append(f"| {point['corrections']:,} | skipped ({point['skipped']}) | | | | | |")
            continue
        cells = [f"{point['corrections']:,}"]
        for p in (point, rerouted.get(point["corrections"])):
            ours = p["combination"]["label_accuracy"] if p else None
            svm = p["tfidf_linearsvc"]["label_accuracy"] if p and p["tfidf_linearsvc"] else None
            ratio = f"{ours / svm:.2f}" if ours and svm else "—"
            cells += [str(ours) if ours is not None else "—", str(svm) if svm is not None else "—", ratio]
        rows.append("| " + " | ".join(cells) + " |")
    if "learning_curve_rerouted" in cls:
        rows += [
            "",
            "Rerouted: the corrections and the held-out posts carry another deployment's routing "
            f"({', '.join(f'{a} → {b}' for a, b in cls['learning_curve_rerouted']['rerouted'].items())}); "
            "the base data keeps the default taxonomy's labels.",
        ]
    return [*rows, ""]


def write(results: dict) -> Path:
    ing, imp = results["ingestion"], results["import"]
    cls = results["classifier"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {results['at']} ({platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}). The machine is shared and noisy: read ratios, not absolutes.",
        "",
        *ingestion_section(ing),
        "## Cold start",
        "",
        "| figure | measured | floor | ratio | budget |",
        "| --- | --- | --- | --- | --- |",
        f"| import of `fetch_mentions` (main + its job module, config validated) | {imp['entry_point_s']} s | "
        f"{imp['libraries_s']} s (functions_framework, pubsub, firestore, tweepy) | {imp['ratio']} | ≤ 1.15 |",
        "",
        *classifier_section(cls),
        *store_section(results["store"]["store"]),
        "## Digest",
        "",
        "```json",
        json.dumps(results["digest"], indent=2),
        "```",
        "",
        "## Status page",
        "",
        "```json",
        json.dumps(results["statuspage"], indent=2),
        "```",
        "",
        *bench_replies.section(results["replies"]),
    ]
    path = ROOT / "docs" / "benchmarks.md"
    path.write_text("\n".join(lines))
    return path


def run_ingestion() -> dict:
    cloud = LocalCloud(project="bench", ports=BENCH_PORTS)
    try:
        cloud.start_emulators()
        return ingestion(cloud)
    finally:
        cloud.stop()


# Sections that run on their own (``python -m infra.bench --only NAME``): the figures are printed;
# a section with a writer here also rewrites its part of docs/benchmarks.md.
ONLY: dict[str, Callable[[], dict]] = {
    "ingestion": run_ingestion,
    "statuspage": lambda: sub_bench("infra.bench_statuspage"),
    "replies": lambda: sub_bench("infra.bench_replies"),
    "classifier": lambda: sub_bench("infra.bench_classifier"),
}
SECTION_WRITERS: dict[str, tuple[str, Callable[[dict], list[str]]]] = {
    "ingestion": ("## Ingestion", ingestion_section),
    "classifier": ("## Classifier", classifier_section),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.bench", description=__doc__)
    parser.add_argument("--only", choices=sorted(ONLY), help="run one section (see ONLY)")
    args = parser.parse_args(argv)
    if args.only:
        figures = ONLY[args.only]()
        print(json.dumps({args.only: figures}, indent=2))
        if args.only in SECTION_WRITERS:
            heading, lines = SECTION_WRITERS[args.only]
            path = ROOT / "docs" / "benchmarks.md"
            path.write_text(replace_section(path.read_text(), heading, lines(figures)))
            print(f"rewrote the {heading[3:]} section of {path}")
        return 0
    results: dict = {"at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    results["ingestion"] = run_ingestion()
    results["store"] = sub_bench("infra.bench_store")
    results["import"] = import_time()
    results["classifier"] = sub_bench("infra.bench_classifier")
    results["digest"] = sub_bench("infra.bench_digest")
    results["statuspage"] = sub_bench("infra.bench_statuspage")
    results["replies"] = sub_bench("infra.bench_replies")
    print(json.dumps(results, indent=2))
    print(f"wrote {write(results)}")
    return 0


if __name__ == "__main__":
    sys.exit(run_stoppable(main))
