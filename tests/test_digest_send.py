"""The digest end to end: Firestore emulator → job → real SMTP on loopback → parsed mail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from google.cloud import firestore

from aduan import actions, names
from aduan.digest import job
from aduan.digest.week import IsoWeek
from aduan.settings import Settings
from aduan.workdays import WIB
from infra.browser import CHROMIUM, FLAGS
from infra.localcloud import LocalCloud
from infra.seed_reports import report_doc, seed
from infra.smtp_sink import SmtpSink
from tests.digest_helpers import ROOT, agency, config_with, figures, html_text, parts

W48 = IsoWeek.parse("2026-W48")
NOW = W48.end + timedelta(hours=7)
SCRIPT = '<script>alert("x")</script>'
ARTIFACTS = ROOT / "build" / "artifacts"


@pytest.fixture
def cloud(local: LocalCloud, tmp_path: Path):
    """(env, db, sink) on a fresh emulator project, with the SMTP sink listening on loopback."""
    env = {
        **local.env,
        names.ENV_LINK_SIGNING_KEY: "test-signing-key-0123456789abcdefghijklmnop",
        names.ENV_MAIL_FROM: "Aduan Jateng <aduan@jatengprov.example.go.id>",
    }
    db = firestore.Client(project=local.project)
    with SmtpSink(local.ports.smtp, tmp_path / "mail") as sink:
        yield env, db, sink


def run(env, db, config, week="2026-W48", now=NOW) -> dict:
    settings = Settings.from_env(env, ROOT / "config")
    return job.run(settings, config, env, week=week, now=now, db=db)


def two_recipient_agencies():
    return (
        agency("kota-a", recipients=("a1@example.go.id", "a2@example.go.id")),
        agency("kota-b", recipients=("b1@example.go.id", "b2@example.go.id"), language="en"),
    )


def test_delivered_digest_has_both_parts_with_the_same_figures_and_wib_week_boundaries(cloud):
    env, db, sink = cloud
    sunday = report_doc(
        1, "kota-a", datetime(2026, 11, 29, 23, 59, tzinfo=WIB), urgent=True, text=SCRIPT + " banjir"
    )
    monday = report_doc(2, "kota-a", datetime(2026, 11, 30, 0, 1, tzinfo=WIB))
    week_docs = [report_doc(n, "kota-a", W48.start + timedelta(hours=n)) for n in range(3, 9)]
    seed(db, [sunday, monday, *week_docs, report_doc(9, "kota-b", W48.start)])
    config = config_with(agency("kota-a"))

    report = run(env, db, config)
    assert report["sent"] == 1 and report["failed"] == 0, report
    text, html = parts(sink.messages[0])
    assert figures(text) == figures(html_text(html))
    assert figures(text)["laporan baru"] == 7  # Sunday 23:59 WIB in, Monday 00:01 out, kota-b's not ours
    assert "<script" not in html and "&lt;script&gt;" in html
    assert SCRIPT in text and SCRIPT in html_text(html)
    token = next(line for line in text.splitlines() if actions.PATH in line).split(actions.PATH)[1]
    grant = actions.verify(token, env[names.ENV_LINK_SIGNING_KEY], NOW)
    assert (grant.report_id, grant.agency_id) == (sunday["id"], "kota-a")  # the urgent report's action link

    run(env, db, config, week="2026-W49", now=NOW + timedelta(weeks=1))
    assert figures(parts(sink.messages[1])[0])["laporan baru"] == 1  # Monday 00:01 opens the new week


def test_invoked_twice_or_concurrently_each_recipient_gets_it_once(cloud):
    env, db, sink = cloud
    config = config_with(*two_recipient_agencies())
    seed(db, [report_doc(n, "kota-a", W48.start + timedelta(hours=n)) for n in range(5)])

    first, second = run(env, db, config), run(env, db, config)
    assert (first["sent"], second["sent"]) == (4, 0)
    assert sorted(second["agencies"]["kota-a"]["skipped"]) == ["a1@example.go.id", "a2@example.go.id"]

    reports: list[dict] = []
    threads = [
        threading.Thread(
            target=lambda: reports.append(
                run(env, firestore.Client(project=db.project), config, week="2026-W47")
            )
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r["sent"] for r in reports) == 4 and len(sink.messages) == 8
    assert all(n == 1 for n in Counter((m["To"], m["Message-ID"]) for m in sink.messages).values())


def test_smtp_failure_is_delivered_on_retry_without_duplicates(cloud):
    env, db, sink = cloud
    config = config_with(*two_recipient_agencies())
    sink.fail_next(1)  # the server refuses the very first message (451), then recovers

    first = run(env, db, config)
    assert first["sent"] == 3 and first["failed"] == 1
    assert list(first["agencies"]["kota-a"]["failed"]) == ["a1@example.go.id"]
    assert first["agencies"]["kota-b"]["sent"] == ["b1@example.go.id", "b2@example.go.id"]

    retry = run(env, db, config)
    assert retry["agencies"]["kota-a"]["sent"] == ["a1@example.go.id"] and retry["sent"] == 1
    assert sorted(str(m["To"]) for m in sink.messages) == [
        "a1@example.go.id",
        "a2@example.go.id",
        "b1@example.go.id",
        "b2@example.go.id",
    ]


def test_header_injection_through_an_agency_name_is_refused_and_others_still_get_theirs(cloud):
    env, db, sink = cloud
    evil = agency("kota-evil", name="Dinas PU\r\nBcc: attacker@evil.example")
    config = config_with(evil, agency("kota-b"))

    report = run(env, db, config)
    assert "HeaderInjection" in report["agencies"]["kota-evil"]["error"]
    assert report["agencies"]["kota-b"]["sent"] == ["kota-b@example.go.id"]
    assert [str(m["To"]) for m in sink.messages] == ["kota-b@example.go.id"]
    assert all(m["Bcc"] is None for m in sink.messages)


def test_preview_command_writes_eml_and_html_and_the_phone_screenshot(cloud, tmp_path):
    env, db, sink = cloud
    start = W48.start + timedelta(hours=8)
    docs = [
        report_doc(
            n,
            "kota-magelang",
            start + timedelta(hours=n * 3),
            urgent=n % 9 == 0,
            needs_review=n % 13 == 0,
            cluster_id="x-c1" if n % 4 == 0 else f"x-{n}",
        )
        for n in range(40)
    ]
    docs += [report_doc(100 + n, "kota-magelang", W48.start - timedelta(days=5 + 3 * n)) for n in range(12)]
    seed(db, docs)
    out = tmp_path / "preview"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "aduan.digest",
            "--agency",
            "kota-magelang",
            "--week",
            "2026-W48",
            "--out",
            str(out),
        ],
        env={**os.environ, **env, "PYTHONPATH": f"{ROOT / 'functions'}:{ROOT}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    html_file = out / "kota-magelang-2026-W48.html"
    assert (out / "kota-magelang-2026-W48.eml").read_bytes().startswith(b"From: ")
    assert not sink.messages  # a preview never sends

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "digest-phone.png"
    shot.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                str(CHROMIUM),
                "--headless",
                *FLAGS,
                f"--user-data-dir={profile}",
                "--window-size=390,1400",
                f"--screenshot={shot}",
                html_file.as_uri(),
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
    assert shot.exists() and shot.stat().st_size > 10_000
    shutil.copy(html_file, ARTIFACTS / "digest-phone.html")
