"""The digest's pure core: week windows in WIB, the model's figures, rendering, escaping, size and headers."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import message_from_bytes, policy

import pytest
from jinja2 import meta

from aduan import report
from aduan.digest import mime, model, render
from aduan.digest.week import IsoWeek
from aduan.workdays import WIB
from infra.seed_reports import report_doc
from tests.digest_helpers import agency, base_config, figures, html_text

W48 = IsoWeek.parse("2026-W48")
NOW = W48.end + timedelta(hours=7)  # Monday 07:00 WIB, when the scheduler runs
LINKS = model.Links("https://status.example")
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def build(docs, open_docs=(), resolved=(), previous=None, ag=None, week=W48, now=NOW) -> model.Digest:
    return model.build(
        ag or agency(),
        base_config().taxonomy,
        week,
        now,
        LINKS,
        docs,
        previous or {},
        list(open_docs),
        list(resolved),
    )


def test_week_is_monday_to_sunday_in_wib():
    assert W48.start == datetime(2026, 11, 23, 0, 0, tzinfo=WIB)
    assert W48.end == datetime(2026, 11, 30, 0, 0, tzinfo=WIB)
    assert IsoWeek.previous_to(datetime(2026, 11, 30, 0, 0, 30, tzinfo=WIB)) == W48
    # Sunday 17:30 UTC is already Monday 00:30 in Jakarta: the previous week is W48, not W47.
    assert (
        IsoWeek.previous_to(datetime(2026, 11, 29, 17, 30, tzinfo=WIB).astimezone(WIB) + timedelta(hours=7))
        == W48
    )
    assert str(IsoWeek.parse("2026-W01").shifted(-1)) == "2025-W52"
    for bad in ("2026-48", "2026-W54", "W48", "2026-W48\r\nX: y"):
        with pytest.raises(ValueError):
            IsoWeek.parse(bad)


def test_sunday_2359_belongs_to_the_old_week_and_monday_0001_to_the_new():
    sunday = report_doc(1, "kota-magelang", datetime(2026, 11, 29, 23, 59, tzinfo=WIB))
    monday = report_doc(2, "kota-magelang", datetime(2026, 11, 30, 0, 1, tzinfo=WIB))
    assert build([sunday, monday]).new_total == 1
    assert W48.contains(sunday["received_at"]) and not W48.contains(monday["received_at"])
    assert IsoWeek.containing(monday["received_at"]) == W48.shifted(1)


def test_figures_change_overdue_clusters_places_resolved_and_review():
    start = W48.start + timedelta(hours=9)
    docs = [
        report_doc(n, "kota-magelang", start + timedelta(hours=n), category="jalan", cluster_id="x-c1")
        for n in range(3)
    ]
    docs.append(report_doc(3, "kota-magelang", start, category="sampah", urgent=True, needs_review=True))
    docs.append(report_doc(4, "kota-magelang", start, is_report=False, status=report.NOT_A_REPORT))
    old = report_doc(10, "kota-magelang", W48.start - timedelta(days=40))
    resolved = report_doc(
        11,
        "kota-magelang",
        W48.start - timedelta(days=2),
        status=report.RESOLVED,
        resolved_at=W48.start + timedelta(days=1),
    )
    d = build(docs, open_docs=[old], resolved=[resolved], previous={"jalan": 5})
    assert d.new_total == 4 and d.new_previous_total == 5
    jalan = next(b for b in d.by_category if b.label == "Jalan & Jembatan")
    assert (jalan.count, jalan.change, jalan.percent) == (3, -2, 100)
    assert d.open_total == 5
    assert [line.ticket for line in d.overdue.items][0] == model.ticket.display(old["ticket"])
    assert d.urgent.total == 1 and d.needs_review.total == 1
    assert d.clusters[0].count == 3
    assert d.top_places[0].count == 2
    assert d.resolved_total == 1 and d.median_resolve_hours == 72
    assert sum(b.count for b in d.open_by_age) == d.open_total


def test_empty_week_renders_both_parts_with_zeros():
    d = build([])
    assert d.is_empty
    out = render.render(d)
    assert (
        figures(out.text)
        == figures(html_text(out.html))
        == {"laporan baru": 0, "masih terbuka": 0, "lewat tenggat": 0, "selesai minggu ini": 0}
    )
    assert "Tidak ada laporan baru" in out.text


def test_citizen_html_is_escaped_and_text_stays_one_line():
    doc = report_doc(
        1,
        "kota-magelang",
        W48.start + timedelta(hours=1),
        urgent=True,
        text=f"{SCRIPT}\r\nSubject: palsu\n== Mendesak ==",
    )
    out = render.render(build([doc]))
    assert "<script" not in out.html and "onerror=alert" not in out.html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in out.html
    assert SCRIPT in html_text(out.html)  # shown as text, exactly as written
    line = next(line for line in out.text.splitlines() if "alert" in line)
    assert "Subject: palsu" in line and "== Mendesak ==" in line  # flattened: no forged lines or sections


def test_ten_thousand_reports_stay_under_gmails_clip_size():
    start = W48.start
    docs = [
        report_doc(
            n,
            "kota-magelang",
            start + timedelta(seconds=60 * n),
            urgent=n % 7 == 0,
            needs_review=n % 5 == 0,
            cluster_id=f"x-c{n % 50}",
            text=("Jalan rusak parah " * 20) + SCRIPT,
        )
        for n in range(10_000)
    ]
    out = render.render(build(docs))
    assert len(out.html.encode()) <= render.HTML_BUDGET_BYTES <= 102 * 1024
    assert figures(out.text)["laporan baru"] == 10_000
    assert (
        "lainnya di situs status" in out.text and "https://status.example/instansi/kota-magelang" in out.html
    )


def test_english_agency_gets_english_and_every_message_is_translated():
    out = render.render(build([], ag=agency(language="en")))
    assert out.subject.startswith("Aduan digest 2026-W48") and "Weekly" not in out.subject
    assert "new reports" in out.text and "laporan baru" not in out.text
    env = render.environment("en")
    catalog = render.catalog("en")
    for name in ("digest.html", "digest.txt", "macros.html", "subject.txt"):
        source = env.loader.get_source(env, name)[0]
        meta.find_undeclared_variables(env.parse(source))
        for _, _, message in env.extract_translations(source):
            message = message[0] if isinstance(message, tuple) else message
            assert message in catalog, f"{name}: no English for {message!r}"


def test_header_injection_through_agency_name_is_refused():
    evil = agency(name="Dinas PU\r\nBcc: attacker@evil.example")
    out = render.render(build([], ag=evil))
    with pytest.raises(mime.HeaderInjection):
        mime.compose(
            out,
            sender="Aduan <aduan@example.go.id>",
            recipient="a@example.go.id",
            agency_id="x",
            week="2026-W48",
            now=NOW,
            unsubscribe=None,
        )
    for field, value in (("From", "Aduan\n<a@b.c>"), ("To", "a@b.c\rBcc: d@e.f"), ("To", "a@b.c, d@e.f")):
        with pytest.raises(mime.HeaderInjection):
            mime.address(field, value)


def test_message_headers_follow_rfc_8058_and_encode_the_subject():
    out = render.render(build([]))
    msg = mime.compose(
        out,
        sender="Aduan Jateng <aduan@example.go.id>",
        recipient="a@example.go.id",
        agency_id="kota-magelang",
        week="2026-W48",
        now=NOW,
        unsubscribe=mime.unsubscribe_url("https://status.example", "k", "kota-magelang", "a@example.go.id"),
    )
    raw = msg.as_bytes()
    head = raw.split(b"\n\n", 1)[0]
    assert head.isascii() and b"=?utf-8?" in head  # the subject's "·" is encoded (RFC 2047)
    decoded = message_from_bytes(raw, policy=policy.default)["Subject"]
    assert decoded.split() == out.subject.split()  # the email package may double a space at a fold
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Unsubscribe"].startswith("<https://status.example/instansi/kota-magelang/berhenti?")
    assert msg["Message-ID"] == mime.message_id(
        "kota-magelang", "2026-W48", "a@example.go.id", "example.go.id"
    )
    assert msg["Date"] and msg["From"].addresses[0].domain == "example.go.id"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
