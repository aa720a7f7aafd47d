"""Filing reports in Firestore exactly once.

One batched commit per post: ``create`` the report (fails if it exists) and merge
the +1 into its stats shard — two writes. A cluster has no document of its own
(a flood's hundred similar reports a second would make one hot): its size is a
``count()`` of the reports carrying its ``cluster_id``. A batch is atomic,
so when the create fails — a redelivery, a re-fetch, or a concurrent worker
that committed first — no count moves either. That is why no transaction (and
no read of the report) is needed: the create precondition is the lock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from aduan import names, stats
from aduan.filing import CLUSTER_WINDOW, FilingPlan

CLUSTER_CANDIDATES = 20


class FirestoreReports:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def cluster_candidates(self, key: str | None, now: datetime) -> list[dict[str, Any]]:
        """Recent reports of the same category and place (index: cluster_key, received_at desc)."""
        if not key:
            return []
        query = (
            self.db.collection(names.REPORTS)
            .where(filter=firestore.FieldFilter("cluster_key", "==", key))
            .where(filter=firestore.FieldFilter("received_at", ">=", now - CLUSTER_WINDOW))
            .order_by("received_at", direction=firestore.Query.DESCENDING)
            .limit(CLUSTER_CANDIDATES)
        )
        return [snap.to_dict() for snap in query.stream()]

    def cluster_size(self, cluster_id: str) -> int:
        return cluster_count(self.db.collection(names.REPORTS), cluster_id)

    def file(self, plan: FilingPlan) -> int:
        """Write the plan in one commit; the number of documents written, 0 when the report existed."""
        batch = self.db.batch()
        batch.create(self.db.collection(names.REPORTS).document(plan.report_id), plan.report)
        batch.set(
            self.db.collection(names.STATS).document(plan.stats_doc_id),
            stats.filed(plan.report, firestore.Increment),
            merge=True,
        )
        try:
            return len(batch.commit())
        except gexc.Conflict:  # AlreadyExists is a Conflict (409)
            return 0


def cluster_count(reports: Any, cluster_id: str) -> int:
    """How many reports share the cluster: one ``count()`` (1 read per 1,000 index entries)."""
    query = reports.where(filter=firestore.FieldFilter("cluster_id", "==", cluster_id))
    return int(query.count().get()[0][0].value)


def open_count(reports: Any, agency_id: str) -> int:
    """An agency's open reports: one ``count()`` (index: agency_id, open, …)."""
    query = reports.where(filter=firestore.FieldFilter("agency_id", "==", agency_id)).where(
        filter=firestore.FieldFilter("open", "==", True)
    )
    return int(query.count().get()[0][0].value)
