"""Daily digests and escalation end to end: Firestore emulator → job → real SMTP on loopback."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from aduan import names
from aduan.digest.week import Day
from infra.seed_reports import report_doc, seed
from tests.digest_helpers import base_config, html_text, parts
from tests.test_digest_send import cloud, run  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.emulators

DAY = Day.parse("2026-11-30")  # a Monday
NOW = DAY.end + timedelta(hours=7)  # Tuesday 07:00 WIB


def config_daily(*agency_ids: str):
    base = base_config()
    agencies = tuple(
        replace(a, digest_frequency="daily") if a.id in agency_ids else a for a in base.agencies.agencies
    )
    return replace(
        base, agencies=replace(base.agencies, agencies=agencies, by_id={a.id: a for a in agencies})
    )


def test_a_daily_agency_gets_yesterdays_digest_once_and_weekly_ones_wait_for_monday(cloud):  # noqa: F811
    env, db, sink = cloud
    config = config_daily("kota-semarang")
    seed(
        db,
        [
            report_doc(1, "kota-semarang", DAY.start + timedelta(hours=9)),
            report_doc(2, "kota-semarang", DAY.start + timedelta(hours=15)),
            report_doc(3, "kota-semarang", DAY.start - timedelta(hours=2)),  # the day before: not new
            report_doc(4, "kota-magelang", DAY.start + timedelta(hours=9)),
        ],
    )
    first = run(env, db, config, week=None, now=NOW)
    assert first["day"] == "2026-11-30" and first["week"] is None
    assert list(first["agencies"]) == ["kota-semarang"]  # Tuesday: no weekly digest
    [mail] = sink.messages
    text, html = parts(mail)
    assert "Ringkasan harian Aduan" in text and "2 laporan baru" in text
    assert "Senin, 30 Nov 2026" in html_text(html)
    again = run(env, db, config, week=None, now=NOW + timedelta(minutes=5))
    assert again["agencies"]["kota-semarang"]["skipped"] and len(sink.messages) == 1
    ledger = db.collection(names.DIGESTS).document("kota-semarang-2026-11-30").get()
    assert ledger.exists


def test_an_overdue_report_reaches_the_desk_then_the_province(cloud):  # noqa: F811
    env, db, sink = cloud
    config = base_config()
    received = DAY.start - timedelta(days=30)
    seed(
        db,
        [
            report_doc(10, "kota-semarang-dpu", received, text="<b>jembatan</b> retak di Tugu"),
            report_doc(11, "kota-semarang-dpu", DAY.start, text="laporan baru belum lewat tenggat"),
            report_doc(12, "kota-semarang-dpu", received, status="selesai", text="sudah selesai"),
        ],
    )
    result = run(env, db, config, week="2026-W48", now=NOW)
    assert not result["failed"]
    by_to = {str(m["To"]): parts(m) for m in sink.messages}
    desk_text, desk_html = by_to["lapor@semarangkota.example.go.id"]
    assert "Eskalasi" in desk_text and "jembatan" in desk_text and "belum lewat tenggat" not in desk_text
    assert "&lt;b&gt;jembatan" in desk_html and "<b>jembatan" not in desk_html
    assert "sudah selesai" not in desk_text
    province_text, _ = by_to["laporgub@jatengprov.example.go.id"]
    assert "jembatan" in province_text  # thirty days late: climbed to the province desk as well
    reads = result["agencies"]["kota-semarang"]["reads"]
    assert reads < 40, reads
