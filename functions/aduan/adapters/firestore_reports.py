"""Filing reports in Firestore exactly once.

One batched commit per post: ``create`` the report (fails if it exists), merge
the +1 into its stats shard, and count it into its cluster. A batch is atomic,
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

    def file(self, plan: FilingPlan) -> bool:
        """Write the plan; False when the report already existed (nothing was written)."""
        batch = self.db.batch()
        batch.create(self.db.collection(names.REPORTS).document(plan.report_id), plan.report)
        batch.set(
            self.db.collection(names.STATS).document(plan.stats_doc_id),
            stats.filed(plan.report, firestore.Increment),
            merge=True,
        )
        if plan.joins_cluster:
            batch.set(
                self.db.collection(names.CLUSTERS).document(plan.cluster_id),
                {
                    "joined": firestore.Increment(1),
                    "last_report_id": plan.report_id,
                    "last_at": plan.report["received_at"],
                    "cluster_key": plan.report["cluster_key"],
                },
                merge=True,
            )
        try:
            batch.commit()
        except gexc.Conflict:  # AlreadyExists is a Conflict (409)
            return False
        return True
