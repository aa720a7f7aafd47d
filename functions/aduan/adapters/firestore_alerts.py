"""The alert ledger in Firestore: ``alerts/{cluster_id}``, the cluster's latest alert with one entry
per channel (``aduan.alerts.send.decide`` says who may send what).

The first alert is claimed by a create (the first report wins without a transaction); every later
claim updates the document only with the snapshot's ``update_time`` as precondition, so two
claimants of the same state cannot both win.
"""

from __future__ import annotations

from datetime import datetime

from google.api_core import exceptions as gexc
from google.cloud import firestore

from aduan import names
from aduan.alerts.policy import Alert
from aduan.alerts.send import NEW, PENDING, RESUME, SKIP, Claim, decide


class FirestoreAlertLedger:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db
        self.collection = db.collection(names.ALERTS)

    def _fresh(self, alert: Alert, number: int, channels: tuple[str, ...], now: datetime) -> dict:
        return {
            "cluster_id": alert.cluster_id,
            "number": number,
            "reason": alert.reason,
            "report_id": alert.report_id,
            "cluster_size": alert.cluster_size,
            "agency_ids": list(alert.agency_ids),
            "owner": alert.report_id,
            "claimed_at": now,
            "channels": {c: {"state": PENDING, "at": now} for c in channels},
        }

    def claim(self, alert: Alert, channels: list[str], now: datetime) -> Claim:
        ref = self.collection.document(alert.cluster_id)
        first = decide(None, alert.report_id, channels, now)
        try:
            ref.create(self._fresh(alert, first.number, first.channels, now))
            return first
        except gexc.Conflict:
            pass
        snap = ref.get()
        claim = decide(snap.to_dict(), alert.report_id, channels, now)
        if claim.action in (SKIP, RESUME):
            return claim  # nothing to claim, or already this report's
        if claim.action == NEW:
            update = self._fresh(alert, claim.number, claim.channels, now)
        else:  # TAKE_OVER: the owner died with channels pending
            update = {"owner": alert.report_id, "claimed_at": now}
        try:  # update() replaces each named field whole (the channels map too)
            ref.update(update, option=self.db.write_option(last_update_time=snap.update_time))
        except (gexc.FailedPrecondition, gexc.Conflict):
            return Claim(SKIP, claim.number, ())  # another report claimed it first
        return claim

    def mark(
        self, cluster_id: str, channel: str, state: str, now: datetime, detail: str = "", attempts: int = 0
    ) -> None:
        entry = {"state": state, "at": now, "detail": detail, "attempts": attempts}
        self.collection.document(cluster_id).update({self.db.field_path("channels", channel): entry})
