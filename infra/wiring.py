"""Topics and subscriptions as production has them (terraform/pubsub.tf), on the emulator.

Local differences from production, measured on the Pub/Sub emulator (0.8.20) and kept on purpose.
``python -m infra.probe_pubsub`` measures them again (24 messages an endpoint always fails, 5
attempts, 45 s each):

| wiring | dead-lettered | attempts per message |
| --- | --- | --- |
| emulator push, retry policy 1–3 s | 0 of 24 | 2 or 3, then never again |
| emulator push, no retry policy | 24 of 24 in 6.4 s | 5, ~1 s apart |
| emulator push, nothing listening | 24 of 24 in 5.8 s | none reached the function |
| pull subscription + ``infra/pushrelay.py`` | 24 of 24 in 25.9 s | 5, backing off 1–8 s |

1. **Push is done by a local relay, not by the emulator** (``infra/pushrelay.py``). With a
   ``retry_policy`` the emulator stops redelivering once several pushed messages fail at once:
   24 poison messages with back-off 1–3 s each got 3 attempts and then none (0 of 24 reached the
   dead-letter topic in 60 s; with 2 messages, 0 of 2; with 1, it works). Without a retry policy
   it redelivers every ~1 s and counts a refused connection as an attempt, so a function that
   restarts, or a Firestore emulator that restarts, for more than ~5 s dead-letters every good
   post in flight (24 of 24 in 5.3 s with nothing listening). Production backs off 10–600 s
   and Cloud Run queues requests while an instance starts. So locally the subscription is a
   *pull* subscription with production's dead-letter policy (the emulator counts attempts and
   dead-letters faithfully on pull: 24 of 24 after exactly 5 attempts), and the relay pushes
   each message to the function with the push body, acks on 2xx, nacks with production's
   exponential back-off, and holds messages while nothing listens (as Cloud Run does).
2. **Back-off is 1–8 s instead of 10–600 s**, so a poison message reaches the dead-letter
   topic in ~15 s, not minutes, while a restart of a few seconds costs no good post.
3. **Ack deadline 30 s** instead of the function timeout (60 s): tests see a lost ack sooner.

Everything else — topic names, dead-letter topic and its hold subscription, 5 attempts, the
push body, the function behind it — is production's. ``wire_push`` wires one topic/subscription
pair; ``wire_pubsub`` is the mentions pair, and other pairs (replies) reuse ``wire_push``.
"""

from __future__ import annotations

import contextlib

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1

from aduan import names

LOCAL_MIN_BACKOFF_S = 1  # production: 10 s (terraform/pubsub.tf retry_policy)
LOCAL_MAX_BACKOFF_S = 8  # production: 600 s
LOCAL_ACK_DEADLINE_S = 30  # production: the function's timeout, 60 s
LOCAL_HOLD_S = 20  # how long a message waits for a function that is (re)starting


def _ensure(create, *args, **kwargs) -> None:
    with contextlib.suppress(gexc.AlreadyExists):
        create(*args, **kwargs)


def push_endpoint(port: int, project: str, topic: str) -> str:
    """The URL Pub/Sub pushes to; functions-framework turns the raw push body into a CloudEvent."""
    return f"http://127.0.0.1:{port}/projects/{project}/topics/{topic}"


def ensure_topics(project: str, topic: str, dead_topic: str, hold_subscription: str) -> tuple[str, str]:
    """The topic, its dead-letter topic and the pull subscription that keeps dead letters."""
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    topic_path = publisher.topic_path(project, topic)
    dead_path = publisher.topic_path(project, dead_topic)
    for path in (topic_path, dead_path):
        _ensure(publisher.create_topic, name=path)
    _ensure(
        subscriber.create_subscription,
        request={
            "name": subscriber.subscription_path(project, hold_subscription),
            "topic": dead_path,
            "ack_deadline_seconds": 60,
        },
    )
    return topic_path, dead_path


def wire_push(
    cloud,
    topic: str,
    subscription: str,
    dead_topic: str,
    hold_subscription: str,
    port: int,
    max_attempts: int = names.MAX_DELIVERY_ATTEMPTS,
    min_backoff: float = LOCAL_MIN_BACKOFF_S,
    max_backoff: float = LOCAL_MAX_BACKOFF_S,
) -> str:
    """One production push subscription, locally: topics, the subscription with the dead-letter
    policy, and the relay that pushes it to the function on ``port`` (module docstring)."""
    topic_path, dead_path = ensure_topics(cloud.project, topic, dead_topic, hold_subscription)
    subscriber = pubsub_v1.SubscriberClient()
    path = subscriber.subscription_path(cloud.project, subscription)
    _ensure(
        subscriber.create_subscription,
        request={
            "name": path,
            "topic": topic_path,
            "ack_deadline_seconds": LOCAL_ACK_DEADLINE_S,
            "dead_letter_policy": {"dead_letter_topic": dead_path, "max_delivery_attempts": max_attempts},
        },
    )
    cloud.start_relay(
        f"relay-{subscription}",
        path,
        push_endpoint(port, cloud.project, topic),
        min_backoff=min_backoff,
        max_backoff=max_backoff,
        ack_deadline=LOCAL_ACK_DEADLINE_S,
        hold_s=LOCAL_HOLD_S,
    )
    return path


def wire_pubsub(cloud, push: bool = True, backoff: tuple[float, float] | None = None) -> None:
    """The mentions topic, the dead-letter topic with its hold subscription, and (``push``) the
    subscription delivering to the local classify_mention (dead-letter after MAX_DELIVERY_ATTEMPTS).
    ``backoff`` (min, max seconds) overrides the local retry back-off, as for ``wire_replies``."""
    wire_replies(cloud, push=False)  # classify_mention publishes reply requests after filing
    if not push:
        ensure_topics(
            cloud.project, names.MENTIONS_TOPIC, names.DEAD_LETTER_TOPIC, names.DEAD_LETTER_SUBSCRIPTION
        )
        return
    wire_push(
        cloud,
        names.MENTIONS_TOPIC,
        names.CLASSIFY_SUBSCRIPTION,
        names.DEAD_LETTER_TOPIC,
        names.DEAD_LETTER_SUBSCRIPTION,
        cloud.ports.classify,
        **({"min_backoff": backoff[0], "max_backoff": backoff[1]} if backoff else {}),
    )


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


def wire_replies(cloud, push: bool = True, backoff: tuple[float, float] | None = None) -> None:
    """The replies topic, its dead-letter topic with a hold subscription and (``push``) the
    subscription delivering to the local send_replies — as terraform/replies.tf creates them.
    ``backoff`` (min, max seconds; whole seconds, as modifyAckDeadline takes) overrides the local
    back-off, for tests that only need the count of attempts, not their spacing."""
    if not push:
        ensure_topics(
            cloud.project,
            names.REPLIES_TOPIC,
            names.REPLIES_DEAD_LETTER_TOPIC,
            names.REPLIES_DEAD_LETTER_SUBSCRIPTION,
        )
        return
    wire_push(
        cloud,
        names.REPLIES_TOPIC,
        names.REPLIES_SUBSCRIPTION,
        names.REPLIES_DEAD_LETTER_TOPIC,
        names.REPLIES_DEAD_LETTER_SUBSCRIPTION,
        cloud.ports.replies,
        **({"min_backoff": backoff[0], "max_backoff": backoff[1]} if backoff else {}),
    )
