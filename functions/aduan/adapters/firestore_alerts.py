"""The alert ledger in Firestore: ``alerts/{cluster}-{hour}`` with one entry per channel.

Claiming creates the document (the first report wins without a transaction); a
later claim updates it only with the snapshot's ``update_time`` as precondition, so
two takeovers cannot both win.
"""

from __future__ import annotations

from datetime import datetime

from google.api_core import exceptions as gexc
from google.cloud import firestore

from aduan import names
from aduan.alerts.policy import Alert
from aduan.alerts.send import PENDING, SENT, claimable


class FirestoreAlertLedger:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db
        self.collection = db.collection(names.ALERTS)

    def claim(self, alert: Alert, channels: list[str], now: datetime) -> list[str]:
        ref = self.collection.document(alert.alert_id)
        fresh = {
            "alert_id": alert.alert_id,
            "reason": alert.reason,
            "cluster_id": alert.cluster_id,
            "report_id": alert.report_id,
            "cluster_size": alert.cluster_size,
            "agency_ids": list(alert.agency_ids),
            "owner": alert.report_id,
            "claimed_at": now,
            "channels": {c: {"state": PENDING, "at": now} for c in channels},
        }
        try:
            ref.create(fresh)
            return list(channels)
        except gexc.Conflict:
            pass
        snap = ref.get()
        entry = snap.to_dict() or {}
        known = entry.get("channels") or {}
        pending = [c for c in channels if (known.get(c) or {}).get("state") != SENT]
        if not pending or not claimable(entry, alert.report_id, now):
            return []
        update = {"owner": alert.report_id, "claimed_at": now}
        update.update(
            {
                self.db.field_path("channels", c): {"state": PENDING, "at": now}
                for c in pending
                if c not in known
            }
        )
        try:
            ref.update(update, option=self.db.write_option(last_update_time=snap.update_time))
        except (gexc.FailedPrecondition, gexc.Conflict):
            return []  # another report took it over first
        return pending

    def mark(self, alert_id: str, channel: str, state: str, now: datetime, detail: str = "") -> None:
        self.collection.document(alert_id).update(
            {self.db.field_path("channels", channel): {"state": state, "at": now, "detail": detail}}
        )
