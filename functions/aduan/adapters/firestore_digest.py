"""The digest's Firestore reads (indexed queries on ``reports``) and its ledger (``digests``).

``reads`` counts billed document reads as they happen — streamed documents, one
per started 1,000 index entries of a count aggregation, ledger reads — so the
bench reports what a digest costs instead of what it should cost.
Composite indexes on ``reports``: (agency_id, received_at) from ``aduan.names.FIRESTORE_INDEXES``
and, still to be added there, (agency_id, open, received_at), (agency_id, resolved_at) and
(agency_id, category, public, received_at).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from aduan import names
from aduan.digest.delivery import SENDING, claimable, recipient_key

Doc = dict[str, Any]


class FirestoreDigestSource:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db
        self.reports = db.collection(names.REPORTS)
        self.reads = 0

    def _stream(self, query: Any) -> list[Doc]:
        docs = [snap.to_dict() for snap in query.stream()]
        self.reads += max(1, len(docs))  # an empty result is billed one read
        return docs

    def _agency(self, agency_id: str) -> Any:
        return self.reports.where(filter=FieldFilter("agency_id", "==", agency_id))

    def _between(self, agency_id: str, field: str, start: datetime, end: datetime) -> Any:
        """An agency's reports whose ``field`` lies in [start, end)."""
        return (
            self._agency(agency_id)
            .where(filter=FieldFilter(field, ">=", start))
            .where(filter=FieldFilter(field, "<", end))
        )

    def received(self, agency_id: str, start: datetime, end: datetime) -> list[Doc]:
        """Every report received in [start, end): index (agency_id, received_at)."""
        return self._stream(self._between(agency_id, "received_at", start, end))

    def open_before(self, agency_id: str, before: datetime) -> list[Doc]:
        """Reports still open that were received before ``before`` (the week's own come with ``received``,
        so none is read twice): index (agency_id, open, received_at)."""
        query = (
            self._agency(agency_id)
            .where(filter=FieldFilter("open", "==", True))
            .where(filter=FieldFilter("received_at", "<", before))
        )
        return self._stream(query)

    def resolved(self, agency_id: str, start: datetime, end: datetime) -> list[Doc]:
        """Reports closed in [start, end), whenever received: index (agency_id, resolved_at)."""
        return self._stream(self._between(agency_id, "resolved_at", start, end))

    def reopened(self, agency_id: str, start: datetime, end: datetime) -> list[Doc]:
        """Reports a citizen reopened in [start, end): index (agency_id, reopened_at)."""
        return self._stream(self._between(agency_id, "reopened_at", start, end))

    def overdue(self, agency_id: str, now: datetime, limit: int) -> list[Doc]:
        """Open reports past their response deadline, oldest deadline first (the caller keeps those past
        the deadline that applies to them): index (agency_id, open, due_response_at)."""
        query = (
            self._agency(agency_id)
            .where(filter=FieldFilter("open", "==", True))
            .where(filter=FieldFilter("due_response_at", "<", now))
            .order_by("due_response_at")
            .limit(limit)
        )
        return self._stream(query)

    def public_counts(
        self, agency_id: str, start: datetime, end: datetime, categories: Iterable[str]
    ) -> dict[str, int]:
        """Public reports received in [start, end) per category, by count aggregation (no documents read):
        index (agency_id, category, public, received_at)."""
        counts: dict[str, int] = {}
        for category in categories:
            query = (
                self._between(agency_id, "received_at", start, end)
                .where(filter=FieldFilter("category", "==", category))
                .where(filter=FieldFilter("public", "==", True))
            )
            result = query.count(alias="n").get()
            n = int(result[0][0].value)
            self.reads += max(1, math.ceil(n / 1000))
            if n:
                counts[category] = n
        return counts


class FirestoreLedger:
    """``digests/{agency}-{week}``: {agency_id, week, recipients: {key: {address, state, run_id, ...}}}."""

    def __init__(self, db: firestore.Client) -> None:
        self.db = db
        self.collection = db.collection(names.DIGESTS)
        self.reads = 0

    @staticmethod
    def digest_id(agency_id: str, week: str) -> str:
        return f"{agency_id}-{week}"

    def claim(
        self, agency_id: str, week: str, recipients: Sequence[str], run_id: str, now: datetime
    ) -> list[str]:
        ref = self.collection.document(self.digest_id(agency_id, week))
        first = {
            recipient_key(agency_id, week, r): {
                "address": r,
                "state": SENDING,
                "run_id": run_id,
                "claimed_at": now,
                "attempts": 1,
                "detail": "",
            }
            for r in recipients
        }
        try:  # the usual case, and the race of two first runs: exactly one create succeeds
            ref.create({"agency_id": agency_id, "week": week, "recipients": first, "updated_at": now})
            return list(recipients)
        except gexc.Conflict:
            pass  # a ledger exists: take over only what is unsent or stale, in a transaction

        @firestore.transactional
        def attempt(transaction: firestore.Transaction) -> list[str]:
            snap = ref.get(transaction=transaction)
            self.reads += 1
            entries = dict((snap.to_dict() or {}).get("recipients", {})) if snap.exists else {}
            mine = []
            for recipient in recipients:
                key = recipient_key(agency_id, week, recipient)
                entry = entries.get(key)
                if claimable(entry, run_id, now):
                    attempts = (entry or {}).get("attempts", 0) + 1
                    entries[key] = {
                        "address": recipient,
                        "state": SENDING,
                        "run_id": run_id,
                        "claimed_at": now,
                        "attempts": attempts,
                        "detail": "",
                    }
                    mine.append(recipient)
            if mine:
                transaction.set(
                    ref,
                    {"agency_id": agency_id, "week": week, "recipients": entries, "updated_at": now},
                    merge=True,
                )
            return mine

        return attempt(self.db.transaction(max_attempts=10))

    def mark(
        self, agency_id: str, week: str, recipient: str, state: str, now: datetime, detail: str = ""
    ) -> None:
        key = recipient_key(agency_id, week, recipient)
        self.collection.document(self.digest_id(agency_id, week)).update(
            {
                f"recipients.{key}.state": state,
                f"recipients.{key}.detail": detail,
                f"recipients.{key}.{state}_at": now,
                "updated_at": now,
            }
        )

    def get(self, agency_id: str, week: str) -> Doc | None:
        snap = self.collection.document(self.digest_id(agency_id, week)).get()
        self.reads += 1
        return snap.to_dict() if snap.exists else None
