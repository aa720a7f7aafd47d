"""Published classifier models: load the current one, publish a better one, roll back.

    cd functions && python -m aduan.models current | list
    cd functions && python -m aduan.models publish DIR [--force]
    cd functions && python -m aduan.models rollback (--to VERSION | --shipped)

``models/current`` (docs/contracts.md) names the artifact ``classify_mention`` loads
when an instance starts; ``{"version": "shipped"}`` (or no pointer) means the model
shipped in the source archive. ``publish`` stores an artifact from ``python -m
aduan.train`` and points at it only if it scores no worse than the current model on
the held-out posts (``--force`` skips the check); ``rollback`` points back at an
older artifact or at the shipped model. New instances pick the change up; running
ones keep what they loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from aduan import names
from aduan.classifier import Classifier
from aduan.classifier.model import Model, model_from_bytes, shipped_model
from aduan.train_data import Post
from aduan.training import metrics, not_worse, predict_labels

SHIPPED_VERSION = "shipped"


class ModelStore(Protocol):
    def current(self) -> dict[str, Any] | None: ...
    def describe(self, version: str) -> dict[str, Any] | None: ...
    def read(self, version: str) -> bytes: ...
    def store(self, version: str, blob: bytes, fields: dict[str, Any], now: datetime) -> dict[str, Any]: ...
    def point(self, pointer: dict[str, Any]) -> None: ...
    def versions(self) -> list[dict[str, Any]]: ...


def load_published(store: ModelStore) -> Model | None:
    """The model ``models/current`` points at; None when it points at the shipped model.

    Raises (ArtifactMissing, ModelError, transport errors) when the pointer cannot
    be followed: the caller logs it and falls back to the shipped model.
    """
    pointer = store.current()
    if not pointer or pointer.get("version") in (None, SHIPPED_VERSION):
        return None
    version = str(pointer["version"])
    return model_from_bytes(store.read(version), f"models/{version}")


def current_model(store: ModelStore) -> Model | None:
    """What instances load now: the published model, else the shipped one."""
    return load_published(store) or shipped_model()


def publish(
    store: ModelStore,
    artifact: dict[str, Any],
    text: str,
    rules: Classifier,
    heldout: Sequence[Post],
    now: datetime,
    force: bool = False,
) -> dict[str, Any]:
    """Store ``artifact`` and point at it unless it scores worse than the current model.

    Both are scored now, on the same held-out posts (a held-out set that grew since
    the current model was published is no advantage to either), and compared post by
    post (:func:`aduan.training.not_worse`).
    """
    try:
        incumbent = current_model(store)
        version_now = incumbent.version if incumbent else "rules"
    except Exception as error:  # noqa: BLE001 - an unreadable current model is no bar to a good one
        incumbent, version_now = None, f"unreadable ({error})"
    gold = [post.label for post in heldout]
    texts = [post.text for post in heldout]
    new_labels = predict_labels(rules.with_model(Model(artifact)), texts)
    old_labels = predict_labels(rules.with_model(incumbent), texts)
    candidate = metrics(gold, new_labels)
    verdict = not_worse(gold, new_labels, old_labels)
    outcome = {
        "version": artifact["version"],
        "heldout": candidate,
        "current": version_now,
        "current_heldout": metrics(gold, old_labels),
        "comparison": verdict,
    }
    if not force and not verdict["not_worse"]:
        return {**outcome, "outcome": "kept"}
    blob = text.encode("utf-8")
    fields = {key: artifact.get(key) for key in ("created_at", "data_sha256", "trained_on", "learner")}
    meta = store.store(artifact["version"], blob, {**fields, "heldout": candidate}, now)
    store.point(
        {
            "version": artifact["version"],
            "sha256": meta["sha256"],
            "data_sha256": artifact.get("data_sha256"),
            "published_at": now,
            "heldout": candidate,
            "previous": version_now,
        }
    )
    return {**outcome, "outcome": "published"}


def rollback(store: ModelStore, version: str | None, now: datetime) -> dict[str, Any]:
    """Point ``models/current`` at a stored ``version``, or at the shipped model when None."""
    if version is None:
        pointer = {"version": SHIPPED_VERSION, "sha256": None, "published_at": now, "heldout": None}
    else:
        meta = store.describe(version)
        if not meta:
            raise LookupError(f"models/{version}: no such artifact; see `python -m aduan.models list`")
        store.read(version)  # refuses a damaged artifact before any instance would load it
        pointer = {
            "version": version,
            "sha256": meta["sha256"],
            "data_sha256": meta.get("data_sha256"),
            "published_at": now,
            "heldout": meta.get("heldout"),
        }
    previous = store.current() or {}
    store.point({**pointer, "previous": previous.get("version"), "rollback": True})
    return pointer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aduan.models", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path(__file__).resolve().parents[2] / "config")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("current", help="show models/current")
    sub.add_parser("list", help="list the stored artifacts")
    pub = sub.add_parser("publish", help="store an artifact directory and point at it if not worse")
    pub.add_argument("dir", type=Path)
    pub.add_argument("--force", action="store_true", help="publish even if it scores worse")
    back = sub.add_parser("rollback", help="point models/current back")
    target = back.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", metavar="VERSION")
    target.add_argument("--shipped", action="store_true")
    args = parser.parse_args(argv)

    from google.cloud import firestore

    from aduan.adapters.firestore_models import FirestoreModels

    store = FirestoreModels(firestore.Client(project=os.environ.get(names.ENV_PROJECT) or None))
    now = datetime.now(UTC)
    if args.command == "current":
        result: Any = store.current() or {"version": SHIPPED_VERSION}
    elif args.command == "list":
        result = [
            {k: m.get(k) for k in ("version", "bytes", "data_sha256", "heldout")} for m in store.versions()
        ]
    elif args.command == "rollback":
        try:
            result = rollback(store, None if args.shipped else args.to, now)
        except LookupError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    else:
        from aduan.classifier import load_classifier
        from aduan.classifier.model import ARTIFACT_FILE
        from aduan.classify import agency_handles
        from aduan.train_data import DEFAULT_LABELLED, HELDOUT, labelled_splits

        text = (args.dir / ARTIFACT_FILE).read_text(encoding="utf-8")
        rules = load_classifier(args.config, agency_handles(args.config), model=None)
        heldout = labelled_splits(DEFAULT_LABELLED, rules.categories)[HELDOUT]
        result = publish(store, json.loads(text), text, rules, heldout, now, args.force)
    print(json.dumps(result, indent=1, default=str, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
