"""The public pages on the Firestore emulator: figures, search, timeline, agency queue, privacy, i18n, budgets."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from google.cloud import firestore

from aduan import report as r
from aduan.adapters.config_files import load_config
from aduan.config import ConfigError
from aduan.statuspage import views
from aduan.statuspage.app import site_from_env
from aduan.ticket import display
from infra.localcloud import ROOT, LocalCloud
from tests.statuspage_seed import make_client, report_doc, seed, wib

pytestmark = pytest.mark.emulators
NOW = wib(2026, 11, 26, 10, 0)  # a Thursday: the week began on Monday the 23rd
PRIVATE = "Hubungi saya di 0812-3456-7890 atau budi@example.com, NIK 3374012345678901, cc @tetangga_saya"


def docs() -> list[dict]:
    return [
        report_doc(1, wib(2026, 11, 24, 8), status=r.RESOLVED),
        report_doc(
            2, wib(2026, 11, 25, 9), category="sampah", agency_id="kota-semarang-dlh", status=r.IN_PROGRESS
        ),
        report_doc(3, wib(2026, 11, 10, 9), status=r.ROUTED, text=PRIVATE),  # overdue by the 26th
        report_doc(
            4, wib(2026, 11, 25, 11), status=r.NOT_A_REPORT, is_report=False, text="Terima kasih pak wali!"
        ),
        report_doc(5, wib(2026, 11, 26, 7), category="penerangan", status=r.ROUTED, cluster_id="x-cluster"),
        report_doc(6, wib(2026, 10, 30, 7), status=r.REJECTED),  # last month
    ]


@pytest.fixture
def seeded(local: LocalCloud):
    seed(firestore.Client(project=local.project), docs(), clusters={"x-cluster": 11})
    client, site = make_client(local.project, NOW)
    return client, site, {d["id"]: d for d in docs()}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_overview_figures_lists_and_headers(seeded) -> None:
    client, site, by_id = seeded
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public, max-age=60")
    # default-src 'none' and no script-src: the browser runs no script at all
    assert "script-src" not in response.headers["Content-Security-Policy"]
    body = text_of(response)
    month = re.search(r"Bulan ini .*?Laporan masuk (\d+) Selesai (\S+)", body)
    # 4 public reports in November, 1 resolved; the non-report is left out
    assert month.groups() == ("4", "25%")
    assert "Jalan &amp; Jembatan" in response.get_data(as_text=True)
    assert "Terima kasih pak wali" not in body  # not a report: never public
    latest = re.findall(r"/laporan/([0-9A-Z]{8})", response.get_data(as_text=True))
    assert latest[0] == by_id["x-1862000000000000005"]["ticket"]  # newest first
    assert "≤ 24 jam" in body and "≤ 3 hari" in body  # medians from the seeded 20 h response, 60 h resolution


def test_warm_overview_costs_no_reads_and_report_page_two(seeded) -> None:
    client, site, by_id = seeded
    client.get("/")
    before = site.store.reads
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert site.store.reads == before
    before = site.store.reads
    assert client.get(f"/laporan/{by_id['x-1862000000000000005']['ticket']}").status_code == 200
    assert site.store.reads - before == 2  # the report and its cluster
    before = site.store.reads
    assert client.get(f"/laporan/{by_id['x-1862000000000000005']['ticket']}").status_code == 200
    assert site.store.reads == before


def test_report_timeline_cluster_and_no_private_data(seeded) -> None:
    client, _, by_id = seeded
    doc = by_id["x-1862000000000000003"]
    response = client.get(f"/laporan/{display(doc['ticket']).lower()}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for secret in ("0812-3456-7890", "budi@example.com", "3374012345678901", "tetangga_saya", "warga_smg"):
        assert secret not in page
    assert "[telepon]" in page and "[email]" in page and "[NIK/KK]" in page
    assert "https://x.com/i/web/status/1862000000000000003" in page
    body = text_of(response)
    assert "Lewat tenggat" in body and "Diteruskan ke instansi" in body and "Sekayu, Semarang Tengah" in body
    clustered = client.get(f"/laporan/{by_id['x-1862000000000000005']['ticket']}")
    assert "12 warga melaporkan hal yang sama" in text_of(clustered)


def test_non_report_and_unknown_tickets_are_not_found(seeded) -> None:
    client, _, by_id = seeded
    assert client.get(f"/laporan/{by_id['x-1862000000000000004']['ticket']}").status_code == 404
    assert client.get("/laporan/ZZZZZZZZ").status_code == 404
    assert client.get("/tidak-ada").status_code == 404


def test_search_redirects_to_the_canonical_ticket(seeded) -> None:
    client, _, by_id = seeded
    code = by_id["x-1862000000000000001"]["ticket"]
    typed = display(code).lower().replace("0", "o")
    response = client.get("/cari", query_string={"tiket": f" {typed} "})
    assert response.status_code == 303 and response.headers["Location"] == f"/laporan/{code}"
    bad = client.get("/cari", query_string={"tiket": "<script>"})
    assert bad.status_code == 400 and "<script>" not in bad.get_data(as_text=True)


def test_agency_page_lists_open_reports_overdue_first(seeded) -> None:
    client, _, by_id = seeded
    response = client.get("/instansi/kota-semarang")
    assert response.status_code == 200
    tickets = re.findall(r'class="ticket" href="/laporan/([0-9A-Z]{8})', response.get_data(as_text=True))
    assert tickets == [by_id["x-1862000000000000003"]["ticket"], by_id["x-1862000000000000005"]["ticket"]]
    assert "Laporan terbuka (2)" in text_of(response)
    assert client.get("/instansi/bukan-instansi").status_code == 404


def test_english_by_query_or_accept_language(seeded) -> None:
    client, _, _ = seeded
    by_query = client.get("/?lang=en")
    assert "This month" in text_of(by_query) and 'lang="en"' in by_query.get_data(as_text=True)
    by_header = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Roads &amp; Bridges" in by_header.get_data(as_text=True)
    assert by_header.headers["Vary"] == "Accept-Language"
    assert "Bulan ini" in text_of(client.get("/", headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}))


def test_every_template_string_has_an_english_translation() -> None:
    from aduan.statuspage.i18n import translations
    from aduan.statuspage.render import Templates

    env, english = Templates().env("id"), translations("en")
    missing = []
    for path in sorted((Templates().directory / "status").glob("*.html")):
        for _, _, message in env.extract_translations(path.read_text(encoding="utf-8")):
            msgid = message if isinstance(message, str) else message[0]
            if english.gettext(msgid) == msgid:
                missing.append(msgid)
    assert missing == []


def test_overdue_first_orders_by_lateness_then_deadline() -> None:
    pub = views.Publisher(load_config(ROOT / "config"), "id")
    late = pub.report(report_doc(7, NOW - timedelta(days=20)), NOW)
    fresh = pub.report(report_doc(8, NOW - timedelta(hours=1)), NOW)
    assert [p.ticket for p in views.overdue_first([fresh, late])] == [late.ticket, fresh.ticket]


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "ADUAN_LINK_SIGNING_KEY"),
        ({"ADUAN_LINK_SIGNING_KEY": "short"}, "ADUAN_LINK_SIGNING_KEY"),
        (
            {"ADUAN_LINK_SIGNING_KEY": "k" * 40, "ADUAN_STATUS_BASE_URL": "status.example"},
            "ADUAN_STATUS_BASE_URL",
        ),
    ],
)
def test_bad_environment_stops_with_the_variable_named(env: dict, variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        site_from_env(load_config(ROOT / "config"), "p", env)
