"""Local push delivery: what Pub/Sub's push machinery and Cloud Run's front end do in production,
done faithfully for the emulator (see ``infra/wiring.py`` for why the emulator's own push is not used).

Pulls from a subscription that carries production's dead-letter policy and POSTs each message
to the function as Pub/Sub push does (the same JSON body, ``deliveryAttempt`` included). A 2xx
answer acks it; anything else — an error status, a timeout, a connection cut mid-request —
nacks it with production's exponential back-off (``modifyAckDeadline``), so the emulator counts
the attempt and dead-letters the message after ``max_delivery_attempts``. While nothing listens
on the endpoint (the function is starting or restarting), a message is held and offered again,
as Cloud Run queues requests while an instance starts; after ``--hold-s`` it counts as a failure.

    python -m infra.pushrelay --subscription projects/P/subscriptions/S --endpoint http://127.0.0.1:8690/
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1

SUCCESS = {102, 200, 201, 202, 204}  # the status codes Pub/Sub push treats as an ack


def log(event: str, **fields) -> None:
    line = {"at": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event, **fields}
    print(json.dumps(line), flush=True)


def backoff_s(attempt: int, minimum: float, maximum: float) -> float:
    """Pub/Sub's retry policy: exponential from ``minimum`` after the first failure, capped."""
    return min(maximum, minimum * 2 ** max(0, attempt - 1))


def push_body(received, subscription: str) -> dict:
    message = received.message
    published = message.publish_time.isoformat().replace("+00:00", "Z")
    return {
        "message": {
            "data": base64.b64encode(message.data).decode(),
            "attributes": dict(message.attributes),
            "messageId": message.message_id,
            "message_id": message.message_id,
            "publishTime": published,
            "publish_time": published,
        },
        "subscription": subscription,
        "deliveryAttempt": received.delivery_attempt,
    }


class Relay:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.subscriber = pubsub_v1.SubscriberClient()
        self.session = requests.Session()
        self.free = threading.Semaphore(args.workers)
        self.stopping = threading.Event()
        target = urlsplit(args.endpoint)
        self.address = (target.hostname or "127.0.0.1", target.port or 80)

    def listening(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            return s.connect_ex(self.address) == 0

    def _modack(self, ack_id: str, seconds: float) -> None:
        self.subscriber.modify_ack_deadline(
            request={
                "subscription": self.args.subscription,
                "ack_ids": [ack_id],
                "ack_deadline_seconds": int(seconds),
            }
        )

    def deliver(self, received) -> None:
        args, message = self.args, received.message
        attempt = received.delivery_attempt or 1
        fields = {"message_id": message.message_id, "attempt": attempt}
        try:
            held_since = time.monotonic()
            while not self.listening():
                if time.monotonic() - held_since > args.hold_s or self.stopping.is_set():
                    break
                time.sleep(0.25)
                if time.monotonic() - held_since > args.ack_deadline / 2:
                    self._modack(received.ack_id, args.ack_deadline)  # keep holding it
            outcome: str | int
            try:
                response = self.session.post(
                    args.endpoint,
                    json=push_body(received, args.subscription),
                    timeout=(2, args.ack_deadline - 2),
                )
                outcome = response.status_code
            except requests.RequestException as exc:
                outcome = type(exc).__name__
            if outcome in SUCCESS:
                self.subscriber.acknowledge(
                    request={"subscription": args.subscription, "ack_ids": [received.ack_id]}
                )
                log("acked", status=outcome, **fields)
            else:
                delay = backoff_s(attempt, args.min_backoff, args.max_backoff)
                self._modack(received.ack_id, delay)
                log("nacked", outcome=outcome, retry_in_s=delay, **fields)
        except gexc.GoogleAPICallError as exc:  # the emulator redelivers after the ack deadline
            log("pubsub error", error=str(exc)[:200], **fields)
        finally:
            self.free.release()

    def run(self) -> None:
        args = self.args
        log("relay started", subscription=args.subscription, endpoint=args.endpoint)
        pool = ThreadPoolExecutor(args.workers)
        try:
            while not self.stopping.is_set():
                self.free.acquire()
                wanted = 1
                while wanted < args.workers and self.free.acquire(blocking=False):
                    wanted += 1
                try:
                    response = self.subscriber.pull(
                        request={"subscription": args.subscription, "max_messages": wanted}, timeout=10
                    )
                    got = list(response.received_messages)
                except (gexc.GoogleAPICallError, gexc.RetryError) as exc:
                    log("pull failed", error=str(exc)[:200])
                    got = []
                    time.sleep(0.5)
                for received in got:
                    pool.submit(self.deliver, received)
                for _ in range(wanted - len(got)):
                    self.free.release()
                if not got:
                    time.sleep(0.05)
        finally:
            self.stopping.set()
            pool.shutdown(wait=False, cancel_futures=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscription", required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--min-backoff", type=float, default=1.0)
    parser.add_argument("--max-backoff", type=float, default=8.0)
    parser.add_argument("--ack-deadline", type=float, default=30.0)
    parser.add_argument("--hold-s", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args(argv)
    from infra.localcloud import Stopped, stopping_on_signals

    relay = Relay(args)
    try:
        with stopping_on_signals():
            relay.run()
    except Stopped as stop:
        log("relay stopped", signal=stop.signum)
        # Unacked messages are redelivered by the emulator; in-flight POSTs must not delay the stop.
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
