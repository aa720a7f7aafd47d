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


def seeded_docs() -> list[dict]:
    return [
        report_doc(1, NOW - timedelta(hours=30), category="penerangan", text=XSS, cluster_id="x-c1"),
        report_doc(2, NOW - timedelta(days=12), text="Jalan Pemuda berlubang, hubungi 081234567890"),
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
    assert page.dialogs == []


def test_agency_page_and_no_private_data(site, page) -> None:
    base, docs = site
    page.goto(base + "/instansi/kota-semarang")
    items = page.locator(".items .item")
    assert items.count() == 3
    assert "Lewat tenggat" in items.nth(0).inner_text()  # 12 days old and never taken up: overdue first
    text = page.locator("body").inner_text()
    assert "081234567890" not in text and "warga_smg" not in text and "[telepon]" in text
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
