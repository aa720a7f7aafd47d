"""Open311 GeoReport v2: the spec's fields and types in JSON and XML, filters, errors, escaping."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from google.cloud import firestore

from aduan import report as r
from aduan.statuspage import open311
from infra.localcloud import LocalCloud
from tests.statuspage_seed import make_client, report_doc, seed, wib

NOW = wib(2026, 11, 26, 10, 0)
XSS = 'Lampu mati <script>alert(1)</script> & "kutip" \x01 hubungi 081234567890'
REQUEST_FIELDS = {
    "service_request_id": str,
    "status": str,
    "status_notes": str,
    "service_name": str,
    "service_code": str,
    "description": str,
    "agency_responsible": str,
    "service_notice": str,
    "requested_datetime": str,
    "updated_datetime": str,
    "expected_datetime": (str, type(None)),
    "address": str,
    "address_id": str,
    "zipcode": str,
    "lat": (float, type(None)),
    "long": (float, type(None)),
    "media_url": str,
}
SERVICE_FIELDS = {
    "service_code": str,
    "service_name": str,
    "description": str,
    "metadata": bool,
    "type": str,
    "keywords": str,
    "group": str,
}


@pytest.fixture
def api(local: LocalCloud):
    docs = [
        report_doc(1, wib(2026, 11, 24, 8), status=r.RESOLVED),
        report_doc(2, wib(2026, 11, 25, 9), category="penerangan", status=r.IN_PROGRESS, text=XSS),
        report_doc(3, wib(2026, 11, 25, 10), status=r.NOT_A_REPORT, is_report=False),
        report_doc(4, wib(2026, 7, 1, 10), status=r.ROUTED),  # older than 90 days
    ]
    seed(firestore.Client(project=local.project), docs)
    client, _ = make_client(local.project, NOW)
    return client, {d["id"][-1]: d for d in docs}


def xml_records(response, root: str, item: str) -> list[dict[str, str]]:
    assert response.content_type == "text/xml; charset=utf-8"
    body = response.get_data(as_text=True)
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    tree = ET.fromstring(body.encode("utf-8"))
    assert tree.tag == root
    return [{child.tag: child.text or "" for child in node} for node in tree.findall(item)]


def test_discovery_in_both_formats(api) -> None:
    client, _ = api
    doc = client.get("/open311/v2/discovery.json").get_json()
    assert doc["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert doc["endpoints"][0]["url"] == "http://127.0.0.1:8993/open311/v2"
    tree = ET.fromstring(client.get("/open311/v2/discovery.xml").get_data())
    formats = [f.text for f in tree.findall("endpoints/endpoint/formats/format")]
    assert formats == ["text/xml", "application/json"]


def test_services_are_the_taxonomy_with_spec_types(api) -> None:
    client, _ = api
    services = client.get("/open311/v2/services.json").get_json()
    assert [s["service_code"] for s in services][:2] == ["jalan", "drainase"]
    for service in services:
        assert {k: type(v) for k, v in service.items()} == SERVICE_FIELDS
        assert service["type"] in ("realtime", "batch", "blackbox")
    xml = xml_records(client.get("/open311/v2/services.xml?lang=en"), "services", "service")
    assert xml[0]["service_name"] == "Roads & Bridges" and xml[0]["metadata"] == "false"


def test_requests_carry_spec_fields_in_json_and_xml(api) -> None:
    client, docs = api
    records = client.get("/open311/v2/requests.json").get_json()
    assert [rec["service_request_id"] for rec in records] == [docs["2"]["ticket"], docs["1"]["ticket"]]
    for rec in records:
        assert set(rec) == set(REQUEST_FIELDS)
        for name, kind in REQUEST_FIELDS.items():
            assert isinstance(rec[name], kind), name
        assert rec["requested_datetime"].endswith("+07:00")
    resolved = records[1]
    assert resolved["status"] == "closed" and resolved["status_notes"].startswith("Selesai")
    assert records[0]["status"] == "open" and records[0]["agency_responsible"] == "Pemerintah Kota Semarang"
    xml = xml_records(client.get("/open311/v2/requests.xml"), "service_requests", "request")
    assert [x["service_request_id"] for x in xml] == [rec["service_request_id"] for rec in records]
    assert xml[0]["lat"] == "" and set(xml[0]) == set(REQUEST_FIELDS)


def test_citizen_text_is_escaped_and_redacted(api) -> None:
    client, docs = api
    raw = client.get(f"/open311/v2/requests/{docs['2']['ticket']}.xml").get_data(as_text=True)
    assert "<script>" not in raw and "&lt;script&gt;" in raw and "081234567890" not in raw
    description = ET.fromstring(raw.encode()).find("request/description").text
    assert description.startswith('Lampu mati <script>alert(1)</script> & "kutip"  hubungi [telepon]')
    record = client.get(f"/open311/v2/requests/{docs['2']['ticket']}.json").get_json()[0]
    assert record["description"] == description


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=closed", ["1"]),
        ("status=open,closed", ["2", "1"]),
        ("service_code=penerangan", ["2"]),
        ("start_date=2026-06-20T00:00:00Z&end_date=2026-09-01T00:00:00%2B07:00", ["4"]),
        ("page_size=1&page=2", ["1"]),
        # ids override the other filters; non-reports are never returned
        ("service_request_id={t1},{t3},{t4}&status=open", ["1", "4"]),
    ],
)
def test_request_filters(api, query: str, expected: list[str]) -> None:
    client, docs = api
    query = query.format(**{f"t{k}": d["ticket"] for k, d in docs.items()})
    records = client.get(f"/open311/v2/requests.json?{query}").get_json()
    assert [rec["service_request_id"] for rec in records] == [docs[k]["ticket"] for k in expected]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400),  # > 90 days
        ("requests.json?start_date=kemarin", 400),
        ("requests.json?status=pending", 400),
        ("requests.json?service_code=tidak-ada", 400),
        ("requests.json?page_size=1000", 400),
        ("requests/ZZZZZZZZ.json", 404),
        ("requests.csv", 400),
    ],
)
def test_errors_are_shaped_as_the_spec_says(api, path: str, status: int) -> None:
    client, _ = api
    response = client.get(f"/open311/v2/{path}")
    assert response.status_code == status
    body = response.get_json()
    assert isinstance(body, list) and body[0]["code"] == status and isinstance(body[0]["description"], str)
    if path.endswith(".json") and "?" not in path:
        errors = xml_records(client.get(f"/open311/v2/{path[:-5]}.xml"), "errors", "error")
        assert errors[0]["code"] == str(status)


def test_a_non_report_is_not_found_by_id(api) -> None:
    client, docs = api
    assert client.get(f"/open311/v2/requests/{docs['3']['ticket']}.json").status_code == 404


def test_default_range_is_the_last_90_days_and_stable_within_a_minute() -> None:
    query = open311.parse_query({}, ("jalan",), NOW)
    assert query.end is None and NOW - query.start == open311.MAX_SPAN and query.open is None
    later = open311.parse_query({}, ("jalan",), NOW + timedelta(seconds=59, microseconds=12345))
    assert later == query  # same cache key: the window moves by the minute, not the microsecond
    assert json.loads(open311.to_json([None, True])) == [None, True]


@pytest.mark.parametrize(
    "query",
    [
        "page=²",
        "page=¹",
        "page_size=¹",
        "page_size=٣",
        "page=0",
        "page=-1",
        "page=1e3",
        "page=20&page_size=100",  # deeper than the first 1000 requests
        "start_date=9999-12-31T00:00:00Z",
        "end_date=0001-01-01T00:00:00Z",
        "start_date=0001-01-01T00:00:00%2B14:00",
        "end_date=9999-12-31T23:59:59-12:00",
        "start_date=2026-01-01T00:00:00%2B25:00",
        "start_date=%00",
    ],
)
def test_hostile_parameters_are_400_in_the_spec_format(api, query: str) -> None:
    client, _ = api
    for fmt in ("json", "xml"):
        response = client.get(f"/open311/v2/requests.{fmt}?{query}")
        assert response.status_code == 400, (fmt, query)
        if fmt == "json":
            assert response.get_json()[0]["code"] == 400
        else:
            assert xml_records(response, "errors", "error")[0]["code"] == "400"


@pytest.mark.parametrize(
    "path", ["requests/ZZZZ.json", "requests/a.b.json", "nothing.json", "v3/x", "", "v2/"]
)
def test_unknown_open311_paths_are_spec_errors_not_html(api, path: str) -> None:
    client, _ = api
    response = client.get(f"/open311/{path}")
    assert response.status_code == 404 and response.content_type.startswith("application/json")
    assert response.get_json()[0]["code"] == 404
    xml = client.get(f"/open311/{path.removesuffix('.json')}.xml")
    assert xml.status_code == 404 and xml_records(xml, "errors", "error")[0]["code"] == "404"


def test_other_methods_are_spec_errors_with_allow(api) -> None:
    client, _ = api
    for path in ("/open311/v2/requests.json", "/open311/v2/requests.xml", "/open311/v2/services.json"):
        response = client.post(path, data={"service_code": "jalan"})
        assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD"
        if path.endswith(".xml"):
            assert xml_records(response, "errors", "error")[0]["code"] == "405"
        else:
            assert response.get_json()[0]["code"] == 405


def test_discovery_says_how_to_get_a_key() -> None:
    doc = open311.discovery("https://status.example", "x")
    assert "API" in doc["key_service"] and doc["key_service"].strip()


def test_listings_and_lookups_are_cached_and_paged_with_cursors(local: LocalCloud) -> None:
    docs = [report_doc(n, wib(2026, 11, 25, 9) - timedelta(hours=n)) for n in range(1, 8)]
    seed(firestore.Client(project=local.project), docs)
    clock = [NOW]
    client, site = make_client(local.project, NOW)
    site.clock = lambda: clock[0]
    expected = [d["ticket"] for d in docs]  # newest first
    before = site.store.reads
    assert [r["service_request_id"] for r in client.get("/open311/v2/requests.json").get_json()] == expected
    cold = site.store.reads - before
    assert cold == len(docs)
    for micro in (1, 999_999, 31_000_000):  # the default window no longer changes the cache key
        clock[0] = NOW + timedelta(microseconds=micro)
        before = site.store.reads
        assert client.get("/open311/v2/requests.xml").status_code == 200
        assert site.store.reads == before
    # pages of 2: each page reads its rows and one more, never the rows it skips
    shown, reads = [], []
    for number in (1, 2, 3, 4):
        before = site.store.reads
        page = client.get(f"/open311/v2/requests.json?page_size=2&page={number}").get_json()
        reads.append(site.store.reads - before)
        shown += [r["service_request_id"] for r in page]
    assert shown == expected and reads == [3, 3, 3, 1]
    # a first visit deep into the listing walks the pages before it once; they are then cached
    client2, site2 = make_client(local.project, NOW)
    before = site2.store.reads
    client2.get("/open311/v2/requests.json?page_size=2&page=3")
    assert site2.store.reads - before == 3 + 3 + 3
    before = site2.store.reads
    client2.get("/open311/v2/requests.json?page_size=2&page=2")
    assert site2.store.reads == before
    # one request: cached, misses too (briefly)
    for path in (f"/open311/v2/requests/{expected[0]}.json", "/open311/v2/requests/ZZZZZZZZ.json"):
        client.get(path)
        before = site.store.reads
        client.get(path)
        client.get(path.replace(".json", ".xml"))
        assert site.store.reads == before
