"""One-click unsubscribe end to end: digest over real SMTP → its List-Unsubscribe link → the real status_page
process (functions-framework on the Firestore emulator) → next week's digest leaves that recipient out."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from google.cloud import firestore

from aduan import names, unsubscribe
from aduan.adapters.firestore_optouts import doc_id
from aduan.digest import __main__ as digest_cli
from aduan.digest import job
from aduan.digest.week import IsoWeek
from aduan.settings import Settings
from infra.localcloud import LocalCloud
from infra.seed_reports import report_doc, seed
from infra.smtp_sink import SmtpSink
from tests.digest_helpers import ROOT, agency, config_with, parts
from tests.statuspage_seed import KEY, start_status_page

W48 = IsoWeek.parse("2026-W48")
NOW = W48.end + timedelta(hours=7)
LURAH, CAMAT = "lurah@magelangkota.example.go.id", "camat@magelangkota.example.go.id"
SEMARANG = "dinas@semarangkota.example.go.id"
ONE_CLICK = b"List-Unsubscribe=One-Click"
TIMEOUT_S = 10


def test_token_is_scoped_to_agency_and_address_and_the_address_is_masked() -> None:
    token = unsubscribe.unsubscribe_token(KEY, "kota-magelang", LURAH)
    assert unsubscribe.verify(KEY, "kota-magelang", LURAH.upper(), token)  # addresses compare case-blind
    assert not unsubscribe.verify(KEY, "kota-semarang", LURAH, token)
    assert not unsubscribe.verify(KEY, "kota-magelang", CAMAT, token)
    assert not unsubscribe.verify("another-key", "kota-magelang", LURAH, token)
    assert not unsubscribe.verify(KEY, "kota-magelang", LURAH, token[:-1] + "ü")
    assert unsubscribe.mask(LURAH) == "l***@magelangkota.example.go.id"
    assert unsubscribe.mask("no-at-sign") == "***"


def _call(url: str, body: bytes | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if body is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _link(message: EmailMessage) -> str:
    """The https/http target of List-Unsubscribe (the other is the mailto fallback)."""
    return re.search(r"<(http[^>]+)>", str(message["List-Unsubscribe"]))[1]


def _by_recipient(messages: list[EmailMessage]) -> dict[str, EmailMessage]:
    return {str(m["To"]): m for m in messages}


@pytest.fixture
def cloud(local: LocalCloud, tmp_path: Path):
    """(env, db, sink, status page base URL) with the digest and the status page sharing one signing key."""
    env = {
        **local.env,
        names.ENV_LINK_SIGNING_KEY: KEY,
        names.ENV_MAIL_FROM: "Aduan Jateng <aduan@jatengprov.example.go.id>",
    }
    db = firestore.Client(project=local.project)
    start_status_page(local, local.ports.status)
    with SmtpSink(local.ports.smtp, tmp_path / "mail") as sink:
        yield env, db, sink, f"http://127.0.0.1:{local.ports.status}"


def _run(env, db, week: IsoWeek) -> dict:
    config = config_with(
        agency("kota-magelang", recipients=(LURAH, CAMAT)), agency("kota-semarang", recipients=(SEMARANG,))
    )
    now = NOW + (week.start - W48.start)
    return job.run(Settings.from_env(env, ROOT / "config"), config, env, week=str(week), now=now, db=db)


def _optouts(db) -> list[dict]:
    return [s.to_dict() for s in db.collection(names.OPTOUTS).stream()]


def test_one_click_from_a_received_digest_stops_only_that_recipient(cloud, monkeypatch) -> None:
    env, db, sink, base = cloud
    seed(
        db,
        [
            report_doc(n, a, W48.start + timedelta(hours=n))
            for n, a in ((1, "kota-magelang"), (2, "kota-semarang"))
        ],
    )
    first = _run(env, db, W48)
    assert first["sent"] == 3 and first["unsubscribed"] == 0, first
    received = _by_recipient(sink.messages)
    lurah_mail = received[LURAH]
    link = _link(lurah_mail)
    assert link.startswith(f"{base}/instansi/kota-magelang/berhenti?")
    assert lurah_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(lurah_mail)
    assert f"Berhenti menerima ringkasan ini: {link}" in text  # the footer says it, with the same link
    assert 'href="' + link.replace("&", "&amp;") + '"' in html
    assert _link(received[CAMAT]) != link

    # A GET (a mail scanner, or the person reading) only asks; nothing is recorded.
    status, headers, body = _call(link)
    assert status == 200 and _optouts(db) == []
    assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
    assert "l***@magelangkota.example.go.id" in body and LURAH not in body
    assert 'method="post"' in body

    # Forged, other-agency and other-address tokens are refused and record nothing.
    token = parse_qs(urlsplit(link).query)["t"][0]
    forged = link.replace(token, token[::-1])
    semarang_token = parse_qs(urlsplit(_link(received[SEMARANG])).query)["t"][0]
    other_agency = f"{base}/instansi/kota-magelang/berhenti?" + urlencode(
        {"to": SEMARANG, "t": semarang_token}
    )
    other_path = link.replace("/kota-magelang/", "/kota-semarang/")
    for bad in (forged, other_agency, other_path):
        status, headers, body = _call(bad, ONE_CLICK)
        assert status == 403 and "Tidak ada yang diubah." in body, bad
        assert headers["Cache-Control"] == "no-store"
    assert _call(link.split("?")[0], ONE_CLICK)[0] == 400
    assert _call(link, b"something=else")[0] == 400
    assert _optouts(db) == []

    # What Gmail and Yahoo POST, twice: one opt-out.
    for _ in range(2):
        status, headers, body = _call(link, ONE_CLICK)
        assert status == 200 and "l***@magelangkota.example.go.id" in body and LURAH not in body
        assert headers["Referrer-Policy"] == "no-referrer"
    (optout,) = _optouts(db)
    assert (optout["agency_id"], optout["recipient"], optout["via"]) == ("kota-magelang", LURAH, "one-click")
    (stored_id,) = [s.id for s in db.collection(names.OPTOUTS).stream()]
    assert stored_id == doc_id("kota-magelang", LURAH) and "@" not in stored_id  # the address is not the key

    # Next week: the lurah gets nothing, the others still do.
    sink.messages.clear()
    second = _run(env, db, W48.shifted(1))
    assert sorted(str(m["To"]) for m in sink.messages) == [CAMAT, SEMARANG]
    magelang = second["agencies"]["kota-magelang"]
    assert magelang["unsubscribed"] == [LURAH] and magelang["sent"] == [CAMAT]
    assert second["unsubscribed"] == 1 and second["failed"] == 0

    # The page's own button (English); then Semarang has nobody left: reported, not failed.
    semarang_link = _link(received[SEMARANG]) + "&lang=en"
    status, _, body = _call(semarang_link, b"berhenti=ya")
    assert status == 200 and "will no longer receive" in body
    sink.messages.clear()
    third = _run(env, db, W48.shifted(2))
    semarang = third["agencies"]["kota-semarang"]
    assert semarang["all_unsubscribed"] and semarang["error"] is None and semarang["failed"] == {}
    assert semarang["reads"] == 1  # the opt-out query; no report is read for nobody
    assert third["failed"] == 0 and [str(m["To"]) for m in sink.messages] == [CAMAT]
    assert {o["via"] for o in _optouts(db)} == {"one-click", "form"}

    # An admin re-subscribes the lurah; the week after, the digest reaches the lurah again.
    monkeypatch.setenv(names.ENV_PROJECT, env[names.ENV_PROJECT])
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", env["FIRESTORE_EMULATOR_HOST"])
    assert digest_cli.main(["--resubscribe", "kota-magelang", LURAH.upper()]) == 0
    sink.messages.clear()
    _run(env, db, W48.shifted(3))
    assert sorted(str(m["To"]) for m in sink.messages) == [CAMAT, LURAH]


def test_a_hostile_address_is_escaped_and_masked(cloud) -> None:
    env, db, _, base = cloud
    hostile = 'x@"><script>alert(1)</script>.example'
    url = unsubscribe.unsubscribe_url(base, KEY, "kota-magelang", hostile)
    status, _, body = _call(url)
    assert status == 200 and "<script>" not in body and "&lt;script&gt;" in body
    assert _call(f"{base}/instansi/bukan-instansi/berhenti?to=a@b&t=0")[0] == 404
