"""`make demo`: the whole pipeline on the local cloud, on the embedded default configuration.

X API simulator → fetch_mentions → Pub/Sub push → classify_mention → Firestore →
send_digests → SMTP sink (saved as .eml/.html) → status page on 127.0.0.1.
It then serves the status page until it is stopped — Ctrl-C, SIGTERM (``timeout``, ``kill``),
SIGHUP (a closed terminal), or after ``ADUAN_DEMO_SERVE_S`` seconds (default 3600; 0: do not
serve) — piped or not, and on every one of these stops everything it started
(``infra.localcloud.stopping_on_signals``). ``ADUAN_DEMO_PORT_OFFSET`` shifts its ports.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import time
from collections import Counter
from datetime import UTC, datetime

import requests
from google.cloud import firestore, pubsub_v1

from aduan import names, ticket
from infra import demo_agency, demo_replies
from infra.localcloud import (
    DEMO_PORTS,
    HOST,
    ROOT,
    LocalCloud,
    Stopped,
    port_open,
    stopping_on_signals,
    wait_until,
)
from infra.wiring import drain, wire_pubsub

POSTS = int(os.environ.get("ADUAN_DEMO_POSTS", "400"))
OUT = ROOT / "build" / "demo"


def function_env(cloud: LocalCloud) -> dict[str, str]:
    return {
        "ADUAN_LINK_SIGNING_KEY": secrets.token_urlsafe(32),  # fresh per demo run, never stored
        "ADUAN_MAIL_FROM": "aduan@localhost.localdomain",
        "ADUAN_SMTP_STARTTLS": "false",
        "ADUAN_FETCH_MODE": "search",
        "ADUAN_ALERTS": "on",  # urgent alerts to the SMTP sink, within a minute of filing
    }


def settle(db: firestore.Client, expected: int, timeout_s: float = 180) -> int:
    """Wait until every published post is filed (or dead-lettered), bounded in time."""
    deadline = time.monotonic() + timeout_s
    last, stable_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = db.collection(names.REPORTS).count().get()[0][0].value
        if count != last:
            last, stable_since = count, time.monotonic()
        if count >= expected or time.monotonic() - stable_since > 15:
            return count
        time.sleep(1)
    return last


def summarize(db: firestore.Client, dead: int) -> None:
    reports = [s.to_dict() for s in db.collection(names.REPORTS).stream()]
    real = [r for r in reports if r["is_report"]]
    print(
        f"\n{len(reports)} posts filed: {len(real)} reports, {len(reports) - len(real)} not reports "
        f"({', '.join(f'{k} {n}' for k, n in Counter(r['kind'] for r in reports if not r['is_report']).most_common())})"
    )
    print(f"dead-lettered messages: {dead}")
    print("\nreports per agency and category:")
    by_agency = Counter((r["agency_id"], r["category"]) for r in real)
    for agency in sorted({a for a, _ in by_agency}):
        cats = ", ".join(f"{c} {n}" for (a, c), n in by_agency.most_common() if a == agency)
        print(f"  {agency:28} {cats}")
    clusters = Counter(r["cluster_id"] for r in real)
    big = [(cid, n) for cid, n in clusters.most_common() if n > 1]
    print(f"\nclusters with more than one report: {len(big)}")
    for cid, n in big[:5]:
        head = next(r for r in real if r["id"] == cid) if any(r["id"] == cid for r in real) else None
        label = head["public_text"][:70] if head else cid
        print(f"  {n} warga melaporkan hal yang sama: {label}")
    print(f"\nurgent: {sum(r['urgent'] for r in real)}, needs review: {sum(r['needs_review'] for r in real)}")
    alerts = [s.to_dict() for s in db.collection(names.ALERTS).stream()]
    mails = sum(c.get("state") == "sent" for a in alerts for c in (a.get("channels") or {}).values())
    reasons = Counter(a["reason"] for a in alerts)
    print(
        f"urgent alerts: {len(alerts)} ({', '.join(f'{k} {n}' for k, n in reasons.items()) or 'none'}), {mails} e-mails"
    )
    print("\nexample reports:")
    for r in sorted(real, key=lambda r: r["id"])[:5]:
        place = (
            (r.get("place") or {}).get("district_name") or (r.get("place") or {}).get("regency_name") or "-"
        )
        print(
            f"  {ticket.display(r['ticket'])}  {r['category']:13} {r['agency_id']:26} {place:16} "
            f"{r['public_text'][:60]!r}"
        )


def serve_limit_s() -> float:
    raw = os.environ.get("ADUAN_DEMO_SERVE_S", "3600")
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise SystemExit(f"ADUAN_DEMO_SERVE_S must be a number of seconds, got {raw!r}") from None


def main() -> int:
    try:
        with stopping_on_signals():
            return run(serve_limit_s())
    except Stopped as stop:
        print(f"demo {stop}; everything it started is stopped", flush=True)
        return 128 + stop.signum


def run(serve_s: float) -> int:
    cloud = LocalCloud(project="demo-aduan", ports=DEMO_PORTS)
    env = function_env(cloud)
    try:
        print("starting the local cloud (Firestore and Pub/Sub emulators)…", flush=True)
        cloud.start_emulators()
        wire_pubsub(cloud)
        cloud.start_simulator(seed=1, generate=POSTS)
        cloud.start_smtp_sink(OUT / "mail")
        for target, port in (
            ("classify_mention", cloud.ports.classify),
            ("fetch_mentions", cloud.ports.fetch),
            ("send_digests", cloud.ports.digests),
            ("status_page", cloud.ports.status),
        ):
            cloud.start_function(target, port, env)
        print(f"X API simulator: {POSTS} posts waiting for the agencies' accounts", flush=True)

        run = requests.post(f"http://{HOST}:{cloud.ports.fetch}/", timeout=300).json()
        print(
            f"fetch_mentions ({run['mode']}): {run['published']} posts published with {run['requests']} "
            f"X requests for {len(run['accounts'])} accounts, gaps {run['gaps']}, errors {run['errors']}"
        )
        db = firestore.Client(project=cloud.project)
        settle(db, run["published"])
        dead_sub = pubsub_v1.SubscriberClient.subscription_path(cloud.project, names.DEAD_LETTER_SUBSCRIPTION)
        summarize(db, len(drain(dead_sub, idle_s=0.5, timeout_s=5)))
        demo_replies.run(cloud, env)

        week = datetime.now(UTC).strftime("%G-W%V")  # the demo's posts are this week's
        digest = requests.post(f"http://{HOST}:{cloud.ports.digests}/?week={week}", timeout=300).json()
        print(
            f"\nsend_digests {week}: {digest['sent']} e-mails sent, {digest['failed']} failed; "
            f"saved as .eml and .html in {OUT / 'mail'}"
        )

        wait_until(lambda: port_open(cloud.ports.status), "status page", 10)
        demo_agency.run(
            cloud.project, f"http://{HOST}:{cloud.ports.status}", env["ADUAN_LINK_SIGNING_KEY"], OUT / "mail"
        )

        url = f"http://{HOST}:{cloud.ports.status}/"
        print(f"\nstatus page: {url}   (Open311: {url}open311/v2/requests.json)")
        if serve_s > 0:
            print(f"serving for up to {serve_s:.0f} s — Ctrl-C to stop everything", flush=True)
            time.sleep(serve_s)
    finally:
        with contextlib.suppress(OSError):  # a closed pipe or terminal must not skip the stop
            print("stopping the local cloud…", flush=True)
        cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
