"""Who supervises whom, and how far an overdue report has climbed — pure.

A report past its deadline is shown to its agency's supervising desk: the agency's
configured ``supervisor``, else the kabupaten/kota pengaduan desk (an agency for all
categories whose regions cover the agency's), else the province desk. Five working
days later it climbs once more, to that desk's own supervisor. Nothing is written:
the level follows from the deadline and the clock, so a resolved report drops out
of every desk's digest by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from aduan import report
from aduan.config import ALL_CATEGORIES, Agencies, Agency
from aduan.workdays import add_working_days

CLIMB_AFTER_WORKDAYS = 5
MAX_LEVEL = 2


def _covers(desk: Agency, agency: Agency) -> int | None:
    """The length of the desk's most specific region that contains every region of ``agency``."""
    depths = [
        len(region)
        for region in desk.regions
        if agency.regions and all(own.startswith(region) for own in agency.regions)
    ]
    return max(depths) if depths else None


def supervisor_of(agencies: Agencies, agency_id: str) -> str | None:
    """The desk that hears of ``agency_id``'s overdue reports (None for the province desk)."""
    agency = agencies.get(agency_id)
    if agency is None or agency_id == agencies.province_desk:
        return None
    if agency.supervisor:
        return agency.supervisor
    best: tuple[int, str] | None = None
    for desk in agencies.agencies:
        if desk.id == agency_id or ALL_CATEGORIES not in desk.categories:
            continue
        depth = _covers(desk, agency)
        # A desk supervises agencies of a narrower area, or the same area's specialised offices.
        narrower = depth is not None and (
            depth < min(len(r) for r in agency.regions) or ALL_CATEGORIES not in agency.categories
        )
        if narrower and (best is None or depth > best[0]):
            best = (depth, desk.id)
    return best[1] if best else agencies.province_desk


def supervised(agencies: Agencies, desk_id: str) -> dict[str, int]:
    """Agencies whose overdue reports reach ``desk_id``, with the level they reach it at (1 or 2)."""
    found: dict[str, int] = {}
    for agency in agencies.agencies:
        chain = _chain(agencies, agency.id)
        for level, desk in enumerate(chain, start=1):
            if desk == desk_id and agency.id != desk_id:
                found[agency.id] = min(level, found.get(agency.id, level))
    return found


def _chain(agencies: Agencies, agency_id: str) -> list[str]:
    """The first MAX_LEVEL supervisors above an agency (bounded: a cycle in config stops here)."""
    chain: list[str] = []
    current: str | None = agency_id
    for _ in range(MAX_LEVEL):
        current = supervisor_of(agencies, current) if current else None
        if current is None or current in chain or current == agency_id:
            break
        chain.append(current)
    return chain


def level(doc: Mapping[str, Any], now: datetime) -> int:
    """0 when on time; 1 when overdue; 2 when still overdue five working days later."""
    if not report.is_overdue(dict(doc), now):
        return 0
    deadline = doc.get("due_at") if doc.get("first_response_at") else doc.get("due_response_at")
    climbed = deadline is not None and now > add_working_days(deadline, CLIMB_AFTER_WORKDAYS)
    return 2 if climbed else 1


def escalated_to(
    desk_id: str, agencies: Agencies, docs: Iterable[Mapping[str, Any]], now: datetime
) -> list[Mapping[str, Any]]:
    """Of other agencies' reports, those that have climbed as far as ``desk_id``, most overdue first."""
    reach = supervised(agencies, desk_id)
    shown = [d for d in docs if d.get("agency_id") in reach and level(d, now) >= reach[d["agency_id"]]]
    return sorted(shown, key=lambda d: (d.get("due_response_at") or now, d.get("id", "")))
