"""The status page's Firestore reads, and the one write it makes: an agency's change.

Every read is counted in ``reads`` (documents returned; an aggregation counts
one) so tests and the benchmark can hold the page to its budget. The change is
one batch — the report update, with a precondition on the report's
``update_time``, and the merge into its stats shard — so a concurrent or
replayed POST either applies whole or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from aduan import names, stats
from aduan.adapters.firestore_reports import cluster_count, open_count
from aduan.statuspage.change import Stale

TICKET_MATCHES = 2  # two reports with one ticket would be a collision: then show none
Cursor = tuple[Any, str]  # the ordering field's value and the document id of the last row read


class FirestoreStatus:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db
        self.reports = db.collection(names.REPORTS)
        self.reads = 0

    def _docs(self, query: Any) -> list[dict[str, Any]]:
        """Run a query, counting reads as Firestore bills them: one per document, at least one per query."""
        docs = [snap.to_dict() for snap in query.stream()]
        self.reads += max(1, len(docs))
        return docs

    def month_shards(self, month: str) -> list[dict[str, Any]]:
        """The month's stats shards, in one batched read (missing shards cost a read too)."""
        refs = [self.db.collection(names.STATS).document(d) for d in stats.month_doc_ids(month)]
        snaps = list(self.db.get_all(refs))
        self.reads += len(snaps)
        return [s.to_dict() for s in snaps if s.exists]

    def latest_public(self, limit: int) -> list[dict[str, Any]]:
        return self._docs(
            self.reports.where(filter=firestore.FieldFilter("public", "==", True))
            .order_by("received_at", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )

    def by_ticket(self, ticket: str) -> dict[str, Any] | None:
        docs = self._docs(
            self.reports.where(filter=firestore.FieldFilter("ticket", "==", ticket)).limit(TICKET_MATCHES)
        )
        return docs[0] if len(docs) == 1 else None

    def by_tickets(self, tickets: list[str]) -> list[dict[str, Any]]:
        return self._docs(self.reports.where(filter=firestore.FieldFilter("ticket", "in", tickets)))

    def cluster_size(self, cluster_id: str | None) -> int:
        """How many reports share the cluster: one ``count()`` (1 read per 1,000 index entries)."""
        if not cluster_id:
            return 1
        self.reads += 1
        return max(1, cluster_count(self.reports, cluster_id))

    def agency_open(self, agency_id: str, limit: int, after: Cursor | None = None) -> list[dict[str, Any]]:
        """An agency's open reports, earliest deadline first (index: agency_id, open, due_at), read
        after a cursor: an offset would bill every skipped document."""
        query = (
            self.reports.where(filter=firestore.FieldFilter("agency_id", "==", agency_id))
            .where(filter=firestore.FieldFilter("open", "==", True))
            .order_by("due_at")
            .order_by("__name__")
        )
        return self._docs(_after(query, "due_at", after).limit(limit))

    def agency_open_count(self, agency_id: str) -> int:
        self.reads += 1
        return open_count(self.reports, agency_id)

    def requests(
        self,
        codes: tuple[str, ...],
        wanted_open: bool | None,
        start: datetime,
        end: datetime | None,
        limit: int,
        after: Cursor | None = None,
    ) -> list[dict[str, Any]]:
        """Open311 GET requests, newest first, after a cursor (indexes: public, [category,] [open,]
        received_at desc); ``end`` None is up to now."""
        query = self.reports.where(filter=firestore.FieldFilter("public", "==", True))
        if codes:
            query = query.where(filter=firestore.FieldFilter("category", "in", list(codes)))
        if wanted_open is not None:
            query = query.where(filter=firestore.FieldFilter("open", "==", wanted_open))
        query = query.where(filter=firestore.FieldFilter("received_at", ">=", start))
        if end is not None:
            query = query.where(filter=firestore.FieldFilter("received_at", "<=", end))
        query = query.order_by("received_at", direction=firestore.Query.DESCENDING).order_by(
            "__name__", direction=firestore.Query.DESCENDING
        )
        return self._docs(_after(query, "received_at", after).limit(limit))

    def report(self, report_id: str) -> tuple[dict[str, Any], Any] | None:
        """A report and its update time (the precondition of ``change``)."""
        snap = self.reports.document(report_id).get()
        self.reads += 1
        return (snap.to_dict() or {}, snap.update_time) if snap.exists else None

    def change(self, before: Mapping[str, Any], update_time: Any, updates: Mapping[str, Any]) -> None:
        """Apply an agency's updates and move the counts, atomically; raise Stale if the report moved on."""
        after = {**before, **updates}
        batch = self.db.batch()
        batch.update(
            self.reports.document(before["id"]),
            dict(updates),
            option=self.db.write_option(last_update_time=update_time),
        )
        merge = stats.changed(before, after, firestore.Increment)
        if merge:
            shard = before.get("stats_shard") or stats.shard_doc_id(before["id"], before["received_at"])
            batch.set(self.db.collection(names.STATS).document(shard), merge, merge=True)
        try:
            batch.commit()
        except (gexc.FailedPrecondition, gexc.Conflict, gexc.Aborted) as exc:
            raise Stale(str(exc)) from exc


def _after(query: Any, field: str, cursor: Cursor | None) -> Any:
    """``query`` from just after ``cursor`` (its ``field`` value and document id); ties cannot skip rows."""
    return query if cursor is None else query.start_after({field: cursor[0], "__name__": cursor[1]})
