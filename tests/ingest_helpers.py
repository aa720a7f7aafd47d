"""What the ingestion tests share: the configured accounts, the simulator driven over HTTP, and a
``World`` of real adapters (tweepy through ``XApi``, Pub/Sub and Firestore emulators) with a poller."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from google.cloud import firestore

from aduan.adapters.config_files import load_config
from aduan.adapters.firestore_checkpoints import FirestoreCheckpoints
from aduan.adapters.pubsub import TopicPublisher
from aduan.adapters.x_api import XApi
from aduan.fetch_job import SystemClock
from aduan.ingest import Poller, PollSettings, mention_queries, search_queries
from aduan.logs import log
from infra.wiring import drain
from infra.xsim import Simulator

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT / "config")
ACCOUNTS = [(acc.user_id, acc.username) for _, acc in CONFIG.agencies.accounts]
USERNAMES = dict(ACCOUNTS)
POLLED = {name.lower() for _, name in ACCOUNTS}
MAGELANG = next(uid for uid, name in ACCOUNTS if name == "pemkotmagelang")
SEMARANG = next(uid for uid, name in ACCOUNTS if name == "pemkotsmg")

SIMULATORS: dict[str, Simulator] = {}


class ManualClock:
    """One clock for the simulator (``clock()``, epoch seconds) and the poller (``now``/``sleep``):
    minutes of X's late indexing and 15-minute rate windows pass without waiting."""

    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.t, UTC)

    def sleep(self, seconds: float) -> None:
        self.t += seconds

    advance = sleep


def start_sim(clock=time.time, seed: int = 7) -> tuple[Simulator, str]:
    """A simulator on a free loopback port that knows the configured accounts."""
    simulator = Simulator(seed=seed, clock=clock)
    base = simulator.start(port=0)
    SIMULATORS[base] = simulator
    control(base, "accounts", [{"username": n, "user_id": u, "name": n} for u, n in ACCOUNTS])
    return simulator, base


def stop_sim(base: str) -> None:
    SIMULATORS.pop(base).stop()


def control(base: str, what: str, body) -> dict:
    resp = requests.post(f"{base}/_sim/{what}", json=body, timeout=10)
    resp.raise_for_status()
    return resp.json()


def stats(base: str) -> dict:
    return requests.get(f"{base}/_sim/stats", timeout=10).json()


class World:
    """The real adapters of one test project, and a poller built from them."""

    def __init__(self, cloud, base: str, clock=None) -> None:
        self.cloud, self.base = cloud, base
        self.clock = clock or SystemClock()
        self.x = XApi("test-token", base)
        self.publisher = TopicPublisher(cloud.project, "mentions")
        self.db = firestore.Client(project=cloud.project)
        self.checkpoints = FirestoreCheckpoints(self.db)
        self.logged: list[tuple[str, str, dict[str, Any]]] = []

    def record(self, severity: str, message: str, **fields: Any) -> None:
        self.logged.append((severity, message, fields))
        log(severity, message, **fields)

    def poll(
        self,
        mode: str = "mentions",
        *,
        x=None,
        publisher=None,
        checkpoints=None,
        only=None,
        accounts=None,
        **settings,
    ):
        poll_settings = PollSettings(backoff_s=0.05, **settings)
        poller = Poller(
            x or self.x,
            publisher or self.publisher,
            checkpoints or self.checkpoints,
            self.clock,
            poll_settings,
            self.record,
        )
        chosen = [a for a in accounts or ACCOUNTS if only is None or a[1] in only]
        queries = mention_queries(chosen) if mode == "mentions" else search_queries(chosen)
        return poller.run(queries, dict(chosen), {n.lower() for _, n in chosen}, mode).to_dict()

    def published_ids(self) -> list[str]:
        return [m.attributes["source_id"] for m in drain(self.cloud.tap)]


def by_account(report: dict, username: str) -> dict:
    return next(a for a in report["accounts"] if a["account"] == username)


def originals(base: str, ids: list[str]) -> set[str]:
    """The ids less retweets: Aduan files the original post, never a retweet of it."""
    posts = SIMULATORS[base].state.posts
    return {i for i in ids if not any(kind == "retweeted" for kind, _ in posts[int(i)].referenced)}


def generate(base: str, count: int, accounts: list[str]) -> set[str]:
    """Generated posts, less retweets."""
    return originals(base, control(base, "generate", {"count": count, "accounts": accounts})["ids"])


def shown(base: str, username: str) -> set[str]:
    """What X still shows of an account's mentions (the 800 newest), less retweets."""
    sim = SIMULATORS[base]
    visible = sim.state.visible_mentions(sim.account(username).user_id)
    return originals(base, [str(i) for i in visible])
