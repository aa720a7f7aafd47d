"""Topics and subscriptions as production has them (terraform/pubsub.tf), on the emulator.

The one local difference: retry back-off is 1–3 s instead of 10–600 s, so a poison
message reaches the dead-letter topic in seconds, not minutes.
"""

from __future__ import annotations

import contextlib

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1
from google.protobuf import duration_pb2

from aduan import names

LOCAL_MIN_BACKOFF_S = 1
LOCAL_MAX_BACKOFF_S = 3
LOCAL_ACK_DEADLINE_S = 10


def _ensure(create, *args, **kwargs) -> None:
    with contextlib.suppress(gexc.AlreadyExists):
        create(*args, **kwargs)


def wire_pubsub(cloud, push: bool = True) -> None:
    """Create the mentions topic, the dead-letter topic with its hold subscription, and the push
    subscription to the local classify_mention function (dead-letter after MAX_DELIVERY_ATTEMPTS)."""
    endpoint = (
        f"http://127.0.0.1:{cloud.ports.classify}/projects/{cloud.project}/topics/{names.MENTIONS_TOPIC}"
    )
    _wire(cloud.project, names.MENTIONS_TOPIC, names.DEAD_LETTER_TOPIC, names.DEAD_LETTER_SUBSCRIPTION)
    if push:
        _push(
            cloud.project,
            names.CLASSIFY_SUBSCRIPTION,
            names.MENTIONS_TOPIC,
            names.DEAD_LETTER_TOPIC,
            endpoint,
        )
    wire_replies(cloud, push=False)  # classify_mention publishes reply requests after filing


def tap(cloud, name: str, topic: str = names.MENTIONS_TOPIC) -> str:
    """A pull subscription that sees every message on ``topic`` (tests and the demo read it)."""
    subscriber = pubsub_v1.SubscriberClient()
    path = subscriber.subscription_path(cloud.project, name)
    _ensure(
        subscriber.create_subscription,
        request={
            "name": path,
            "topic": pubsub_v1.PublisherClient.topic_path(cloud.project, topic),
            "ack_deadline_seconds": 60,
        },
    )
    return path


def drain(subscription: str, max_messages: int = 100_000, idle_s: float = 1.5, timeout_s: float = 60) -> list:
    """Pull and ack everything until the subscription stays empty for ``idle_s``; bounded in count and time."""
    import time

    subscriber = pubsub_v1.SubscriberClient()
    received: list = []
    deadline = time.monotonic() + timeout_s
    last_seen = time.monotonic()
    while time.monotonic() < deadline and len(received) < max_messages:
        resp = subscriber.pull(request={"subscription": subscription, "max_messages": 1000}, timeout=5)
        if resp.received_messages:
            received.extend(m.message for m in resp.received_messages)
            subscriber.acknowledge(
                request={"subscription": subscription, "ack_ids": [m.ack_id for m in resp.received_messages]}
            )
            last_seen = time.monotonic()
        elif time.monotonic() - last_seen > idle_s:
            break
        else:
            time.sleep(0.1)
    return received


def wire_replies(cloud, push: bool = True) -> None:
    """The replies topic, its dead-letter topic with a hold subscription and (``push``) the push
    subscription to the local send_replies function — as terraform/replies.tf creates them."""
    endpoint = f"http://127.0.0.1:{cloud.ports.replies}/projects/{cloud.project}/topics/{names.REPLIES_TOPIC}"
    _wire(
        cloud.project,
        names.REPLIES_TOPIC,
        names.REPLIES_DEAD_LETTER_TOPIC,
        names.REPLIES_DEAD_LETTER_SUBSCRIPTION,
    )
    if push:
        _push(
            cloud.project,
            names.REPLIES_SUBSCRIPTION,
            names.REPLIES_TOPIC,
            names.REPLIES_DEAD_LETTER_TOPIC,
            endpoint,
        )


def _wire(project: str, topic: str, dead: str, hold: str) -> None:
    """A topic, its dead-letter topic, and the pull subscription that keeps dead letters."""
    publisher = pubsub_v1.PublisherClient()
    for name in (topic, dead):
        _ensure(publisher.create_topic, name=publisher.topic_path(project, name))
    subscriber = pubsub_v1.SubscriberClient()
    _ensure(
        subscriber.create_subscription,
        request={
            "name": subscriber.subscription_path(project, hold),
            "topic": publisher.topic_path(project, dead),
            "ack_deadline_seconds": 60,
        },
    )


def _push(project: str, name: str, topic: str, dead: str, endpoint: str) -> None:
    """A push subscription with production's retry and dead-letter policy (back-off shortened)."""
    subscriber = pubsub_v1.SubscriberClient()
    paths = pubsub_v1.PublisherClient
    _ensure(
        subscriber.create_subscription,
        request={
            "name": subscriber.subscription_path(project, name),
            "topic": paths.topic_path(project, topic),
            "push_config": {"push_endpoint": endpoint},
            "ack_deadline_seconds": 30,
            "retry_policy": {
                "minimum_backoff": duration_pb2.Duration(seconds=LOCAL_MIN_BACKOFF_S),
                "maximum_backoff": duration_pb2.Duration(seconds=LOCAL_MAX_BACKOFF_S),
            },
            "dead_letter_policy": {
                "dead_letter_topic": paths.topic_path(project, dead),
                "max_delivery_attempts": names.MAX_DELIVERY_ATTEMPTS,
            },
        },
    )
