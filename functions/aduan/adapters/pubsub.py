"""Pub/Sub publishing with a batching client; confirmation waits for every future."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent import futures as cf
from typing import Any

from google.cloud import pubsub_v1


class TopicPublisher:
    """Publishes to one topic; ``confirm`` raises unless every message was accepted."""

    def __init__(self, project: str, topic: str, client: pubsub_v1.PublisherClient | None = None) -> None:
        self.client = client or pubsub_v1.PublisherClient(
            batch_settings=pubsub_v1.types.BatchSettings(
                max_messages=100, max_bytes=1_000_000, max_latency=0.02
            )
        )
        self.topic_path = self.client.topic_path(project, topic)

    def publish(self, data: bytes, attributes: Mapping[str, str]) -> Any:
        return self.client.publish(self.topic_path, data, **dict(attributes))

    def confirm(self, handles: Sequence[Any], timeout_s: float) -> None:
        if not handles:
            return
        done, pending = cf.wait(handles, timeout=timeout_s)
        if pending:
            raise TimeoutError(f"{len(pending)} of {len(handles)} publishes unconfirmed after {timeout_s}s")
        failed = [f.exception() for f in done if f.exception() is not None]
        if failed:
            raise RuntimeError(f"{len(failed)} of {len(handles)} publishes failed: {failed[0]}")
