"""The status page in real headless Chromium, served by functions-framework on the Firestore emulator.

Screenshots at phone width (390 px) go to build/artifacts/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from google.cloud import firestore

from aduan import actions
from aduan import report as r
from aduan.ticket import display
from infra.browser import CHROMIUM, FLAGS
from infra.localcloud import ROOT, LocalCloud
from tests.statuspage_seed import KEY, report_doc, seed, start_status_page

pytestmark = [pytest.mark.emulators, pytest.mark.browser]
sync_api = pytest.importorskip("playwright.sync_api")
ARTIFACTS = ROOT / "build" / "artifacts"
XSS = 'Lampu PJU mati <script>alert("xss")</script> <img src=x onerror=alert(2)> di depan SD'
NOW = datetime.now(UTC)
# issue 11's leaks, as a citizen might type them (the stored text here is *not* redacted: the page must)
LEAKS = [
    "3374  0123\u00a04567\t8901",
    "(+62) 812 3456 7891",
    "wa081234567892",
    "0812 - 3456 - 7895",
    "0062 812 3456 7800",
    "budi@bücher.de",
    "h 1234 ab",
    "H.1234.AB",
    "＠sitinurhaliza",
    "@humasbudi",
    "@pemkotlover_ani",
]
VARIANTS = " ".join(LEAKS) + " info @bmkg"


def seeded_docs() -> list[dict]:
    return [
        report_doc(1, NOW - timedelta(hours=30), category="penerangan", text=XSS, cluster_id="x-c1"),
        report_doc(
            2, NOW - timedelta(days=12), text="Jalan Pemuda berlubang, hubungi 081234567890 ya, " + VARIANTS
        ),
        report_doc(
            3,
            NOW - timedelta(days=2),
            category="sampah",
            status=r.RESOLVED,
            agency_id="kota-semarang-dlh",
            text="Sampah menumpuk di pasar",
        ),
        report_doc(
            4,
            NOW - timedelta(hours=5),
            category="drainase",
            status=r.IN_PROGRESS,
            text="Selokan mampet, air meluber ke jalan",
        ),
    ]


@pytest.fixture
def site(local: LocalCloud) -> Iterator[tuple[str, dict[str, dict]]]:
    docs = seeded_docs()
    seed(firestore.Client(project=local.project), docs, clusters={"x-c1": 3})
    start_status_page(local, local.ports.status)
    yield f"http://127.0.0.1:{local.ports.status}", {d["id"][-1]: d for d in docs}


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "Debian chromium is missing: make test installs it (infra/setup_system.sh)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=list(FLAGS))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        locale="id-ID",
        java_script_enabled=True,
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.dialogs = dialogs
    failed: list[str] = []  # every request the page made that did not succeed (a missing icon, say)
    tab.on(
        "response", lambda resp: failed.append(f"{resp.status} {resp.url}") if resp.status >= 400 else None
    )
    tab.on("console", lambda msg: failed.append(msg.text) if msg.type == "error" else None)
    tab.failed = failed
    yield tab
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"statuspage-{name}.png"), full_page=True)


def test_overview_search_and_timeline(site, page) -> None:
    base, docs = site
    page.goto(base + "/")
    assert page.locator("h1").inner_text() == "Status laporan warga"
    assert "<script>" in page.locator(".items").inner_text()  # shown as text, escaped
    assert page.locator("img[src=x]").count() == 0
    shot(page, "overview")
    page.fill("#tiket", display(docs["1"]["ticket"]).lower())
    page.click("form.search button")
    page.wait_for_url(f"**/laporan/{docs['1']['ticket']}")
    assert "4 warga melaporkan hal yang sama" in page.locator(".cluster").inner_text()
    assert 'alert("xss")' in page.locator("blockquote.text").inner_text()
    assert page.locator(".timeline li").count() == 2
    shot(page, "report")
    assert page.dialogs == [] and page.failed == []
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    fetched = page.request.get(base + icon)
    assert fetched.status == 200 and fetched.headers["content-type"].startswith("image/svg+xml")
    assert page.request.get(base + "/robots.txt").status == 200
    assert page.locator('meta[name="description"]').get_attribute("content")


def test_agency_page_and_no_private_data(site, page) -> None:
    base, docs = site
    page.goto(base + "/instansi/kota-semarang")
    items = page.locator(".items .item")
    assert items.count() == 3
    assert "Lewat tenggat" in items.nth(0).inner_text()  # 12 days old and never taken up: overdue first
    text = page.locator("body").inner_text()
    assert "081234567890" not in text and "warga_smg" not in text and "[telepon]" in text
    for leak in LEAKS:
        assert leak not in text and leak.split()[-1] not in text, leak
    assert "@bmkg" in text  # a listed public account stays readable
    shot(page, "agency")
    page.goto(base + "/?lang=en")
    assert page.locator("h1").inner_text() == "Status of citizens' reports"
    shot(page, "overview-en")
    assert page.dialogs == []


def test_action_flow_from_digest_link_to_public_page(site, page) -> None:
    base, docs = site
    doc = docs["1"]
    url = actions.action_url(base, KEY, doc["id"], doc["agency_id"], datetime.now(UTC))
    page.goto(url)
    assert page.locator("h1").inner_text().startswith("Tindak lanjut laporan")
    shot(page, "action-form")
    page.check("input[name=status][value=selesai]")
    page.fill("#catatan-status", "Lampu sudah diganti <b>hari ini</b>")
    page.click("form.card >> text=Simpan status")
    assert page.locator("h1").inner_text() == "Tersimpan"
    shot(page, "action-done")
    page.click("text=Lihat halaman publik laporan ini")
    page.wait_for_url(f"**/laporan/{doc['ticket']}")
    assert page.locator(".badge").first.inner_text() == "Selesai"
    assert "Lampu sudah diganti <b>hari ini</b>" in page.locator(".timeline").inner_text()
    shot(page, "report-after-action")
    page.goto(url)  # the link was used: a clear page, nothing changes
    assert "sudah dipakai" in page.locator(".alert").inner_text()
    shot(page, "action-used")
    assert page.dialogs == []
