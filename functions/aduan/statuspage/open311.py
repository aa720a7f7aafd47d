"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): records, filters and both formats.

Aduan is read-only through Open311 (reports arrive from X), so only discovery,
GET services and GET requests exist. ``service_code`` is a taxonomy slug,
``service_request_id`` the report's public ticket code; the finer Aduan status
goes to ``status_notes``. JSON follows the spec's Spark mapping of the XML.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aduan import report as r
from aduan.statuspage.views import Publisher, place_text, post_url
from aduan.ticket import normalize
from aduan.workdays import WIB

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+07:00"
MAX_SPAN = timedelta(days=90)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_PAGE = 100
MAX_IDS = 30  # Firestore's "in" filter takes at most 30 values
MAX_DEPTH = 1000  # page × page_size: the spec's "first 1000 requests"; deeper, narrow the dates
# Dates outside these are no report's (and near datetime's limits arithmetic overflows).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
KEY_SERVICE = (
    "Tidak perlu kunci API: Aduan hanya-baca lewat Open311 (GET). "
    "No API key is needed: Aduan is read-only through Open311 (GET)."
)
_WHOLE = re.compile(r"[0-9]{1,6}")
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# Element names of list items in XML (the Spark convention's singular forms).
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Open311Error(Exception):
    """An error the spec's way: HTTP status and a list of {code, description}."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description

    def records(self) -> list[dict[str, Any]]:
        return [{"code": self.status, "description": self.description}]


def w3(moment: datetime | None) -> str | None:
    """W3C datetime with the WIB offset, e.g. 2026-11-30T08:02:03+07:00."""
    return moment.astimezone(WIB).isoformat(timespec="seconds") if moment else None


def discovery(base_url: str, contact: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base_url.rstrip('/')}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def services(publisher: Publisher) -> list[dict[str, Any]]:
    return [
        {
            "service_code": c.slug,
            "service_name": c.label(publisher.language),
            "description": c.covers,
            "metadata": False,
            "type": "realtime",
            "keywords": c.covers,
            "group": "fallback" if c.fallback else "",
        }
        for c in publisher.config.taxonomy.categories
    ]


def request_record(doc: Mapping[str, Any], publisher: Publisher) -> dict[str, Any]:
    """One report as a GeoReport v2 request; only public fields, text redacted again."""
    notes = [publisher.status_label(doc["status"])]
    last = max(doc.get("history") or [], key=lambda h: h["at"], default=None)
    if doc.get("response"):  # the agency's public answer (docs/contracts.md)
        notes.append(publisher.clean(doc["response"]))
    elif last and last.get("by") not in (None, "aduan") and last.get("note"):
        notes.append(publisher.clean(last["note"]))
    place = doc.get("place") or {}
    return {
        "service_request_id": doc["ticket"],
        "status": r.open311_status(doc["status"]),
        "status_notes": ": ".join(notes),
        "service_name": publisher.category_label(doc.get("category")),
        "service_code": doc.get("category") or "",
        "description": publisher.clean(doc.get("public_text"))[:4000],
        "agency_responsible": publisher.agency_name(doc["agency_id"]),
        "service_notice": "",
        "requested_datetime": w3(doc["received_at"]),
        "updated_datetime": w3(doc.get("updated_at") or doc["received_at"]),
        "expected_datetime": w3(doc.get("due_at")),
        "address": place_text(place),
        "address_id": place.get("village_code")
        or place.get("district_code")
        or place.get("regency_code")
        or "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": post_url(doc) or "",
    }


@dataclass(frozen=True)
class RequestQuery:
    """GET requests' filters, validated. ``tickets`` set means the other filters are ignored (spec).

    ``end`` None is "up to now": the default window then only moves by the minute, so the
    same query asked again within a minute is the same cache key.
    """

    tickets: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    open: bool | None = None
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def listing(self) -> tuple[object, ...]:
        """What identifies the ordered listing this page is part of (all but the page number)."""
        return (self.tickets, self.service_codes, self.open, self.start, self.end, self.page_size)


def _items(raw: str | None) -> list[str]:
    return [p.strip() for p in (raw or "").split(",") if p.strip()]


def _time(raw: str, name: str) -> datetime:
    problem = f"{name} must be a W3C datetime from {EARLIEST:%Y} to {LATEST:%Y}, e.g. 2026-11-01T00:00:00Z"
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace(" ", "+"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=WIB)
        inside = EARLIEST <= moment < LATEST  # comparing converts to UTC, which may overflow too
    except (ValueError, OverflowError):
        raise Open311Error(400, problem) from None
    if not inside:
        raise Open311Error(400, problem)
    return moment


def whole(raw: str | None, default: int, high: int) -> int | None:
    """A page number as typed: ASCII digits only (``isdigit`` also takes "²"), 1..high; None if not."""
    if raw in (None, ""):
        return default
    if not _WHOLE.fullmatch(raw) or not 1 <= int(raw) <= high:
        return None
    return int(raw)


def _int(raw: str | None, name: str, default: int, high: int) -> int:
    value = whole(raw, default, high)
    if value is None:
        raise Open311Error(400, f"{name} must be a whole number from 1 to {high}")
    return value


def parse_query(args: Mapping[str, str], known_codes: Sequence[str], now: datetime) -> RequestQuery:
    page = _int(args.get("page"), "page", 1, MAX_PAGE)
    size = _int(args.get("page_size"), "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    if page * size > MAX_DEPTH:
        raise Open311Error(
            400, f"page × page_size may not exceed {MAX_DEPTH}: narrow start_date and end_date"
        )
    ids = _items(args.get("service_request_id"))
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"at most {MAX_IDS} service_request_id values at once")
        tickets = [normalize(i) for i in ids]
        if None in tickets:
            raise Open311Error(400, "service_request_id must be ticket codes like K7Q2-9M4X")
        return RequestQuery(tickets=tuple(dict.fromkeys(t for t in tickets if t)), page=page, page_size=size)
    codes = _items(args.get("service_code"))
    unknown = [c for c in codes if c not in known_codes]
    if unknown:
        raise Open311Error(400, f"unknown service_code: {', '.join(unknown)[:200]}")
    statuses = {s.lower() for s in _items(args.get("status"))}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open, closed or both (comma separated)")
    wanted_open = None if len(statuses) != 1 else statuses == {"open"}
    start = _time(args["start_date"], "start_date") if args.get("start_date") else None
    end = _time(args["end_date"], "end_date") if args.get("end_date") else None
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date")
    if start and end and end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    if start is None:
        start = (end or now.replace(second=0, microsecond=0)) - MAX_SPAN
    elif end is None and start + MAX_SPAN < now:
        end = start + MAX_SPAN
    return RequestQuery((), tuple(codes), wanted_open, start, end, page, size)


# --------------------------------------------------------------------------- formats


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, Mapping):
        for key, child in value.items():
            node.append(_element(key, child))
    elif isinstance(value, list):
        for child in value:
            node.append(_element(ITEM_TAGS.get(tag, "item"), child))
    else:
        node.text = _text(value)
    return node


def to_xml(root: str, value: Any) -> str:
    """XML the spec's way: declaration with UTF-8, no namespace; ElementTree escapes the text."""
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(_element(root, value), encoding="unicode")


def render(fmt: str, root: str, value: Any) -> str:
    return to_json(value) if fmt == "json" else to_xml(root, value)
