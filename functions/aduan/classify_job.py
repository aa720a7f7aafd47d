"""``classify_mention`` wired to the classifier and Firestore: one Pub/Sub message → one report, once."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from aduan import followups, names
from aduan.alerts import job as alerts
from aduan.config import Config, account_ids, reply_account
from aduan.filing import plan_filing, reading_cluster_key
from aduan.logs import log
from aduan.mention import Mention, PoisonMessage, parse_message
from aduan.replies import ACKNOWLEDGED, reply_request
from aduan.settings import Settings

PUBLISH_TIMEOUT_S = 30


@lru_cache(maxsize=2)
def _classifier(config_dir: Path, handles: frozenset[str], project: str = ""):
    """The rules and the model this instance uses for its lifetime (loaded once, at start)."""
    from aduan.classifier import load_classifier

    return load_classifier(config_dir, handles, _published_model(project))


def _published_model(project: str):
    """The newest published model; the shipped one when none is published or it cannot be read."""
    from aduan.classifier import SHIPPED

    if not project:
        return SHIPPED
    try:
        from google.cloud import firestore

        from aduan.adapters.firestore_models import FirestoreModels
        from aduan.models import load_published

        model = load_published(FirestoreModels(firestore.Client(project=project), timeout_s=10.0))
    except Exception as error:  # noqa: BLE001 - any failure here must leave a working classifier
        log("WARNING", f"published model not loaded, using the shipped model: {error}", error=str(error))
        return SHIPPED
    if model is None:
        log("INFO", "no published model: using the shipped model")
        return SHIPPED
    log(
        "INFO",
        f"classifier model {model.version}",
        model_version=model.version,
        data_sha256=model.data_sha256,
    )
    return model


@lru_cache(maxsize=2)
def _store(project: str):
    from google.cloud import firestore

    from aduan.adapters.firestore_reports import FirestoreReports

    return FirestoreReports(firestore.Client(project=project))


@lru_cache(maxsize=2)
def _threads(project: str):
    from google.cloud import firestore

    from aduan.adapters.firestore_replies import FirestoreReplies

    return FirestoreReplies(firestore.Client(project=project))


@lru_cache(maxsize=2)
def _replies_topic(project: str):
    from aduan.adapters.pubsub import TopicPublisher

    return TopicPublisher(project, names.REPLIES_TOPIC)


def warm(settings: Settings, config: Config, env: Mapping[str, str] | None = None) -> None:
    """Load the classifier and check the alert settings now (start-up): a bad vocabulary or mail
    setting stops the instance, not every message. The model is the newest published one
    (``models/current``), read once here."""
    _classifier(config_dir=settings.config_dir, handles=config.agencies.handles, project=settings.project)
    _alert_settings(_env_key(env), config)


_ALERT_SETTINGS: dict[tuple[Any, ...], alerts.AlertSettings] = {}


def _alert_settings(env_items: tuple[tuple[str, str], ...], config: Config) -> alerts.AlertSettings:
    """Parsed once per instance (the config object is the instance's, and not hashable)."""
    key = (env_items, id(config))
    if key not in _ALERT_SETTINGS:
        _ALERT_SETTINGS[key] = alerts.AlertSettings.from_env(dict(env_items), config)
    return _ALERT_SETTINGS[key]


@lru_cache(maxsize=2)
def _alert_adapters(project: str, smtp: tuple[str, int, bool, str, str]):
    from google.cloud import firestore

    from aduan.adapters.firestore_alerts import FirestoreAlertLedger
    from aduan.adapters.smtp import SmtpTransport
    from aduan.adapters.webhook_http import HttpPoster

    return FirestoreAlertLedger(firestore.Client(project=project)), SmtpTransport(*smtp), HttpPoster()


def message_data(event_data: Any) -> tuple[bytes, dict[str, Any]]:
    """The Pub/Sub message inside a CloudEvent (Eventarc or a converted push body)."""
    if not isinstance(event_data, dict) or not isinstance(event_data.get("message"), dict):
        raise PoisonMessage("event carries no Pub/Sub message")
    message = event_data["message"]
    try:
        data = base64.b64decode(message.get("data") or "", validate=True)
    except (binascii.Error, ValueError):
        raise PoisonMessage("message data is not base64") from None
    return data, message


def handle(
    event_data: Any,
    settings: Settings,
    config: Config,
    now: datetime | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """File one message. PoisonMessage and transient errors raise, so Pub/Sub retries and, after
    the subscription's max attempts, dead-letters; the reason is logged on every attempt."""
    context: dict[str, Any] = {}
    try:
        data, message = message_data(event_data)
        context = {
            "message_id": message.get("messageId") or message.get("message_id"),
            "attributes": message.get("attributes") or {},
            "delivery_attempt": event_data.get("deliveryAttempt"),
        }
        mention = parse_message(data)
        context["report_id"] = mention.report_id
        reading = _classifier(
            config_dir=settings.config_dir, handles=config.agencies.handles, project=settings.project
        ).understand(mention.text, mention.place)
        now = now or datetime.now(UTC)
        if mention.author.id in set(account_ids(config.agencies).values()):
            log("INFO", f"own post {mention.report_id}: not a citizen's", outcome="own_post", **context)
            return {"outcome": "own_post", "report_id": mention.report_id}
        if followups.is_thread_reply(mention):
            attached = _follow_up(mention, reading.public_text, settings, now, context)
            if attached is not None:
                return attached
        store = _store(settings.project)
        candidates = store.cluster_candidates(reading_cluster_key(reading), now)
        plan = plan_filing(mention, reading, config, now, candidates)
    except PoisonMessage as exc:
        log("ERROR", f"poison message: {exc}", reason=str(exc), poison=True, **context)
        raise
    writes = store.file(plan)
    outcome = "filed" if writes else "duplicate"
    # After filing, also for a duplicate: a crash between filing and publishing costs nothing
    # (the reply ledger posts once however often the request is published).
    acknowledge = wants_acknowledgement(plan.report, config)
    if acknowledge:
        topic = _replies_topic(settings.project)
        data, attributes = reply_request(plan.report_id, ACKNOWLEDGED, now)
        topic.confirm([topic.publish(data, attributes)], PUBLISH_TIMEOUT_S)
    # A redelivered duplicate still reaches the alert: its ledger knows whether it went out.
    alert_settings = _alert_settings(_env_key(env), config)
    alerted = alerts.after_filing(
        plan.report,
        plan.joins_cluster,
        config,
        alert_settings,
        store.cluster_size,
        lambda: _alert_adapters(settings.project, alert_settings.smtp),
        now,
    )
    log(
        "INFO",
        f"{outcome} {plan.report_id}",
        outcome=outcome,
        writes=writes,
        ticket=plan.report["ticket"],
        agency_id=plan.report["agency_id"],
        category=plan.report["category"],
        is_report=plan.report["is_report"],
        cluster_id=plan.cluster_id,
        alert=alerted,
        reply_requested=acknowledge,
        **context,
    )
    return {
        "outcome": outcome,
        "report_id": plan.report_id,
        "ticket": plan.report["ticket"],
        "alert": alerted,
    }


def wants_acknowledgement(doc: dict[str, Any], config: Config) -> bool:
    """A public report, not waiting for review, mentioning an account that answers (docs/contracts.md)."""
    if not (doc["is_report"] and doc["public"]) or doc["needs_review"]:
        return False
    return reply_account(config.agencies, doc["to_accounts"]) is not None


def _follow_up(
    mention: Mention, public_text: str, settings: Settings, now: datetime, context: dict[str, Any]
) -> dict[str, Any] | None:
    """Attach a reply in a report's thread to that report (once); None when it follows up nothing."""
    threads = _threads(settings.project)
    parent = followups.parent_report(
        mention, threads.thread_candidates(mention.conversation_id, followups.replied_to_ids(mention))
    )
    if parent is None:
        return None
    changes = threads.attach_follow_up(
        parent["id"], lambda report: followups.follow_up_changes(report, mention, public_text, now)
    )
    outcome = "follow_up" if changes else "follow_up_duplicate"
    reopened = bool(changes and changes.get("reopened_at"))
    log(
        "INFO",
        f"{outcome} {mention.report_id} → {parent['id']}",
        outcome=outcome,
        follow_up_of=parent["id"],
        reopened=reopened,
        verdict=followups.verdict(mention.text),
        **context,
    )
    return {"outcome": outcome, "report_id": parent["id"], "reopened": reopened}


def _env_key(env: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    """The environment as a cache key (only what alerts read, so the key stays small)."""
    wanted = ("ADUAN_ALERTS", "ADUAN_SMTP", "ADUAN_MAIL", "ADUAN_STATUS", "ADUAN_LINK", "ADUAN_WEBHOOK")
    return tuple(sorted((k, v) for k, v in (env or {}).items() if k.startswith(wanted)))
