"""Agencies' corrections in Firestore (``corrections/{report_id}``, docs/contracts.md): read side."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.cloud import firestore

from aduan import names


class FirestoreCorrections:
    def __init__(self, db: firestore.Client, page: int = 500) -> None:
        self.collection = db.collection(names.CORRECTIONS)
        self.page = page

    def stream(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(document id, fields) of every correction, in id order, read in pages."""
        query = self.collection.order_by("__name__").limit(self.page)
        last = None
        while True:
            page = list((query.start_after(last) if last is not None else query).stream())
            for snap in page:
                yield snap.id, snap.to_dict() or {}
            if len(page) < self.page:
                return
            last = page[-1]
