"""``fetch_mentions`` wired to the real X API, Pub/Sub and Firestore (clients reused while warm)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from aduan.adapters.firestore_checkpoints import FirestoreCheckpoints
from aduan.adapters.pubsub import TopicPublisher
from aduan.adapters.x_api import XApi
from aduan.config import Config
from aduan.ingest import Poller, PollSettings, mention_queries, search_queries
from aduan.logs import log
from aduan.settings import Settings


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@lru_cache(maxsize=4)
def _clients(project: str, topic: str, base_url: str, token: str) -> tuple[XApi, TopicPublisher, Any]:
    from google.cloud import firestore

    return XApi(token, base_url), TopicPublisher(project, topic), firestore.Client(project=project)


def run(settings: Settings, config: Config, poll: PollSettings | None = None) -> dict[str, Any]:
    x, publisher, db = _clients(
        settings.project, settings.mentions_topic, settings.x_api_base_url, settings.require_x_token()
    )
    accounts = [(acc.user_id, acc.username) for _, acc in config.agencies.accounts]
    queries = mention_queries(accounts) if settings.fetch_mode == "mentions" else search_queries(accounts)
    poll = poll or PollSettings(deadline_s=settings.fetch_deadline_s)
    poller = Poller(x, publisher, FirestoreCheckpoints(db), SystemClock(), poll, log)
    usernames = {uid: name for uid, name in accounts}
    report = poller.run(queries, usernames, {name.lower() for _, name in accounts}, settings.fetch_mode)
    summary = report.to_dict()
    log(
        "INFO",
        f"poll cycle done: {summary['published']} published, {summary['requests']} X requests",
        **{k: v for k, v in summary.items() if k != "accounts"},
    )
    return summary
