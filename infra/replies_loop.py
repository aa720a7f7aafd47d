"""The reply loop on the local cloud, for the replies tests and the bench.

``ReplyLoop`` starts what production runs for a post to be answered: the X API
simulator (in this process, so a test can watch and hook what it posts), the mentions
and replies topics with their push subscriptions, and real functions-framework
processes for ``fetch_mentions``, ``classify_mention``, ``send_replies`` and (optionally)
``status_page``.
"""

from __future__ import annotations

import base64
import secrets
import time
from pathlib import Path

import requests
import yaml
from google.cloud import firestore, pubsub_v1

from aduan import names
from aduan.replies import reply_request, sweep_request
from infra.localcloud import ROOT, LocalCloud
from infra.wiring import wire_pubsub, wire_replies
from infra.xsim import Simulator, accounts_from_agencies
from infra.xsim.posting import local_credentials

SIGNING_KEY = secrets.token_urlsafe(32)  # fresh per run, never stored
TEST_RELAY_BACKOFF = (1, 2)  # tests: 5 attempts still, ~7 s to the dead letter instead of ~15 s


def agency_accounts():
    with (ROOT / "config" / "agencies.yaml").open(encoding="utf-8") as f:
        return accounts_from_agencies(yaml.safe_load(f)["agencies"])


def wait_for(check, timeout_s: float = 60, what: str = "condition", every_s: float = 0.2):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


class ReplyLoop:
    def __init__(
        self,
        cloud: LocalCloud,
        status_page: bool = False,
        lease_s: float = 3,
        fetch: bool = True,
        classify: bool = True,
        sim_clock=time.time,
        relay_backoff: tuple[float, float] | None = None,
        inline_wait_s: float = 20,
    ) -> None:
        self.cloud = cloud
        self.accounts = agency_accounts()
        self.sim = Simulator(seed=7, accounts=self.accounts, clock=sim_clock)
        self.sim.start(port=cloud.ports.xsim)
        wire_pubsub(cloud)
        wire_replies(cloud, backoff=relay_backoff)
        self.env = {
            **local_credentials(self.accounts),
            names.ENV_REPLY_LEASE_S: str(lease_s),
            names.ENV_REPLY_INLINE_WAIT_S: str(inline_wait_s),
            names.ENV_LINK_SIGNING_KEY: SIGNING_KEY,
            names.ENV_FETCH_DEADLINE_S: "30",
        }
        self.functions = {}
        if classify:
            self.functions["classify"] = cloud.start_function(
                "classify_mention", cloud.ports.classify, self.env
            )
        self.start_sender()
        if fetch:
            self.functions["fetch"] = cloud.start_function("fetch_mentions", cloud.ports.fetch, self.env)
        if status_page:
            self.functions["status"] = cloud.start_function("status_page", cloud.ports.status, self.env)
        self.db = firestore.Client(project=cloud.project)
        self.publisher = pubsub_v1.PublisherClient()
        self.replies_topic = self.publisher.topic_path(cloud.project, names.REPLIES_TOPIC)

    def start_sender(self):
        self.functions["send"] = self.cloud.start_function("send_replies", self.cloud.ports.replies, self.env)
        return self.functions["send"]

    def stop(self) -> None:
        self.sim.stop()

    # --- driving -----------------------------------------------------------------------------
    def poll(self) -> dict:
        """One poll cycle, as Cloud Scheduler triggers it."""
        r = requests.get(f"http://127.0.0.1:{self.cloud.ports.fetch}/", timeout=90)
        r.raise_for_status()
        return r.json()

    def request_reply(self, report_id: str, event: str) -> str:
        data, attributes = reply_request(report_id, event, _now())
        return self.publisher.publish(self.replies_topic, data, **attributes).result(timeout=30)

    def sweep(self) -> str:
        """What the scheduled sweep publishes: parked replies that are due get re-published."""
        data, attributes = sweep_request()
        return self.publisher.publish(self.replies_topic, data, **attributes).result(timeout=30)

    def push_directly(self, report_id: str, event: str, message_id: str = "r-1", attempt: int = 1):
        """The body Pub/Sub pushes to send_replies, sent by hand (a redelivery of one message)."""
        data, attributes = reply_request(report_id, event, _now())
        body = {
            "message": {
                "data": base64.b64encode(data).decode(),
                "attributes": attributes,
                "messageId": message_id,
                "publishTime": "2026-12-01T01:05:01Z",
            },
            "subscription": f"projects/{self.cloud.project}/subscriptions/{names.REPLIES_SUBSCRIPTION}",
            "deliveryAttempt": attempt,
        }
        url = f"http://127.0.0.1:{self.cloud.ports.replies}/projects/{self.cloud.project}/topics/replies"
        return requests.post(url, json=body, timeout=60)

    # --- reading -------------------------------------------------------------------------------
    def report(self, report_id: str) -> dict | None:
        snap = self.db.collection(names.REPORTS).document(report_id).get()
        return snap.to_dict() if snap.exists else None

    def ledger(self, report_id: str, event: str) -> dict | None:
        snap = self.db.collection(names.REPLIES).document(f"{report_id}-{event}").get()
        return snap.to_dict() if snap.exists else None

    def posts_in_reply_to(self, post_id: str) -> list[dict]:
        return [p for p in self.sim.posting.created if p["in_reply_to"] == str(post_id)]

    def log(self, name: str) -> str:
        return Path(self.functions[name].log).read_text(errors="replace")


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)
