"""Published classifier models in Firestore (``models``), as docs/contracts.md fixes them.

``models/{version}`` describes an artifact and ``models/{version}/chunks/{n}`` holds
its bytes in pieces under Firestore's 1 MiB document limit; ``models/current``
points at the artifact instances load. The pointer is written last, so a reader
never follows it to an artifact that is not complete.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from google.cloud import firestore

from aduan import names

CURRENT = "current"
CHUNKS = "chunks"
CHUNK_BYTES = 900_000  # below the 1,048,487-byte field limit, with room for the document's overhead


class ArtifactMissing(LookupError):
    """The pointer names a version whose artifact is absent, incomplete or corrupt."""


class FirestoreModels:
    def __init__(self, db: firestore.Client, timeout_s: float = 20.0) -> None:
        self.collection = db.collection(names.MODELS)
        self.timeout_s = timeout_s

    def current(self) -> dict[str, Any] | None:
        snap = self.collection.document(CURRENT).get(timeout=self.timeout_s)
        return snap.to_dict() if snap.exists else None

    def describe(self, version: str) -> dict[str, Any] | None:
        snap = self.collection.document(version).get(timeout=self.timeout_s)
        return snap.to_dict() if snap.exists else None

    def read(self, version: str) -> bytes:
        """The artifact's bytes, checked against its recorded length and SHA-256."""
        meta = self.describe(version)
        if not meta:
            raise ArtifactMissing(f"models/{version}: no such artifact")
        chunks = self.collection.document(version).collection(CHUNKS)
        parts = []
        for n in range(int(meta["chunks"])):
            snap = chunks.document(str(n)).get(timeout=self.timeout_s)
            if not snap.exists:
                raise ArtifactMissing(f"models/{version}/chunks/{n}: missing")
            parts.append(bytes(snap.get("data")))
        blob = b"".join(parts)
        if len(blob) != meta["bytes"] or hashlib.sha256(blob).hexdigest() != meta["sha256"]:
            raise ArtifactMissing(f"models/{version}: bytes do not match the recorded sha256")
        return blob

    def store(self, version: str, blob: bytes, fields: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Write the chunks, then the version document; returns that document."""
        chunks = self.collection.document(version).collection(CHUNKS)
        pieces = [blob[i : i + CHUNK_BYTES] for i in range(0, len(blob), CHUNK_BYTES)] or [b""]
        for n, piece in enumerate(pieces):
            chunks.document(str(n)).set({"data": piece}, timeout=self.timeout_s)
        meta = {
            **fields,
            "version": version,
            "sha256": hashlib.sha256(blob).hexdigest(),
            "bytes": len(blob),
            "chunks": len(pieces),
            "stored_at": now,
        }
        self.collection.document(version).set(meta, timeout=self.timeout_s)
        return meta

    def point(self, pointer: dict[str, Any]) -> None:
        """Make ``pointer`` (``{version, sha256, published_at, heldout, …}``) the current model."""
        self.collection.document(CURRENT).set(pointer, timeout=self.timeout_s)

    def versions(self) -> list[dict[str, Any]]:
        """Every stored artifact's description, oldest first (versions start with their UTC time)."""
        out = []
        for snap in self.collection.stream(timeout=self.timeout_s):
            if snap.id != CURRENT:
                out.append(snap.to_dict())
        return sorted(out, key=lambda meta: meta.get("version", ""))
