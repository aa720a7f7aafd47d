"""Which agency must act on a report (DESIGN.md, "Routing").

1. By place: the agency whose regions contain the report's place and whose
   categories contain its category; the most specific region wins, then an
   agency that names the category over one that takes everything ("*").
2. No place: the place implied by the mentioned account (its agency's regions),
   routed the same way — "@pemkotmagelang jalan rusak" goes to Kota Magelang's
   public-works office, not to the mayor's office.
3. Otherwise the province's complaint desk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aduan.config import ALL_CATEGORIES, Agencies, Agency

PROVINCE = "33"


@dataclass(frozen=True)
class Route:
    agency_id: str
    routed_by: str  # "region", "account" or "desk"


def _best(agencies: Agencies, codes: Sequence[str], category: str) -> Agency | None:
    scored = []
    for order, agency in enumerate(agencies.agencies):
        depth = agency.region_depth(codes)
        if depth is not None and agency.handles(category):
            specific = ALL_CATEGORIES not in agency.categories
            scored.append((depth, specific, -order, agency))
    return max(scored, key=lambda s: s[:3])[3] if scored else None


def route(agencies: Agencies, category: str, place_codes: Sequence[str], to_accounts: Sequence[str]) -> Route:
    if place_codes:
        found = _best(agencies, [PROVINCE, *place_codes], category)
        if found is not None:
            return Route(found.id, "region")
    by_handle = {acc.username.lower(): agency for agency, acc in agencies.accounts}
    for handle in to_accounts:
        owner = by_handle.get(handle.lower())
        if owner is None:
            continue
        found = _best(agencies, [PROVINCE, *owner.regions], category)
        return Route((found or owner).id, "account")
    return Route(agencies.province_desk, "desk")
