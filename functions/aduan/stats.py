"""Pre-aggregated counts for the status page and the digests, sharded so no document is hot.

Shape: ``stats/{YYYY-MM}-s{NNN}`` — one document per month (WIB) and shard; a
report always counts in the shard of its id and the month it was received, so a
later status change updates the same document. With ``SHARDS`` = 128, a burst of
100 posts/s writes each document less than once a second on average.

Inside a shard document (map keys, so Firestore ``Increment`` merges them):

    month: "2026-11"
    days: {"30": {"n":    {"<agency>|<category or ->|<status>": count},
                  "urgent": {"<agency>": count},
                  "resp": {"<agency>": {"<bucket>": count}},   # hours to first response
                  "resol": {"<agency>": {"<bucket>": count}}}} # hours to resolution

Counts are by the day a report was *received* (a cohort), so "share resolved this
month" and the medians describe the reports that came in this month.
Readers sum a month's shards (``aggregate``) and cache the result.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from aduan.workdays import WIB

SHARDS = 128
NO_CATEGORY = "-"
# Hour buckets for response and resolution times: upper bounds, log-spaced.
HOUR_BUCKETS = (1, 2, 4, 8, 16, 24, 48, 72, 120, 168, 336, 720, 1440)


def shard_of(report_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(report_id.encode("utf-8"), digest_size=4).digest(), "big") % SHARDS


def shard_doc_id(report_id: str, received_at: datetime) -> str:
    return f"{received_at.astimezone(WIB):%Y-%m}-s{shard_of(report_id):03d}"


def month_doc_ids(month: str) -> list[str]:
    return [f"{month}-s{n:03d}" for n in range(SHARDS)]


def count_key(agency_id: str, category: str | None, status: str) -> str:
    return f"{agency_id}|{category or NO_CATEGORY}|{status}"


def hour_bucket(hours: float) -> str:
    for bound in HOUR_BUCKETS:
        if hours <= bound:
            return str(bound)
    return "inf"


def _day(received_at: datetime) -> str:
    return f"{received_at.astimezone(WIB):%d}"


def filed(doc: Mapping[str, Any], increment: Any) -> dict[str, Any]:
    """The merge-set that counts a newly filed report (``increment(n)`` builds the store's increment)."""
    day: dict[str, Any] = {
        "n": {count_key(doc["agency_id"], doc.get("category"), doc["status"]): increment(1)}
    }
    if doc.get("urgent") and doc.get("is_report"):
        day["urgent"] = {doc["agency_id"]: increment(1)}
    return {"month": f"{doc['received_at'].astimezone(WIB):%Y-%m}", "days": {_day(doc["received_at"]): day}}


def changed(before: Mapping[str, Any], after: Mapping[str, Any], increment: Any) -> dict[str, Any]:
    """The merge-set for a status/category/agency change of one report: move its count, time its responses."""
    day: dict[str, Any] = {}
    old_key = count_key(before["agency_id"], before.get("category"), before["status"])
    new_key = count_key(after["agency_id"], after.get("category"), after["status"])
    if old_key != new_key:
        day["n"] = {old_key: increment(-1), new_key: increment(1)}
    received = before["received_at"]
    if after.get("first_response_at") and not before.get("first_response_at"):
        hours = (after["first_response_at"] - received).total_seconds() / 3600
        day["resp"] = {after["agency_id"]: {hour_bucket(hours): increment(1)}}
    if after.get("resolved_at") and not before.get("resolved_at"):
        hours = (after["resolved_at"] - received).total_seconds() / 3600
        day["resol"] = {after["agency_id"]: {hour_bucket(hours): increment(1)}}
    return {"days": {_day(received): day}} if day else {}


@dataclass
class Totals:
    """Sums over a span of days; keys as in the shard documents."""

    counts: Counter = field(default_factory=Counter)  # (agency, category, status) -> n
    urgent: Counter = field(default_factory=Counter)  # agency -> n
    response_hours: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    resolution_hours: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def received(self, agency: str | None = None, public_only: bool = True) -> int:
        return sum(
            n
            for (a, c, s), n in self.counts.items()
            if (agency is None or a == agency) and (not public_only or s != "bukan_laporan")
        )

    def by(self, index: int, agency: str | None = None, statuses: Iterable[str] | None = None) -> Counter:
        """Counts grouped by key part ``index`` (0 agency, 1 category, 2 status)."""
        wanted = set(statuses) if statuses is not None else None
        grouped: Counter = Counter()
        for key, n in self.counts.items():
            if (agency is None or key[0] == agency) and (wanted is None or key[2] in wanted):
                grouped[key[index]] += n
        return grouped

    @staticmethod
    def median_hours(histograms: Iterable[Counter]) -> float | None:
        """The median's bucket bound (hours) from histograms; None when there is nothing to measure."""
        merged: Counter = Counter()
        for h in histograms:
            merged.update(h)
        total = sum(merged.values())
        if not total:
            return None
        order = sorted(merged, key=lambda b: float(b) if b != "inf" else float("inf"))
        seen = 0
        for bucket in order:
            seen += merged[bucket]
            if seen * 2 >= total:
                return float(bucket)
        return None


def aggregate(docs: Iterable[Mapping[str, Any]], first: date, last: date) -> Totals:
    """Sum the shard documents' days within [first, last]."""
    totals = Totals()
    for doc in docs:
        month = doc.get("month")
        if not month:
            continue
        year, mon = (int(p) for p in month.split("-"))
        for day_str, day in (doc.get("days") or {}).items():
            day_date = date(year, mon, int(day_str))
            if not first <= day_date <= last:
                continue
            for key, n in (day.get("n") or {}).items():
                agency, category, status = key.split("|", 2)
                totals.counts[(agency, None if category == NO_CATEGORY else category, status)] += n
            totals.urgent.update(day.get("urgent") or {})
            for agency, hist in (day.get("resp") or {}).items():
                totals.response_hours[agency].update(hist)
            for agency, hist in (day.get("resol") or {}).items():
                totals.resolution_hours[agency].update(hist)
    return totals
