"""Firestore for the agencies' pages: read reports to act on, commit a change whole, page a queue.

A change is one batch: the report update with a precondition on the report's
``update_time``, the move of its count in its stats shard, and — for a correction —
the write of ``corrections/{report_id}``. A concurrent or replayed POST therefore
either applies whole or not at all: counts and corrections move exactly once.

Every read is counted in ``reads`` (documents returned; an aggregation counts one),
so tests hold the queue page to its bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from aduan import names, stats
from aduan.adapters.firestore_reports import cluster_count
from aduan.adapters.firestore_reports import open_count as count_open
from aduan.replies import requested_entry
from aduan.statuspage.change import (
    Change,
    Stale,
    correction_record,
    correction_update,
    has_correction_record,
)

COUNT_WORKERS = 8
Cursor = tuple[datetime, str]  # (due_at, report id) of the last report a page showed


class FirestoreActions:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db
        self.reports = db.collection(names.REPORTS)
        self.reads = 0

    def report(self, report_id: str) -> tuple[dict[str, Any], Any] | None:
        """A report and its update time (the precondition of ``commit``)."""
        snap = self.reports.document(report_id).get()
        self.reads += 1
        return (snap.to_dict() or {}, snap.update_time) if snap.exists else None

    def reports_by_id(self, report_ids: Iterable[str]) -> dict[str, tuple[dict[str, Any], Any]]:
        """Several reports in one batched read; missing ones are left out."""
        refs = [self.reports.document(i) for i in dict.fromkeys(report_ids)]
        if not refs:
            return {}
        snaps = list(self.db.get_all(refs))
        self.reads += len(snaps)
        return {s.id: (s.to_dict() or {}, s.update_time) for s in snaps if s.exists}

    def commit(self, before: Mapping[str, Any], update_time: Any, change: Change) -> None:
        """Apply ``change`` to the report read as ``before`` at ``update_time``; raise Stale if it moved on.

        A change that asks for a reply also creates its ledger entry (``requested``) when there is
        none yet — the outbox that lets the sweep re-publish a request whose publish was lost. The
        report's precondition serialises concurrent changes; an existing entry is never touched.
        """
        after = change.after or {**before, **change.updates}
        batch = self.db.batch()
        if change.event:
            ledger = self.db.collection(names.REPLIES).document(f"{before['id']}-{change.event}")
            self.reads += 1
            if not ledger.get().exists:
                now = change.updates.get("updated_at") or datetime.now(UTC)
                batch.create(ledger, requested_entry(before["id"], change.event, now))
        batch.update(
            self.reports.document(before["id"]),
            dict(change.updates),
            option=self.db.write_option(last_update_time=update_time),
        )
        merge = stats.changed(before, after, firestore.Increment)
        if merge:
            shard = before.get("stats_shard") or stats.shard_doc_id(before["id"], before["received_at"])
            batch.set(self.db.collection(names.STATS).document(shard), merge, merge=True)
        if change.correction is not None:
            ref = self.db.collection(names.CORRECTIONS).document(before["id"])
            now = change.updates["updated_at"]
            if has_correction_record(before):
                batch.update(
                    ref,
                    {**correction_update(after, now), "changes": firestore.ArrayUnion([change.correction])},
                )
            else:  # a create: two first corrections racing cannot both commit
                batch.create(ref, {**correction_record(before, after, now), "changes": [change.correction]})
        try:
            batch.commit()
        except (gexc.FailedPrecondition, gexc.Conflict, gexc.Aborted, gexc.NotFound) as exc:
            raise Stale(str(exc)) from exc

    def correction(self, report_id: str) -> dict[str, Any] | None:
        snap = self.db.collection(names.CORRECTIONS).document(report_id).get()
        self.reads += 1
        return snap.to_dict() if snap.exists else None

    def open_page(self, agency_id: str, limit: int, after: Cursor | None = None) -> list[dict[str, Any]]:
        """Up to ``limit`` of the agency's open reports, earliest deadline first, after ``after``.

        Index: (agency_id, open, due_at); the document id breaks ties, so a cursor is exact.
        """
        query = (
            self.reports.where(filter=firestore.FieldFilter("agency_id", "==", agency_id))
            .where(filter=firestore.FieldFilter("open", "==", True))
            .order_by("due_at")
            .order_by("__name__")
        )
        if after is not None:
            query = query.start_after({"due_at": after[0], "__name__": self.reports.document(after[1])})
        docs = [snap.to_dict() for snap in query.limit(limit).stream()]
        self.reads += len(docs)
        return docs

    def open_count(self, agency_id: str) -> int:
        self.reads += 1
        return count_open(self.reports, agency_id)

    def cluster_sizes(self, cluster_ids: Iterable[str]) -> dict[str, int]:
        """Reports per cluster: one ``count()`` per distinct cluster (1 read per 1,000 index entries),
        run side by side so a page of 25 costs one round trip's latency, not 25."""
        wanted = list(dict.fromkeys(c for c in cluster_ids if c))
        if not wanted:
            return {}

        def count(cluster_id: str) -> int:
            return max(1, cluster_count(self.reports, cluster_id))

        with ThreadPoolExecutor(max_workers=min(COUNT_WORKERS, len(wanted))) as pool:
            sizes = dict(zip(wanted, pool.map(count, wanted), strict=True))
        self.reads += len(wanted)
        return sizes
