"""Fuzzing every public URL with hostile query strings, paths and headers: never a 500 (issue 11, item 9).

The status page runs in-process on the Firestore emulator with a few seeded reports; hypothesis draws
paths, parameters (known names with hostile values: superscript and other-script digits, dates at
datetime's limits, huge numbers, control characters, broken percent-encoding) and Accept-Language.
Open311 answers, errors included, stay JSON or XML in the spec's shape; the pages stay HTML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from google.cloud import firestore
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aduan import report as r
from infra.localcloud import LocalCloud
from tests.statuspage_seed import make_client, report_doc, seed, wib

NOW = wib(2026, 11, 26, 10, 0)
PARAMS = [
    "page",
    "page_size",
    "halaman",
    "start_date",
    "end_date",
    "status",
    "service_code",
    "service_request_id",
    "lang",
    "tiket",
]
HOSTILE = st.one_of(
    st.sampled_from(
        [
            "²",
            "¹",
            "٣",
            "１",
            "0",
            "-1",
            "1e9",
            "9" * 40,
            "1.0",
            " 1",
            "9999-12-31T00:00:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+23:59",
            "2026-11-01T00:00:00+99:00",
            "2026-02-30",
            "open,closed,open",
            ",,,",
            "jalan," * 40,
            "K7Q2-9M4X," * 40,
            "\x00",
            "\ud800",
            "<script>",
            "en",
            "EN",
            "id;q=0",
        ]
    ),
    st.text(max_size=40),
    st.integers(-(10**20), 10**20).map(str),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
)
PATHS = st.one_of(
    st.sampled_from(
        [
            "/",
            "/cari",
            "/instansi/kota-semarang",
            "/instansi/tidak-ada",
            "/open311/v2/discovery.json",
            "/open311/v2/discovery.xml",
            "/open311/v2/services.xml",
            "/open311/v2/requests.json",
            "/open311/v2/requests.xml",
            "/open311/v2/requests.csv",
            "/robots.txt",
            "/favicon.ico",
        ]
    ),
    st.text(min_size=1, max_size=24).map(lambda t: "/laporan/" + quote(t, safe="")),
    st.text(min_size=1, max_size=24).map(lambda t: f"/open311/v2/requests/{quote(t, safe='')}.json"),
    st.text(min_size=1, max_size=24).map(lambda t: f"/open311/{quote(t, safe='/.')}"),
    st.text(min_size=1, max_size=24).map(lambda t: "/" + quote(t, safe="/")),
)
RAW = st.binary(max_size=60).map(
    lambda b: "".join(f"%{c:02X}" if c > 0x7E or c < 0x21 else chr(c) for c in b)
)


@pytest.fixture
def client(local: LocalCloud):
    docs = [
        report_doc(1, wib(2026, 11, 24, 8), status=r.RESOLVED),
        report_doc(2, wib(2026, 11, 25, 9), category="penerangan", status=r.IN_PROGRESS),
        report_doc(3, wib(2026, 11, 25, 10), status=r.NOT_A_REPORT, is_report=False),
    ]
    seed(firestore.Client(project=local.project), docs)
    return make_client(local.project, NOW)[0]


def check(response, path: str) -> None:
    assert response.status_code < 500, (path, response.status_code)
    if path.startswith("/open311/") and response.status_code != 200:
        body = response.get_data()
        if response.content_type.startswith("text/xml"):
            tree = ET.fromstring(body)
            assert tree.tag == "errors" and tree.find("error/code") is not None
        else:
            assert response.content_type.startswith("application/json"), path
            assert isinstance(response.get_json()[0]["code"], int)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    PATHS,
    st.dictionaries(st.one_of(st.sampled_from(PARAMS), st.text(max_size=8)), HOSTILE, max_size=4),
    st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["en;q=abc", "*;q=0.5,en", "id-ID,,;;"])),
)
def test_no_query_string_path_or_header_gives_a_500(client, path: str, params: dict, accept) -> None:
    accept = accept and "".join(c for c in accept if c not in "\r\n")  # HTTP itself cannot carry these
    headers = {"Accept-Language": accept.encode("utf-8", "replace").decode("latin-1")} if accept else {}
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='', errors='replace')}" for k, v in params.items())
    check(client.get(path, query_string=query, headers=headers), path)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["/", "/instansi/kota-semarang", "/open311/v2/requests.json", "/cari"]), RAW)
@example("/open311/v2/requests/%0A.json", "")
def test_broken_percent_encoding_gives_no_500(client, path: str, raw: str) -> None:
    check(client.get(path, query_string=raw), path)
