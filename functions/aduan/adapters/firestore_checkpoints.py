"""Poll checkpoints in Firestore: ``checkpoints/x-{user_id}`` per account, and ``checkpoints/x-app``
for the app-wide rate-limit windows (X counts mentions and search requests per app, not per account)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from google.cloud import firestore

from aduan.ingest import Checkpoint
from aduan.names import CHECKPOINTS

APP_DOC = "x-app"  # account keys are numeric X user ids: no account can be named "app"


def _doc_id(key: str) -> str:
    return f"x-{key}"


class FirestoreCheckpoints:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db
        self.collection = db.collection(CHECKPOINTS)

    def load(self, keys: Sequence[str]) -> dict[str, Checkpoint]:
        """All checkpoints in one batched read."""
        refs = [self.collection.document(_doc_id(k)) for k in dict.fromkeys(keys)]
        found: dict[str, Checkpoint] = {}
        for snap in self.db.get_all(refs):
            if snap.exists:
                found[snap.id.removeprefix("x-")] = _from_doc(snap.to_dict() or {})
        return found

    def save(self, key: str, username: str, checkpoint: Checkpoint) -> None:
        self.collection.document(_doc_id(key)).set(_to_doc(username, checkpoint))

    def load_rate_limits(self) -> dict[str, datetime]:
        snap = self.collection.document(APP_DOC).get()
        limits = (snap.to_dict() or {}).get("rate_limited_until", {}) if snap.exists else {}
        return {k: v for k, v in limits.items() if isinstance(v, datetime)}

    def save_rate_limits(self, limits: Mapping[str, datetime]) -> None:
        self.collection.document(APP_DOC).set({"rate_limited_until": dict(limits)})


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _from_doc(doc: dict[str, Any]) -> Checkpoint:
    return Checkpoint(
        since_id=_int(doc.get("since_id")),
        backfill_until_id=_int(doc.get("backfill_until_id")),
        backfill_newest_id=_int(doc.get("backfill_newest_id")),
        seen_ids=frozenset(int(i) for i in doc.get("seen_ids") or ()),
        last_run_at=doc.get("last_run_at"),
        last_outcome=doc.get("last_outcome", "never"),
    )


def _to_doc(username: str, cp: Checkpoint) -> dict[str, Any]:
    # Ids are 64-bit: stored as strings, as X sends them (Firestore integers are signed 64-bit too,
    # but strings keep them readable in the console and exact in JavaScript).
    return {
        "account": username,
        "since_id": None if cp.since_id is None else str(cp.since_id),
        "backfill_until_id": None if cp.backfill_until_id is None else str(cp.backfill_until_id),
        "backfill_newest_id": None if cp.backfill_newest_id is None else str(cp.backfill_newest_id),
        "seen_ids": [str(i) for i in sorted(cp.seen_ids)],
        "last_run_at": cp.last_run_at,
        "last_outcome": cp.last_outcome,
    }
