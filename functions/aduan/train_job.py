"""``train_classifier`` (weekly): retrain from the stored corrections, publish only if not worse.

The base and held-out posts ship in the source archive (``labelled/``); the
corrections are read from Firestore. The new artifact is published (docs/contracts.md)
only when it scores no worse on the held-out posts than the model instances load now;
when the training data is the same as the current model's, nothing is written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aduan.classifier import Classifier
from aduan.classifier.model import NOT_REPORT
from aduan.config import Config
from aduan.corrections import export_lines
from aduan.logs import log
from aduan.models import ModelStore, publish
from aduan.settings import Settings
from aduan.train_data import BASE, DEFAULT_LABELLED, HELDOUT, POOL, DataError, Post, labelled_splits
from aduan.training import artifact_text, build_artifact


def retrain(
    corrections_source: Any,
    store: ModelStore,
    rules: Classifier,
    labelled_dir: Path,
    now: datetime,
) -> dict[str, Any]:
    """Train on base + pool + stored corrections; publish if not worse. Returns the run report."""

    def skipped(doc_id: str, reason: str) -> None:
        log("WARNING", f"correction {doc_id} not used: {reason}", report_id=doc_id, reason=reason)

    lines = export_lines(corrections_source.stream(), rules.categories, skipped)
    corrections = [Post(line["id"], line["text"], line["category"] or NOT_REPORT) for line in lines]
    parts = labelled_splits(labelled_dir, rules.categories)
    artifact = build_artifact(rules, parts[BASE] + parts[POOL], corrections, parts[HELDOUT], lambda: now)
    report: dict[str, Any] = {
        "version": artifact["version"],
        "data_sha256": artifact["data_sha256"],
        "corrections": len(corrections),
        "training_s": artifact["training_s"],
    }
    pointer = store.current() or {}
    if pointer.get("data_sha256") == artifact["data_sha256"]:
        return {**report, "outcome": "unchanged", "current": pointer.get("version")}
    result = publish(store, artifact, artifact_text(artifact), rules, parts[HELDOUT], now)
    return {**report, **result}


def prepare(settings: Settings, config: Config, labelled_dir: Path = DEFAULT_LABELLED) -> None:
    """Start-up check: the vocabulary loads and the labelled posts are there and well-formed."""
    from aduan.classifier import load_classifier

    rules = load_classifier(settings.config_dir, config.agencies.handles, model=None)
    parts = labelled_splits(labelled_dir, rules.categories)
    if not parts[HELDOUT] or not parts[BASE]:
        raise DataError(f"{labelled_dir}: no held-out or no base posts: the source archive lacks labelled/")


def run(settings: Settings, config: Config, now: datetime | None = None) -> dict[str, Any]:
    from google.cloud import firestore

    from aduan.adapters.firestore_corrections import FirestoreCorrections
    from aduan.adapters.firestore_models import FirestoreModels
    from aduan.classifier import load_classifier

    db = firestore.Client(project=settings.project)
    rules = load_classifier(settings.config_dir, config.agencies.handles, model=None)
    report = retrain(
        FirestoreCorrections(db), FirestoreModels(db), rules, DEFAULT_LABELLED, now or datetime.now(UTC)
    )
    log("INFO", f"train_classifier: {report['outcome']} {report['version']}", **report)
    return report
