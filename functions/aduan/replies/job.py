"""``send_replies`` wired to Firestore, Pub/Sub and X: one push delivery → at most one post.

Settings come from the environment mapping the entry point passes in, validated when
the instance starts (``prepare``): the status site's URL (the link in every reply), the
X app's consumer pair and an access-token pair for every account with replies enabled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aduan import names
from aduan.classify_job import message_data
from aduan.config import Config, ConfigError
from aduan.logs import log
from aduan.mention import PoisonMessage
from aduan.replies import ReplyRequest, is_sweep, parse_reply_request
from aduan.replies.send import DEFAULT_INLINE_WAIT, DEFAULT_LEASE, NotYet, Outcome, ReplySender
from aduan.settings import Settings

SOURCE = "environment"


@dataclass(frozen=True)
class ReplySettings:
    status_base_url: str
    replies_topic: str
    lease: timedelta
    inline_wait: timedelta
    answering: tuple[str, ...]  # usernames with replies enabled

    @classmethod
    def from_env(cls, env: Mapping[str, str], config: Config) -> ReplySettings:
        base = env.get(names.ENV_STATUS_BASE_URL, "")
        if not base.startswith(("http://", "https://")):
            raise ConfigError(
                SOURCE, names.ENV_STATUS_BASE_URL, "value", "is required: every reply links to it"
            )
        lease = _seconds(env, names.ENV_REPLY_LEASE_S, DEFAULT_LEASE)
        inline_wait = _seconds(env, names.ENV_REPLY_INLINE_WAIT_S, DEFAULT_INLINE_WAIT)
        answering = tuple(acc.username for _, acc in config.agencies.accounts if acc.replies)
        topic = env.get(names.ENV_REPLIES_TOPIC) or names.REPLIES_TOPIC
        return cls(base, topic, lease, inline_wait, answering)


def _seconds(env: Mapping[str, str], var: str, default: timedelta) -> timedelta:
    raw = env.get(var, "")
    try:
        value = timedelta(seconds=float(raw)) if raw else default
    except ValueError:
        raise ConfigError(SOURCE, var, "value", f"must be seconds, got {raw!r}") from None
    if not timedelta(seconds=1) <= value <= timedelta(minutes=10):
        raise ConfigError(SOURCE, var, "value", "must be between 1 and 600 seconds")
    return value


class TopicRepublisher:
    def __init__(self, publisher: Any) -> None:
        self.publisher = publisher

    def republish(self, request: ReplyRequest) -> None:
        data, attributes = request.to_message()
        self.publisher.confirm([self.publisher.publish(data, attributes)], timeout_s=30)


_SENDER: dict[tuple, ReplySender] = {}


def sender(settings: Settings, config: Config, env: Mapping[str, str]) -> ReplySender:
    """One sender per instance: clients are created once (cold start), on first use."""
    key = (settings.project, id(config))
    if key not in _SENDER:
        from google.cloud import firestore

        from aduan.adapters.firestore_replies import FirestoreReplies
        from aduan.adapters.pubsub import TopicPublisher
        from aduan.adapters.x_post import XCredentials, XPoster
        from aduan.channels.x import XChannel

        reply = ReplySettings.from_env(env, config)
        poster = XPoster(XCredentials.from_env(env, list(reply.answering)), settings.x_api_base_url)
        _SENDER[key] = ReplySender(
            config,
            FirestoreReplies(firestore.Client(project=settings.project)),
            {"x": XChannel(poster)},
            TopicRepublisher(TopicPublisher(settings.project, reply.replies_topic)),
            reply.status_base_url,
            lease=reply.lease,
            inline_wait=reply.inline_wait,
            on_wait=_log_wait,
        )
    return _SENDER[key]


def _log_wait(request: ReplyRequest, wait: NotYet, seconds: float) -> None:
    """A wait inside the delivery (a 429 resetting in seconds, a concurrent claim) is logged when it
    starts, so a reply that is sent in the end still shows why it was late."""
    log(
        "WARNING",
        f"reply waiting {seconds:.1f}s: {wait}",
        outcome="waiting",
        reason=wait.reason,
        wait_s=round(seconds, 1),
        report_id=request.report_id,
        reply_event=request.event,
    )


def prepare(settings: Settings, config: Config, env: Mapping[str, str]) -> None:
    """Start-up: a missing secret or URL stops the instance, naming the variable."""
    from aduan.adapters.x_post import XCredentials

    reply = ReplySettings.from_env(env, config)
    XCredentials.from_env(env, list(reply.answering))


def handle(event_data: Any, settings: Settings, config: Config, env: Mapping[str, str]) -> Outcome:
    """Post one reply. NotYet, PoisonMessage and channel failures raise, so Pub/Sub retries (or,
    after the subscription's max attempts, dead-letters); the reason is logged on every attempt."""
    context: dict[str, Any] = {}
    try:
        data, message = message_data(event_data)
        context = {"message_id": message.get("messageId") or message.get("message_id")}
        replies = sender(settings, config, env)
        if is_sweep(data):
            swept = replies.sweep()
            log(
                "INFO", f"sweep: {swept} parked replies re-published", outcome="sweep", swept=swept, **context
            )
            return Outcome("sweep", "", reason=f"{swept} re-published")
        request = parse_reply_request(data)
        context.update(report_id=request.report_id, reply_event=request.event)
        outcome = replies.handle(request)
        swept = replies.sweep()  # parked replies that came due ride along with every delivery
    except PoisonMessage as exc:
        log("ERROR", f"poison reply request: {exc}", reason=str(exc), poison=True, **context)
        raise
    except NotYet as exc:
        log("WARNING", f"reply delayed: {exc}", outcome="not_yet", reason=exc.reason, **context)
        raise
    except Exception as exc:
        log("ERROR", f"reply failed: {type(exc).__name__}: {exc}", outcome="error", **context)
        raise
    log(
        "INFO",
        f"reply {outcome.state} {outcome.ledger_id}",
        outcome=outcome.state,
        ledger_id=outcome.ledger_id,
        post_id=outcome.post_id,
        reason=outcome.reason,
        fanned_out=outcome.fanned_out,
        swept=swept,
        **context,
    )
    return outcome
