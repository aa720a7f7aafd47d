"""Which filed report alerts whom — pure.

A public report alerts its agency when it is urgent, or when its cluster has just
reached ``alerts.cluster_size`` citizens; an urgent ``bencana`` report also alerts the
province's disaster desk. Whether the alert still goes out is the cluster ledger's
decision (``aduan.alerts.send.decide``): at most one per cluster per hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aduan.config import Agencies

URGENT, CLUSTER = "urgent", "cluster"
DISASTER_CATEGORY = "bencana"


@dataclass(frozen=True)
class AlertChannels:
    """How alerts leave: the sender address, the status site, and the keys for links and webhooks."""

    sender: str
    base_url: str
    link_key: str
    webhook_key: str


@dataclass(frozen=True)
class Alert:
    reason: str  # URGENT or CLUSTER
    report_id: str
    cluster_id: str
    cluster_size: int
    agency_ids: tuple[str, ...]


def alert_for(doc: Mapping[str, Any], cluster_size: int, agencies: Agencies, now: datetime) -> Alert | None:
    """The alert a just-filed report raises, or None (non-reports and hidden reports never alert)."""
    if not doc.get("is_report") or not doc.get("public") or not doc.get("open"):
        return None
    urgent = bool(doc.get("urgent"))
    if not urgent and cluster_size < agencies.alerts.cluster_size:
        return None
    recipients = [doc["agency_id"]]
    desk = agencies.alerts.disaster_desk
    if urgent and doc.get("category") == DISASTER_CATEGORY and desk and desk not in recipients:
        recipients.append(desk)
    cluster_id = str(doc.get("cluster_id") or doc["id"])
    return Alert(
        reason=URGENT if urgent else CLUSTER,
        report_id=str(doc["id"]),
        cluster_id=cluster_id,
        cluster_size=cluster_size,
        agency_ids=tuple(a for a in recipients if agencies.get(a) is not None),
    )
