"""``classify_mention`` wired to the classifier and Firestore: one Pub/Sub message → one report, once."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from aduan.config import Config
from aduan.filing import plan_filing, reading_cluster_key
from aduan.logs import log
from aduan.mention import PoisonMessage, parse_message
from aduan.settings import Settings


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


def warm(settings: Settings, config: Config) -> None:
    """Load the classifier now (start-up): a bad vocabulary stops the instance, not every message.

    The model is the newest published one (``models/current``), read once here."""
    _classifier(config_dir=settings.config_dir, handles=config.agencies.handles, project=settings.project)


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
    event_data: Any, settings: Settings, config: Config, now: datetime | None = None
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
        store = _store(settings.project)
        candidates = store.cluster_candidates(reading_cluster_key(reading), now)
        plan = plan_filing(mention, reading, config, now, candidates)
    except PoisonMessage as exc:
        log("ERROR", f"poison message: {exc}", reason=str(exc), poison=True, **context)
        raise
    writes = store.file(plan)
    outcome = "filed" if writes else "duplicate"
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
        **context,
    )
    return {"outcome": outcome, "report_id": plan.report_id, "ticket": plan.report["ticket"]}
