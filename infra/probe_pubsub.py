"""Measure how the Pub/Sub emulator redelivers failing pushes — the figures behind ``infra/wiring.py``.

Starts its own Pub/Sub emulator (ports shifted by ``--port-offset``), a loopback endpoint that
answers 500 to every message whose data starts with ``poison`` and 200 otherwise, and prints, per
wiring, how many poison messages reached the dead-letter topic (max 5 attempts) and how many
attempts each got. Bounded: every scenario waits at most ``--wait-s``.

    python -m infra.probe_pubsub                 # all scenarios, ~4 minutes
    python -m infra.probe_pubsub push-retry pull-relay
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from infra.localcloud import LocalCloud, Ports, run_stoppable

ATTEMPTS: dict[str, list[float]] = collections.defaultdict(list)


class Endpoint(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        return None

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        data = base64.b64decode(body["message"]["data"]).decode()
        ATTEMPTS[data].append(time.monotonic())
        self.send_response(500 if data.startswith("poison") else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def scenario(name: str, cloud: LocalCloud, endpoint_port: int, poison: int, wait_s: float) -> str:
    from google.cloud import pubsub_v1
    from google.protobuf import duration_pb2

    ATTEMPTS.clear()
    project = f"probe-{name}-{int(time.time())}"
    cloud.project = project
    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    topic, dead = publisher.topic_path(project, "probe"), publisher.topic_path(project, "probe-dead")
    for path in (topic, dead):
        publisher.create_topic(name=path)
    hold = subscriber.subscription_path(project, "probe-dead-hold")
    subscriber.create_subscription(request={"name": hold, "topic": dead})
    request = {
        "name": subscriber.subscription_path(project, "probe-sub"),
        "topic": topic,
        "ack_deadline_seconds": 30,
        "dead_letter_policy": {"dead_letter_topic": dead, "max_delivery_attempts": 5},
    }
    endpoint = f"http://127.0.0.1:{endpoint_port}/"
    if name.startswith("push"):
        request["push_config"] = {"push_endpoint": endpoint}
    if name == "push-retry":
        second = duration_pb2.Duration
        request["retry_policy"] = {"minimum_backoff": second(seconds=1), "maximum_backoff": second(seconds=3)}
    if name == "push-refused":
        request["push_config"] = {"push_endpoint": f"http://127.0.0.1:{endpoint_port + 1}/"}
    subscriber.create_subscription(request=request)
    relay = None
    if name == "pull-relay":
        from infra import wiring

        relay = cloud.start_relay(
            "relay-probe",
            request["name"],
            endpoint,
            min_backoff=wiring.LOCAL_MIN_BACKOFF_S,
            max_backoff=wiring.LOCAL_MAX_BACKOFF_S,
            ack_deadline=wiring.LOCAL_ACK_DEADLINE_S,
        )
    started = time.monotonic()
    for future in [publisher.publish(topic, f"poison-{n}".encode()) for n in range(poison)]:
        future.result(30)
    dead_count = 0
    while time.monotonic() - started < wait_s and dead_count < poison:
        response = subscriber.pull(request={"subscription": hold, "max_messages": 1000}, timeout=5)
        if response.received_messages:
            dead_count += len(response.received_messages)
            ack_ids = [m.ack_id for m in response.received_messages]
            subscriber.acknowledge(request={"subscription": hold, "ack_ids": ack_ids})
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    if relay is not None:
        cloud.services.pop("relay-probe").stop()
    histogram = dict(sorted(collections.Counter(len(v) for v in ATTEMPTS.values()).items()))
    return (
        f"| {name} | {poison} | {dead_count} of {poison} in {elapsed:.1f} s | "
        f"{histogram or 'none reached the endpoint'} |"
    )


SCENARIOS = ("push-retry", "push-no-retry", "push-refused", "pull-relay")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS), help=", ".join(SCENARIOS))
    parser.add_argument("--poison", type=int, default=24)
    parser.add_argument("--wait-s", type=float, default=60)
    parser.add_argument("--port-offset", type=int, default=480)
    args = parser.parse_args(argv)
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}; choose from {SCENARIOS}")
    ports = Ports().shifted(args.port_offset)
    server = ThreadingHTTPServer(("127.0.0.1", ports.classify), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as state, LocalCloud(ports=ports, state_dir=Path(state)) as cloud:
        cloud.start_pubsub()
        print("| wiring | poison messages | dead-lettered | attempts per message: count |")
        print("| --- | --- | --- | --- |")
        for name in args.scenarios:
            print(scenario(name, cloud, ports.classify, args.poison, args.wait_s), flush=True)
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(run_stoppable(main, sys.argv[1:]))
