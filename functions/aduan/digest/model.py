"""What one agency's digest says about one week, computed from report documents (pure).

The model holds figures and already-capped lists, so the HTML and the text part
render the same numbers and the e-mail stays small whatever the week's volume.
Labels are resolved in the agency's language here; sentence text lives in the templates.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from aduan import report, ticket
from aduan.classifier.redact import redact
from aduan.config import Agency, Taxonomy
from aduan.digest.week import Period
from aduan.workdays import WIB

Doc = Mapping[str, Any]

URGENT_CAP = 10
OVERDUE_CAP = 15
ESCALATED_CAP = 15
REOPENED_CAP = 10
REVIEW_CAP = 10
CLUSTER_CAP = 5
PLACE_CAP = 5
TEXT_CHARS = 160
# Open reports by age (days since received): upper bounds, the last is open-ended.
AGE_BUCKETS = ((3, "0-3"), (7, "4-7"), (30, "8-30"), (None, "30+"))
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")


@dataclass(frozen=True)
class Links:
    """Where the digest points: the public status site, and the agency's action link when there is one."""

    base_url: str
    link_for: Callable[[Doc], str] | None = None

    def report(self, doc: Doc) -> str:
        return f"{self.base_url}/laporan/{quote(str(doc.get('ticket', '')), safe='')}"

    def agency(self, agency_id: str) -> str:
        return f"{self.base_url}/instansi/{quote(agency_id, safe='')}"

    def action(self, doc: Doc) -> str | None:
        return self.link_for(doc) if self.link_for else None


@dataclass(frozen=True)
class ReportLine:
    ticket: str
    text: str
    category: str
    place: str
    status: str
    received: date
    age_days: int
    overdue_days: int | None
    url: str
    action_url: str | None
    agency: str = ""  # the agency that holds it, in a desk's escalation list


@dataclass(frozen=True)
class Listing:
    """A capped list: the first items, how many more there are, and where to see them all."""

    items: tuple[ReportLine, ...]
    total: int
    more_url: str

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int  # of the longest bar, for the table-cell chart
    previous: int | None = None

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.count - self.previous


@dataclass(frozen=True)
class Cluster:
    count: int
    category: str
    place: str
    url: str


@dataclass(frozen=True)
class Digest:
    agency_id: str
    agency_name: str
    language: str
    week: Period  # an IsoWeek, or a Day for agencies with daily digests
    generated_at: datetime
    agency_url: str
    new_total: int
    new_previous_total: int
    by_category: tuple[Bar, ...]
    open_total: int
    open_by_status: tuple[Bar, ...]
    open_by_age: tuple[Bar, ...]  # labels are AGE_BUCKETS keys
    urgent: Listing
    overdue: Listing
    clusters: tuple[Cluster, ...]
    top_places: tuple[Bar, ...]
    resolved_total: int
    median_resolve_hours: float | None
    needs_review: Listing
    reopened: Listing = Listing((), 0, "")  # closed reports a citizen said are not fixed
    escalated: Listing = Listing((), 0, "")  # other agencies' overdue reports that reached this desk

    @property
    def daily(self) -> bool:
        return self.week.kind == "daily"

    @property
    def is_empty(self) -> bool:
        return not (
            self.new_total
            or self.open_total
            or self.resolved_total
            or self.needs_review.total
            or self.reopened.total
            or self.escalated.total
        )


def one_line(text: str, limit: int = TEXT_CHARS) -> str:
    """A post's text as one short line: no control or bidi characters, no newlines to forge layout."""
    flat = " ".join(_CONTROL.sub(" ", text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def place_name(doc: Doc) -> str:
    place = doc.get("place") or {}
    parts = [place.get("district_name"), place.get("regency_name")]
    return ", ".join(p for p in parts if p)


def _bars(
    counts: Counter, labels: Callable[[str], str], previous: Mapping[str, int] | None = None
) -> tuple[Bar, ...]:
    keys = set(counts) | {k for k, n in (previous or {}).items() if n}
    top = max([counts[k] for k in keys] + [1])
    ordered = sorted(keys, key=lambda k: (-counts[k], -(previous or {}).get(k, 0), labels(k)))
    return tuple(
        Bar(
            labels(k),
            counts[k],
            round(100 * counts[k] / top),
            None if previous is None else previous.get(k, 0),
        )
        for k in ordered
    )


def _deadline(doc: Doc) -> datetime | None:
    return doc.get("due_at") if doc.get("first_response_at") else doc.get("due_response_at")


def _age_bucket(days: int) -> str:
    return next(key for bound, key in AGE_BUCKETS if bound is None or days <= bound)


class _Builder:
    def __init__(
        self, agency: Agency, taxonomy: Taxonomy, links: Links, now: datetime, public: frozenset[str]
    ) -> None:
        self.agency, self.taxonomy, self.links, self.now = agency, taxonomy, links, now
        self.public = public
        self.lang = agency.language

    def category(self, slug: str | None) -> str:
        found = self.taxonomy.get(slug or "")
        return found.label(self.lang) if found else (slug or "-")

    def status(self, status: str) -> str:
        return report.STATUS_LABELS.get(status, {}).get(self.lang, status)

    def line(self, doc: Doc, agency_names: Mapping[str, str] | None = None) -> ReportLine:
        deadline = _deadline(doc)
        overdue = report.is_overdue(doc, self.now)
        return ReportLine(
            ticket=ticket.display(str(doc.get("ticket", ""))),
            # redacted again, as the pages do: reports filed under an older rule are covered too
            text=one_line(redact(str(doc.get("public_text") or ""), self.public)),
            category=self.category(doc.get("category")),
            place=place_name(doc),
            status=self.status(doc.get("status", "")),
            received=doc["received_at"].astimezone(WIB).date(),
            age_days=(self.now - doc["received_at"]).days,
            overdue_days=(self.now - deadline).days if overdue and deadline else None,
            url=self.links.report(doc),
            # Another agency's report gets no action link: the link is that agency's credential.
            action_url=self.links.action(doc)
            if doc.get("agency_id", self.agency.id) == self.agency.id
            else None,
            agency=(agency_names or {}).get(str(doc.get("agency_id")), ""),
        )

    def listing(
        self, docs: list[Doc], cap: int, more_url: str, agency_names: Mapping[str, str] | None = None
    ) -> Listing:
        return Listing(tuple(self.line(d, agency_names) for d in docs[:cap]), len(docs), more_url)


def build(
    agency: Agency,
    taxonomy: Taxonomy,
    week: Period,
    now: datetime,
    links: Links,
    week_docs: Iterable[Doc],
    previous_by_category: Mapping[str, int],
    open_docs: Iterable[Doc],
    resolved_docs: Iterable[Doc],
    reopened_docs: Iterable[Doc] = (),
    escalated_docs: Iterable[Doc] = (),
    agency_names: Mapping[str, str] | None = None,
    public_handles: frozenset[str] = frozenset(),
) -> Digest:
    """The digest of ``week`` (or a day) from the period's reports, the previous period's counts, the
    open backlog (reports received earlier and still open), the reports resolved during the period,
    those a citizen reopened in it and the overdue reports of supervised agencies (any order)."""
    b = _Builder(agency, taxonomy, links, now, public_handles)
    received = [d for d in week_docs if week.contains(d["received_at"])]
    public = [d for d in received if report.is_public(d.get("status", ""), bool(d.get("is_report")))]
    by_id = {d["id"]: d for d in open_docs}
    by_id.update({d["id"]: d for d in received if d.get("open")})
    still_open = sorted(
        (d for d in by_id.values() if d.get("open") and d.get("is_report")), key=lambda d: d["received_at"]
    )
    agency_url = links.agency(agency.id)

    overdue = sorted(
        (d for d in still_open if report.is_overdue(d, now)), key=lambda d: (_deadline(d), d["id"])
    )
    urgent = [d for d in still_open if d.get("urgent")]
    review = sorted((d for d in received if d.get("needs_review")), key=lambda d: d["received_at"])

    groups: dict[str, list[Doc]] = {}
    for doc in public:
        if doc.get("cluster_id"):
            groups.setdefault(doc["cluster_id"], []).append(doc)
    clusters = sorted(
        (g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), min(d["received_at"] for d in g))
    )

    resolved = [
        d
        for d in resolved_docs
        if d.get("status") == report.RESOLVED and d.get("resolved_at") and week.contains(d["resolved_at"])
    ]
    hours = [(d["resolved_at"] - d["received_at"]).total_seconds() / 3600 for d in resolved]
    places = Counter(place_name(d) for d in public if place_name(d))

    return Digest(
        agency_id=agency.id,
        agency_name=agency.name,
        language=agency.language,
        week=week,
        generated_at=now,
        agency_url=agency_url,
        new_total=len(public),
        new_previous_total=sum(previous_by_category.values()),
        by_category=_bars(Counter(d.get("category") or "" for d in public), b.category, previous_by_category),
        open_total=len(still_open),
        open_by_status=_bars(Counter(d["status"] for d in still_open), b.status),
        open_by_age=_age_bars(Counter(_age_bucket((now - d["received_at"]).days) for d in still_open)),
        urgent=b.listing(urgent, URGENT_CAP, agency_url),
        overdue=b.listing(overdue, OVERDUE_CAP, agency_url),
        clusters=tuple(
            Cluster(len(g), b.category(g[0].get("category")), place_name(g[0]), links.report(g[0]))
            for g in clusters[:CLUSTER_CAP]
        ),
        top_places=_bars(Counter(dict(places.most_common(PLACE_CAP))), str),
        resolved_total=len(resolved),
        median_resolve_hours=statistics.median(hours) if hours else None,
        needs_review=b.listing(review, REVIEW_CAP, agency_url),
        reopened=b.listing(
            sorted(
                (d for d in reopened_docs if d.get("reopened_at") and week.contains(d["reopened_at"])),
                key=lambda d: d["reopened_at"],
            ),
            REOPENED_CAP,
            agency_url,
        ),
        escalated=b.listing(list(escalated_docs), ESCALATED_CAP, agency_url, agency_names),
    )


def _age_bars(counts: Counter) -> tuple[Bar, ...]:
    """Every age bucket in order, empty ones too, so the chart's rows never move."""
    top = max(list(counts.values()) + [1])
    return tuple(Bar(key, counts[key], round(100 * counts[key] / top)) for _, key in AGE_BUCKETS)
