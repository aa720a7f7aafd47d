"""View models of the public pages: Firestore documents and stats in, plain values out (no I/O).

Only fields meant for the public leave this module: a report's redacted text,
its category, place names, agency, dates and status history. The text is
redacted *again* here (the classifier already did when filing): a pattern added
to the redactor later then also covers reports filed before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from aduan import report as r
from aduan.classifier.redact import redact
from aduan.config import Config
from aduan.stats import Totals
from aduan.ticket import display
from aduan.workdays import WIB

SYSTEM = "aduan"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Period:
    first: date
    last: date


def week_and_month(now: datetime) -> tuple[Period, Period]:
    """This week (from Monday) and this month (from the 1st), in WIB, up to today."""
    today = now.astimezone(WIB).date()
    return Period(today - timedelta(days=today.weekday()), today), Period(today.replace(day=1), today)


def months_of(period: Period) -> list[str]:
    """The stats months (YYYY-MM) a period touches."""
    months = {f"{period.first:%Y-%m}", f"{period.last:%Y-%m}"}
    return sorted(months)


@dataclass(frozen=True)
class Figures:
    received: int
    resolved: int
    urgent: int
    median_response_h: float | None
    median_resolution_h: float | None

    @property
    def resolved_pct(self) -> int | None:
        return round(100 * self.resolved / self.received) if self.received else None


@dataclass(frozen=True)
class BarRow:
    key: str
    label: str
    count: int
    resolved: int
    pct: int  # bar length: share of the largest row, 0–100


def figures(totals: Totals, agency: str | None = None) -> Figures:
    statuses = totals.by(2, agency)
    pick = (lambda hist: {agency: hist[agency]} if agency in hist else {}) if agency else (lambda hist: hist)
    return Figures(
        received=totals.received(agency),
        resolved=statuses.get(r.RESOLVED, 0),
        urgent=totals.urgent.get(agency, 0) if agency else sum(totals.urgent.values()),
        median_response_h=Totals.median_hours(pick(totals.response_hours).values()),
        median_resolution_h=Totals.median_hours(pick(totals.resolution_hours).values()),
    )


def bar_rows(
    totals: Totals, index: int, labels: Mapping[str, str], agency: str | None = None
) -> list[BarRow]:
    """Rows per category (index 1) or agency (0), largest first; non-reports left out."""
    public = [s for s in r.STATUSES if s != r.NOT_A_REPORT]
    counts = totals.by(index, agency, public)
    resolved = totals.by(index, agency, [r.RESOLVED])
    top = max(counts.values(), default=0)
    rows = [
        BarRow(str(k), labels.get(k, str(k)), n, resolved.get(k, 0), round(100 * n / top) if top else 0)
        for k, n in counts.items()
        if n > 0 and k is not None
    ]
    return sorted(rows, key=lambda row: (-row.count, row.label))


@dataclass(frozen=True)
class TimelineEntry:
    status: str
    label: str
    at: datetime
    by: str
    note: str


@dataclass(frozen=True)
class PublicReport:
    ticket: str
    ticket_display: str
    status: str
    status_label: str
    is_open: bool
    category: str | None
    category_label: str
    agency_id: str
    agency_name: str
    place: str
    text: str
    received_at: datetime
    updated_at: datetime
    due_at: datetime | None
    overdue: bool
    timeline: tuple[TimelineEntry, ...]
    post_url: str | None
    cluster_size: int
    response: str = ""  # the agency's latest public answer (redacted), shown beside the status
    acknowledged_at: datetime | None = None  # when Aduan answered the citizen on their channel
    acknowledged_on: str = ""  # the channel's name ("X")


class Publisher:
    """Turns stored documents into what the public may see, in one language."""

    def __init__(self, config: Config, language: str) -> None:
        self.config, self.language = config, language
        self.handles = config.public_handles

    def clean(self, text: str | None) -> str:
        """Personal data masked, control characters dropped (they have no business in a page or XML)."""
        return _CONTROL.sub("", redact(text or "", self.handles))

    def category_label(self, slug: str | None) -> str:
        category = self.config.taxonomy.get(slug) if slug else None
        return category.label(self.language) if category else (slug or "—")

    def category_labels(self) -> dict[str, str]:
        return {c.slug: c.label(self.language) for c in self.config.taxonomy.categories}

    def agency_name(self, agency_id: str) -> str:
        if agency_id == SYSTEM:
            return "Aduan"
        agency = self.config.agencies.get(agency_id)
        return agency.name if agency else agency_id

    def agency_names(self) -> dict[str, str]:
        return {a.id: a.name for a in self.config.agencies.agencies}

    def status_label(self, status: str) -> str:
        return r.STATUS_LABELS.get(status, {}).get(self.language, status)

    def report(self, doc: Mapping[str, Any], now: datetime, cluster_size: int = 1) -> PublicReport:
        responded = doc.get("first_response_at") is not None
        history = sorted(doc.get("history") or [], key=lambda h: h["at"])
        return PublicReport(
            ticket=doc["ticket"],
            ticket_display=display(doc["ticket"]),
            status=doc["status"],
            status_label=self.status_label(doc["status"]),
            is_open=r.is_open(doc["status"]),
            category=doc.get("category"),
            category_label=self.category_label(doc.get("category")),
            agency_id=doc["agency_id"],
            agency_name=self.agency_name(doc["agency_id"]),
            place=place_text(doc.get("place")),
            text=self.clean(doc.get("public_text")),
            received_at=doc["received_at"],
            updated_at=doc.get("updated_at") or doc["received_at"],
            due_at=doc.get("due_at") if responded else doc.get("due_response_at"),
            overdue=r.is_overdue(doc, now),
            timeline=tuple(
                TimelineEntry(
                    h["status"],
                    self.status_label(h["status"]),
                    h["at"],
                    self.agency_name(h.get("by") or SYSTEM),
                    self.clean(h.get("note")),
                )
                for h in history
            ),
            post_url=post_url(doc),
            cluster_size=max(1, cluster_size),
            response=self.clean(doc.get("response")),
            acknowledged_at=doc.get("acknowledged_at"),
            acknowledged_on=str(doc.get("source") or "").upper() if doc.get("acknowledged_at") else "",
        )

    def reports(self, docs: Iterable[Mapping[str, Any]], now: datetime) -> list[PublicReport]:
        return [self.report(d, now) for d in docs if d.get("public")]


def place_text(place: Mapping[str, Any] | None) -> str:
    """Most specific first, as an address is read: village, district, regency."""
    if not place:
        return ""
    names = (place.get("village_name"), place.get("district_name"), place.get("regency_name"))
    return ", ".join(n for n in names if n)


def post_url(doc: Mapping[str, Any]) -> str | None:
    """A link to the original post that does not carry the citizen's handle."""
    source_id = str(doc.get("source_id") or "")
    if doc.get("source") == "x" and source_id.isdigit():
        return f"https://x.com/i/web/status/{source_id}"
    return None


def overdue_first(reports: Sequence[PublicReport]) -> list[PublicReport]:
    far = datetime.max.replace(tzinfo=WIB)
    return sorted(reports, key=lambda p: (not p.overdue, p.due_at or far))
