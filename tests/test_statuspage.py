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


@pytest.mark.parametrize("halaman", ["²", "¹", "٣", "0", "51", "-1", "1.5", "x"])
def test_bad_page_numbers_are_400_not_500(seeded, halaman: str) -> None:
    client, _, _ = seeded
    response = client.get("/instansi/kota-semarang", query_string={"halaman": halaman})
    assert response.status_code == 400 and "Nomor halaman tidak valid" in text_of(response)


def test_agency_pages_read_with_cursors(local: LocalCloud) -> None:
    from aduan.statuspage import pages

    docs = [report_doc(n, NOW - timedelta(hours=n)) for n in range(1, 2 * pages.PAGE_SIZE + 6)]
    seed(firestore.Client(project=local.project), docs)
    client, site = make_client(local.project, NOW)
    calls, agency_open = [], site.store.agency_open
    site.store.agency_open = lambda *args, **kw: (
        calls.append(args[2:] + tuple(kw.values())) or agency_open(*args, **kw)
    )
    seen, reads = [], []
    for number in (1, 2, 3):
        before = site.store.reads
        body = client.get(f"/instansi/kota-semarang?halaman={number}").get_data(as_text=True)
        reads.append(site.store.reads - before)
        seen += re.findall(r'class="ticket" href="/laporan/([0-9A-Z]{8})', body)
    assert sorted(seen) == sorted(d["ticket"] for d in docs) and len(seen) == len(docs)
    # the first page also reads the month's stats and the open count; later pages only their rows (+1)
    assert reads[1] == pages.PAGE_SIZE + 1 and reads[2] == 5
    # page 2 starts after page 1's last row (deadline, id): a cursor, not an offset that bills skipped rows
    by_due = sorted(docs, key=lambda d: (d["due_at"], d["id"]))
    last = by_due[pages.PAGE_SIZE - 1]
    assert calls[0] == (None,) and calls[1] == ((last["due_at"], last["id"]),)


def test_cache_evicts_the_coldest_entry_and_misses_expire_soon() -> None:
    from aduan.statuspage.cache import TTLCache

    now = [0.0]
    cache = TTLCache(60, clock=lambda: now[0], max_entries=3, negative_ttl_s=5, max_misses=2)
    loads = []

    def load(value):
        return lambda: loads.append(value) or value

    for key in ("a", "b", "c"):
        cache.get(key, load(key))
    cache.get("a", load("a"))  # a is now the most recent
    cache.get("d", load("d"))  # evicts b only
    assert loads == ["a", "b", "c", "d"] and len(cache) == 3
    cache.get("a", load("a"))
    cache.get("c", load("c"))
    assert loads == ["a", "b", "c", "d"]
    cache.get("missing", load(None))
    cache.get("missing", load(None))
    assert loads.count(None) == 1
    now[0] = 6.0
    cache.get("missing", load(None))
    assert loads.count(None) == 2
    for n in range(10):  # misses evict misses only
        cache.get(f"other-miss-{n}", load(None))
    cache.get("a", load("a"))
    cache.get("c", load("c"))
    cache.get("d", load("d"))
    assert loads.count("a") == 1 and len(cache) == 5


def test_random_misses_do_not_flush_the_cache(seeded) -> None:
    import random

    from aduan.ticket import ALPHABET

    client, site, _ = seeded
    client.get("/")
    rng = random.Random(11)
    for _ in range(600):
        code = "".join(rng.choice(ALPHABET) for _ in range(8))
        assert client.get(f"/laporan/{code}").status_code == 404
    before = site.store.reads
    assert client.get("/").status_code == 200 and client.get("/?lang=id").status_code == 200
    assert site.store.reads == before


def test_robots_favicon_and_description(seeded) -> None:
    client, _, _ = seeded
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and "Disallow: /tindak/" in robots.get_data(as_text=True)
    icon = client.get("/favicon.svg")
    assert icon.status_code == 200 and icon.content_type.startswith("image/svg+xml")
    assert client.get("/favicon.ico").headers["Location"] == "/favicon.svg"
    page = client.get("/").get_data(as_text=True)
    assert '<meta name="description" content="Status laporan warga' in page
    assert '<link rel="icon" href="/favicon.svg">' in page
    assert "Central Java" in client.get("/?lang=en").get_data(as_text=True).split("<style>")[0]


def test_send_digests_takes_post_only(monkeypatch) -> None:
    from flask import Flask

    monkeypatch.setenv("FUNCTION_TARGET", "")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "t-digest-method")
    monkeypatch.syspath_prepend(str(ROOT / "functions"))
    import main

    with Flask("t").test_request_context("/?week=2026-W48", method="GET"):
        from flask import request

        body, status, headers = main.send_digests(request)
    assert status == 405 and headers == {"Allow": "POST"}
