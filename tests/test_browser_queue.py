"""The agency work queue in real headless Chromium, served by functions-framework on the emulators.

Keyboard only (Tab, Space, arrows, Enter), at phone width (360 px) and on a desktop,
with axe-core (from the ``axe-playwright-python`` wheel, injected into the page)
finding no serious or critical issue. Screenshots go to build/artifacts/.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from google.api_core import exceptions as gexc
from google.cloud import firestore, pubsub_v1

from aduan import actions, names
from aduan import report as r
from infra.browser import CHROMIUM, FLAGS
from infra.localcloud import ROOT, LocalCloud
from tests.statuspage_seed import KEY, report_doc, seed, start_status_page

pytestmark = [pytest.mark.emulators, pytest.mark.browser]
sync_api = pytest.importorskip("playwright.sync_api")
axe_package = pytest.importorskip("axe_playwright_python")
AXE_JS = (Path(axe_package.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
ARTIFACTS = ROOT / "build" / "artifacts"
NOW = datetime.now(UTC)
AGENCY = "kota-semarang"
XSS = 'Lampu PJU mati <script>alert("xss")</script> <img src=x onerror=alert(2)> di depan SD'


def seeded_docs() -> list[dict]:
    texts = [
        XSS,
        "Jalan Pemuda berlubang besar, hubungi 081234567890",
        "Sampah menumpuk di pasar Johar sudah seminggu",
        "Selokan mampet, air meluber ke jalan kalau hujan",
        "Mohon informasinya kapan perbaikan jembatan Banjir Kanal",
        "Lampu lalu lintas di simpang Tugu Muda mati",
    ]
    categories = ["penerangan", "jalan", "sampah", "drainase", "jalan", "transportasi"]
    docs = []
    for n, (text, category) in enumerate(zip(texts, categories, strict=True), start=1):
        doc = report_doc(
            n,
            NOW - timedelta(days=2 * n, hours=n),
            category=category,
            text=text,
            status=r.IN_PROGRESS if n % 3 == 0 else r.ROUTED,
            cluster_id="x-c1" if n == 1 else None,
        )
        doc["needs_review"] = n in (2, 5)
        doc["confidence"] = 0.55 + n / 20
        docs.append(doc)
    return docs


@pytest.fixture
def site(local: LocalCloud) -> Iterator[tuple[str, dict[str, dict]]]:
    docs = seeded_docs()
    seed(firestore.Client(project=local.project), docs, clusters={"x-c1": 2})
    publisher = pubsub_v1.PublisherClient()
    with contextlib.suppress(gexc.AlreadyExists):
        publisher.create_topic(name=publisher.topic_path(local.project, names.REPLIES_TOPIC))
    start_status_page(local, local.ports.status)
    yield f"http://127.0.0.1:{local.ports.status}", {d["id"]: d for d in docs}


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "Debian chromium is missing: make test installs it (infra/setup_system.sh)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=list(FLAGS))
        yield chromium
        chromium.close()


def new_page(browser, width: int, height: int):
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=1, locale="id-ID"
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.dialogs = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    return context, tab


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches ``selector`` (bounded), as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def axe_violations(page) -> list[dict]:
    page.evaluate(AXE_JS)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def queue_link(base: str) -> str:
    return actions.queue_url(base, KEY, AGENCY, "lapor@semarangkota.example.go.id", datetime.now(UTC))


def test_queue_by_keyboard_at_phone_width(site, browser, local: LocalCloud) -> None:
    base, docs = site
    context, page = new_page(browser, 360, 780)
    try:
        page.goto(queue_link(base))
        assert page.locator("h1").inner_text().startswith("Antrian kerja")
        assert page.locator("input[name=laporan]").count() == 6
        assert (
            page.locator("img[src=x]").count() == 0 and 'alert("xss")' in page.locator(".queue").inner_text()
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        page.screenshot(path=str(ARTIFACTS / "queue-mobile.png"), full_page=True)
        assert axe_violations(page) == []
        # Select the first two reports, answer them and mark them in progress: keyboard only.
        tab_to(page, "#pilih-1")
        page.keyboard.press("Space")
        tab_to(page, "#pilih-2")
        page.keyboard.press("Space")
        tab_to(page, "input[name=status][value='']")
        page.keyboard.press("ArrowDown")  # "Tetap" → "Sedang diproses"
        assert page.locator("input[name=status][value=diproses]").is_checked()
        tab_to(page, "#q-tanggapan")
        page.keyboard.type("Petugas kami menuju lokasi hari ini")
        tab_to(page, "#tindakan button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "2 laporan diubah" in page.locator(".result").inner_text()
        page.screenshot(path=str(ARTIFACTS / "queue-mobile-done.png"), full_page=True)
        assert axe_violations(page) == []
        db = firestore.Client(project=local.project)
        answered = [
            d
            for d in (s.to_dict() for s in db.collection(names.REPORTS).stream())
            if d.get("response") == "Petugas kami menuju lokasi hari ini"
        ]
        assert len(answered) == 2 and {d["status"] for d in answered} == {r.IN_PROGRESS}
        assert page.dialogs == []
    finally:
        context.close()


def test_queue_filters_and_bulk_reroute_on_a_desktop(site, browser, local: LocalCloud) -> None:
    base, docs = site
    context, page = new_page(browser, 1280, 900)
    try:
        page.goto(queue_link(base))
        page.screenshot(path=str(ARTIFACTS / "queue-desktop.png"), full_page=True)
        assert axe_violations(page) == []
        tab_to(page, "#f-kategori")
        page.keyboard.type("Jalan")  # a select takes typed letters
        tab_to(page, "form.filters button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url("**kategori=jalan**")
        assert page.locator("input[name=laporan]").count() == 2
        tab_to(page, "#pilih-1")
        page.keyboard.press("Space")
        tab_to(page, "input[name=aksi][value=status]")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")  # → "Bukan kewenangan kami: teruskan"
        assert page.locator("input[name=aksi][value=route]").is_checked()
        tab_to(page, "#q-instansi")
        page.keyboard.type("Dinas Pekerjaan")
        tab_to(page, "#q-catatan")
        page.keyboard.type("Bukan kewenangan kami: urusan DPU")
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "1 laporan diubah" in page.locator(".result").inner_text()
        assert page.locator("input[name=laporan]").count() == 1
        page.screenshot(path=str(ARTIFACTS / "queue-desktop-done.png"), full_page=True)
        db = firestore.Client(project=local.project)
        moved = [
            s.to_dict()
            for s in db.collection(names.REPORTS).stream()
            if s.to_dict().get("agency_id") == "kota-semarang-dpu"
        ]
        assert len(moved) == 1 and moved[0]["category"] == "jalan"
        assert db.collection(names.CORRECTIONS).document(moved[0]["id"]).get().exists
        page.goto(f"{base}/laporan/{moved[0]['ticket']}")
        assert "Dinas Pekerjaan Umum Kota Semarang" in page.locator(".facts").inner_text()
        assert page.dialogs == []
    finally:
        context.close()


def test_single_report_page_by_keyboard_with_axe(site, browser, local: LocalCloud) -> None:
    base, docs = site
    doc = next(d for d in docs.values() if d["status"] == r.ROUTED)
    context, page = new_page(browser, 360, 780)
    try:
        page.goto(actions.action_url(base, KEY, doc["id"], doc["agency_id"], datetime.now(UTC)))
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        tab_to(page, "input[name=status][value='']")
        page.keyboard.press("ArrowDown")
        tab_to(page, "#catatan-status")
        page.keyboard.type("Sedang kami tangani, hubungi 081234567890 untuk info")
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("h1").inner_text() == "Tersimpan"
        assert axe_violations(page) == []
        stored = firestore.Client(project=local.project).collection(names.REPORTS).document(doc["id"]).get()
        assert stored.get("status") == r.IN_PROGRESS and "081234567890" not in stored.get("response")
        page.goto(f"{base}/laporan/{doc['ticket']}")
        assert "Sedang kami tangani" in page.locator(".response").inner_text()
        assert axe_violations(page) == []
    finally:
        context.close()
