"""The replies ledger, the report fields send_replies writes, and follow-ups — on Firestore.

Claims are *creates* (``AlreadyExists`` means someone else claimed first) and take-overs
are updates with a precondition on the entry's update time, so two deliveries can never
both hold one ledger entry. Marking a reply sent and recording it on the report is one
batch. A follow-up is one transaction on the report (and its stats shard when it reopens
the report), so a redelivered follow-up — found in the history by its ``source_id`` —
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from aduan import names, stats

THREAD_CANDIDATES = 10


class FirestoreReplies:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db
        self.ledger = db.collection(names.REPLIES)
        self.reports = db.collection(names.REPORTS)

    # --- ReplyStore ----------------------------------------------------------------------
    def report(self, report_id: str) -> dict[str, Any] | None:
        snap = self.reports.document(report_id).get()
        return snap.to_dict() if snap.exists else None

    def cluster_members(self, cluster_id: str, limit: int) -> list[dict[str, Any]]:
        query = self.reports.where(filter=firestore.FieldFilter("cluster_id", "==", cluster_id)).limit(limit)
        return [
            {"id": s.get("id"), "source": s.get("source")} for s in query.select(["id", "source"]).stream()
        ]

    def entry(self, ledger_id: str) -> tuple[dict[str, Any], Any] | None:
        snap = self.ledger.document(ledger_id).get()
        return (snap.to_dict() or {}, snap.update_time) if snap.exists else None

    def create(self, ledger_id: str, entry: Mapping[str, Any]) -> bool:
        try:
            self.ledger.document(ledger_id).create(dict(entry))
        except gexc.Conflict:  # AlreadyExists
            return False
        return True

    def update(self, ledger_id: str, update_time: Any, changes: Mapping[str, Any]) -> bool:
        option = self.db.write_option(last_update_time=update_time) if update_time is not None else None
        try:
            self.ledger.document(ledger_id).update(dict(changes), option=option)
        except (gexc.FailedPrecondition, gexc.Conflict, gexc.Aborted, gexc.NotFound):
            return False
        return True

    def budget_used(self, budget_key: str) -> int:
        """Posts claimed today from one account: a count() on one field (1 read per 1,000)."""
        query = self.ledger.where(filter=firestore.FieldFilter("budget_key", "==", budget_key)).count()
        return int(query.get()[0][0].value)

    def claim_within_budget(
        self, ledger_id: str, update_time: Any, fields: Mapping[str, Any], budget_key: str, budget: int
    ) -> str:
        """Claim the entry (create when ``update_time`` is None) only while fewer than ``budget``
        claims carry ``budget_key``: "claimed", "lost" (the entry moved on) or "spent".

        A counted claim holds one of ``budget`` slots ``reply_budgets/{budget_key}:{n}``, created in
        the same batch as the claim: two concurrent claims cannot create one slot, so at most
        ``budget`` claims hold one — without a transaction (locks on one hot document stall).
        """
        used = self.budget_used(budget_key)
        expires = datetime.now(UTC) + timedelta(days=names.REPLY_BUDGET_SLOT_DAYS)
        slot_fields = {"ledger_id": ledger_id, names.TTL_FIELDS[names.REPLY_BUDGETS]: expires}
        for n in [*range(used, budget), *range(min(used, budget))]:
            slot = f"{budget_key}:{n}"
            batch = self.db.batch()
            batch.create(self.db.collection(names.REPLY_BUDGETS).document(slot), slot_fields)
            ref = self.ledger.document(ledger_id)
            if update_time is None:
                batch.create(ref, {**fields, "budget_slot": slot})
            else:
                option = self.db.write_option(last_update_time=update_time)
                batch.update(ref, {**fields, "budget_slot": slot}, option=option)
            try:
                batch.commit()
                return "claimed"
            except (gexc.FailedPrecondition, gexc.Conflict, gexc.Aborted, gexc.NotFound):
                snap = ref.get()
                if snap.exists if update_time is None else snap.update_time != update_time:
                    return "lost"
        return "spent"

    def uncount(self, ledger_id: str, changes: Mapping[str, Any]) -> None:
        """Release the entry (``changes``) and free its budget slot, in one batch."""
        ref = self.ledger.document(ledger_id)
        slot = (ref.get().to_dict() or {}).get("budget_slot")
        batch = self.db.batch()
        batch.update(ref, {**changes, "budget_key": None, "budget_slot": None})
        if slot:
            batch.delete(self.db.collection(names.REPLY_BUDGETS).document(slot))
        batch.commit()

    def due_deferred(self, now: datetime, limit: int) -> list[tuple[str, dict[str, Any], Any]]:
        """Parked or unanswered entries now due: one range filter on ``not_before`` (set only while
        parked or requested)."""
        query = self.ledger.where(filter=firestore.FieldFilter("not_before", "<=", now)).limit(limit)
        return [
            (snap.id, entry, snap.update_time)
            for snap in query.stream()
            if (entry := snap.to_dict() or {}).get("state") in ("deferred", "requested")
        ]

    def record_sent(
        self, ledger_id: str, changes: Mapping[str, Any], report_id: str, report_changes: Mapping[str, Any]
    ) -> None:
        updates: dict[str, Any] = {"history": firestore.ArrayUnion([report_changes["history_entry"]])}
        if report_changes.get("post_id"):
            updates["reply_post_ids"] = firestore.ArrayUnion([report_changes["post_id"]])
        if report_changes.get("acknowledged_at"):
            updates["acknowledged_at"] = report_changes["acknowledged_at"]
        batch = self.db.batch()
        batch.update(self.ledger.document(ledger_id), dict(changes))
        batch.update(self.reports.document(report_id), updates)
        batch.commit()

    # --- follow-ups (classify_mention) -------------------------------------------------------
    def thread_candidates(self, conversation_id: str | None, replied_to: list[str]) -> list[dict[str, Any]]:
        """Reports in the post's conversation, and those Aduan's replies it answers belong to."""
        found: dict[str, dict[str, Any]] = {}
        if conversation_id:
            query = self.reports.where(
                filter=firestore.FieldFilter("conversation_id", "==", conversation_id)
            ).limit(THREAD_CANDIDATES)
            found.update({s.id: s.to_dict() for s in query.stream()})
        if replied_to:
            query = self.reports.where(
                filter=firestore.FieldFilter("reply_post_ids", "array_contains_any", replied_to[:30])
            ).limit(THREAD_CANDIDATES)
            found.update({s.id: s.to_dict() for s in query.stream()})
        return list(found.values())

    def attach_follow_up(
        self, report_id: str, change: Callable[[Mapping[str, Any]], dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        """Apply ``change(report)`` in a transaction (with the stats move if the status changed);
        returns the changes made, None when there was nothing to do (already attached)."""
        ref = self.reports.document(report_id)

        @firestore.transactional
        def run(transaction: firestore.Transaction) -> dict[str, Any] | None:
            snap = ref.get(transaction=transaction)
            before = snap.to_dict() or {}
            changes = change(before)
            if changes is None:
                return None
            transaction.update(ref, changes)
            merge = stats.changed(before, {**before, **changes}, firestore.Increment)
            if merge:
                shard = before.get("stats_shard") or stats.shard_doc_id(report_id, before["received_at"])
                transaction.set(self.db.collection(names.STATS).document(shard), merge, merge=True)
            return changes

        return run(self.db.transaction())
