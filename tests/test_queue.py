"""The agency work queue on the emulator: its signed link, bounded listing, filters, and bulk actions
that a cross-site form cannot trigger and a replay cannot repeat."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from google.cloud import firestore

from aduan import actions, names
from aduan import report as r
from aduan.adapters.reply_publisher import ReplyPublisher
from aduan.config import Agency
from aduan.digest import job, model
from aduan.digest.week import IsoWeek
from aduan.statuspage import queue_page
from infra.localcloud import LocalCloud
from tests.statuspage_seed import CONFIG, KEY, make_client, report_doc, seed, wib
from tests.test_corrections import correction, month_counts, replies_tap, reply_messages

NOW = wib(2026, 11, 26, 10, 0)
ISSUED = NOW - timedelta(days=2)
AGENCY, OTHER = "kota-semarang", "kota-semarang-dpu"
BASE = "http://127.0.0.1:8993"  # make_client's base URL: the site's own origin
RECIPIENT = "lapor@semarangkota.example.go.id"
OPEN_REPORTS = 60


def queue_path(agency: str = AGENCY, recipient: str = RECIPIENT, issued=ISSUED) -> str:
    return actions.queue_url(BASE, KEY, agency, recipient, issued).removeprefix(BASE)


def rid(n: int) -> str:
    return f"x-{1_862_000_000_000_000_000 + n}"


def queue_docs() -> list[dict]:
    """60 open reports of one agency (every third in progress, every fifth needing review, the oldest
    overdue), a closed one, and two of another agency."""
    docs = []
    categories = ("jalan", "drainase", "sampah", "penerangan")
    for n in range(1, OPEN_REPORTS + 1):
        doc = report_doc(
            n,
            NOW - timedelta(hours=3 * n),
            category=categories[n % len(categories)],
            status=r.IN_PROGRESS if n % 3 == 0 else r.ROUTED,
            text=f"Laporan nomor {n} di Jl. Pemuda, hubungi 0812345678{n:02d}",
        )
        doc["needs_review"] = n % 5 == 0
        doc["confidence"] = 0.5 + (n % 5) / 10
        docs.append(doc)
    docs.append(report_doc(70, NOW - timedelta(days=1), status=r.RESOLVED))
    docs += [report_doc(n, NOW - timedelta(days=1), agency_id=OTHER) for n in (80, 81)]
    return docs


@pytest.fixture
def queue(local: LocalCloud):
    db = firestore.Client(project=local.project)
    seed(db, queue_docs(), clusters={rid(2): 4})
    client, site = make_client(local.project, NOW)
    return client, site, db


def listed(page: str) -> list[str]:
    return re.findall(r'name="laporan" value="([^"]+)"', page)


def csrf_of(page: str) -> str:
    return unescape(re.search(r'name="csrf" value="([^"]+)"', page)[1])


def snapshot(db: firestore.Client) -> dict:
    return {s.id: s.update_time for s in db.collection(names.REPORTS).stream()}


# --------------------------------------------------------------------------- tokens, no store


def test_queue_tokens_are_their_own_kind_per_recipient_and_expire() -> None:
    token = queue_path().rsplit("/", 1)[1]
    grant = actions.verify_queue(token, KEY, NOW)
    assert grant.agency_id == AGENCY and grant.recipient == actions.recipient_tag(RECIPIENT)
    assert RECIPIENT not in token and "semarangkota" not in actions.verify_queue(token, KEY, NOW).recipient
    assert queue_path(recipient="kepala@semarangkota.example.go.id") != queue_path()
    with pytest.raises(actions.TokenRefused):  # a queue token is no action token, and back
        actions.verify(token, KEY, NOW)
    action_token = actions.make_token(KEY, rid(1), AGENCY, ISSUED)
    with pytest.raises(actions.TokenRefused):
        actions.verify_queue(action_token, KEY, NOW)
    with pytest.raises(actions.TokenRefused) as expired:
        actions.verify_queue(token, KEY, ISSUED + timedelta(days=14))
    assert expired.value.reason == actions.EXPIRED


def test_form_tokens_are_bound_to_their_queue_token() -> None:
    mine = actions.verify_queue(queue_path().rsplit("/", 1)[1], KEY, NOW)
    theirs = actions.verify_queue(queue_path(agency=OTHER).rsplit("/", 1)[1], KEY, NOW)
    form = actions.form_token(KEY, mine, NOW)
    assert actions.verify_form(form, KEY, mine, NOW)
    with pytest.raises(actions.TokenRefused):
        actions.verify_form(form, KEY, theirs, NOW)
    with pytest.raises(actions.TokenRefused) as old:
        actions.verify_form(form, KEY, mine, NOW + actions.FORM_LIFETIME)
    assert old.value.reason == actions.EXPIRED
    assert actions.form_token(KEY, mine, NOW) != form  # a fresh nonce per rendering


def test_the_digest_carries_one_queue_link_per_recipient() -> None:
    agency: Agency = CONFIG.agencies.get(AGENCY)
    recipients = [RECIPIENT, "kepala@semarangkota.example.go.id"]
    mail = job.MailSettings("127.0.0.1", 25, False, "", "", "aduan@localhost.localdomain", BASE, KEY)
    week = IsoWeek.parse("2026-W48")
    digest = model.build(agency, CONFIG.taxonomy, week, NOW, job.links_for(mail, agency, NOW), [], {}, [], [])
    messages = job.messages_for(agency, digest, mail, week, NOW, recipients)
    links = {}
    for recipient, message in messages.items():
        html = message.get_body(preferencelist=("html",)).get_content()
        text = message.get_body(preferencelist=("plain",)).get_content()
        found = set(re.findall(r"http://127\.0\.0\.1:8993/antrian/[A-Za-z0-9_.-]+", html + text))
        assert len(found) == 1, found
        links[recipient] = found.pop()
        grant = actions.verify_queue(links[recipient].rsplit("/", 1)[1], KEY, NOW + timedelta(days=13))
        assert (grant.agency_id, grant.recipient) == (AGENCY, actions.recipient_tag(recipient))
    assert len(set(links.values())) == 2
    unsigned = job.MailSettings("127.0.0.1", 25, False, "", "", "aduan@localhost.localdomain", BASE, "")
    bare = job.messages_for(agency, digest, unsigned, week, NOW, [RECIPIENT])[RECIPIENT]
    assert "/antrian/" not in bare.get_body(preferencelist=("html",)).get_content()


# --------------------------------------------------------------------------- listing


def test_get_lists_open_reports_earliest_deadline_first_with_bounded_reads(queue) -> None:
    client, site, db = queue
    before = snapshot(db)
    site.actions.reads = site.store.reads = 0
    response = client.get(queue_path())
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    ids = listed(page)
    assert len(ids) == queue_page.PAGE_SIZE
    assert ids[0] == rid(OPEN_REPORTS)  # the oldest: earliest deadline
    assert rid(70) not in ids and rid(80) not in ids  # closed, another agency's
    assert f"{OPEN_REPORTS} laporan terbuka" in page
    assert "0812345678" not in page and "warga_smg" not in page and "[telepon]" in page
    assert "keyakinan" in page and "terlambat" in page and "hari" in page
    # one count + PAGE_SIZE + 1 listed + one count() per cluster shown
    assert site.actions.reads <= 1 + (queue_page.PAGE_SIZE + 1) + queue_page.PAGE_SIZE
    assert site.store.reads == 0
    assert snapshot(db) == before


def test_cursor_pages_through_every_open_report_once(queue) -> None:
    client, _, _ = queue
    seen, url = [], queue_path()
    for _ in range(5):
        page = client.get(url).get_data(as_text=True)
        seen += listed(page)
        found = re.search(r'href="([^"]+)">Berikutnya<', page)
        if found is None:
            break
        url = unescape(found[1])
    assert len(seen) == OPEN_REPORTS and len(set(seen)) == OPEN_REPORTS


def test_cluster_size_is_shown(queue) -> None:
    client, _, _ = queue
    page = client.get(queue_path() + "?kategori=sampah").get_data(as_text=True)
    item = page[page.index(f'value="{rid(2)}"') :]
    assert re.search(r"Warga</dt><dd>5<", item[:3000])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=diproses", {n for n in range(1, 61) if n % 3 == 0}),
        ("?kategori=sampah", {n for n in range(1, 61) if n % 4 == 2}),
        ("?tinjau=1", {n for n in range(1, 61) if n % 5 == 0}),
        ("?status=diteruskan&kategori=jalan&tinjau=1", {n for n in range(1, 61) if n % 20 == 0 and n % 3}),
    ],
)
def test_filters(queue, query: str, expected: set[int]) -> None:
    client, site, _ = queue
    site.actions.reads = 0
    shown: set[str] = set()
    url = queue_path() + query
    for _ in range(4):
        page = client.get(url).get_data(as_text=True)
        shown |= set(listed(page))
        found = re.search(r'href="([^"]+)">Berikutnya<', page)
        if found is None:
            break
        url = unescape(found[1])
    assert shown == {rid(n) for n in expected}
    assert site.actions.reads <= 4 * (1 + queue_page.MAX_SCAN + queue_page.PAGE_SIZE)


def test_overdue_filter(queue) -> None:
    client, _, db = queue
    page = client.get(queue_path() + "?terlambat=1").get_data(as_text=True)
    docs = {s.id: s.to_dict() for s in db.collection(names.REPORTS).stream()}
    expected = sorted(
        (i for i, d in docs.items() if d.get("agency_id") == AGENCY and r.is_overdue(d, NOW)),
        key=lambda i: (docs[i]["due_at"], i),
    )
    assert expected and listed(page) == expected[: queue_page.PAGE_SIZE]


def test_refused_links(queue) -> None:
    client, _, _ = queue
    assert client.get(queue_path(issued=NOW - timedelta(days=15))).status_code == 410
    assert client.get(queue_path()[:-3] + "xyz").status_code == 403
    action_link = actions.action_url(BASE, KEY, rid(1), AGENCY, ISSUED).removeprefix(BASE)
    assert client.get("/antrian/" + action_link.rsplit("/", 1)[1]).status_code == 403
    assert client.get(queue_path(agency="kota-atlantis")).status_code == 403


# --------------------------------------------------------------------------- bulk actions


def bulk(client, url: str, ids: list[str], csrf: str, headers: dict | None = None, **fields):
    return client.post(url, data={"csrf": csrf, "laporan": ids, **fields}, headers=headers or {})


def test_bulk_answer_and_resolve_once_then_a_replay_changes_nothing(queue, local: LocalCloud) -> None:
    client, site, db = queue
    subscription = replies_tap(local.project)
    site.replies = ReplyPublisher(local.project)
    url = queue_path()
    page = client.get(url).get_data(as_text=True)
    chosen = listed(page)[:3]
    fields = {"aksi": "status", "status": r.RESOLVED, "tanggapan": "Sudah ditangani, hubungi 081299998888"}
    done = bulk(client, url, chosen, csrf_of(page), **fields)
    assert done.status_code == 200 and "3 laporan diubah" in done.get_data(as_text=True)
    docs = {i: db.collection(names.REPORTS).document(i).get().to_dict() for i in chosen}
    assert all(d["status"] == r.RESOLVED and "081299998888" not in d["response"] for d in docs.values())
    assert all(d["history"][-1]["by"] == AGENCY for d in docs.values())
    counts, times = month_counts(db), snapshot(db)
    replay = bulk(client, url, chosen, csrf_of(page), **fields)
    assert replay.status_code == 409 and "sudah diubah dengan formulir ini" in replay.get_data(as_text=True)
    assert month_counts(db) == counts and snapshot(db) == times
    messages = reply_messages(subscription)
    assert sorted(b["report_id"] for b, _ in messages) == sorted(chosen)
    assert {b["event"] for b, _ in messages} == {"resolved"}
    # A fresh page (a new form) may act again on what is still open: the replay rule is per form.
    fresh = client.get(url).get_data(as_text=True)
    assert not set(chosen) & set(listed(fresh))


def test_bulk_reroute_and_category_corrections(queue) -> None:
    client, _, db = queue
    url = queue_path() + "?kategori=jalan"
    page = client.get(url).get_data(as_text=True)
    two = listed(page)[:2]
    before = month_counts(db)
    moved = bulk(client, url, two, csrf_of(page), aksi="route", instansi=OTHER, catatan="Urusan DPU")
    assert moved.status_code == 200
    for i in two:
        assert db.collection(names.REPORTS).document(i).get().get("agency_id") == OTHER
        n = int(i[-2:])
        assert correction(db, n)["changes"][0]["kind"] == "reroute"
    counts = month_counts(db)
    moved_out = sum(
        before.get((AGENCY, "jalan", s), 0) - counts.get((AGENCY, "jalan", s), 0) for s in r.STATUSES
    )
    moved_in = sum(
        counts.get((OTHER, "jalan", s), 0) - before.get((OTHER, "jalan", s), 0) for s in r.STATUSES
    )
    assert moved_out == moved_in == 2
    assert not set(two) & set(listed(moved.get_data(as_text=True)))  # no longer this agency's
    page = client.get(url).get_data(as_text=True)
    three = listed(page)[:3]
    fixed = bulk(client, url, three, csrf_of(page), aksi="category", kategori="drainase")
    assert fixed.status_code == 200
    assert all(db.collection(names.REPORTS).document(i).get().get("category") == "drainase" for i in three)


def test_a_cross_site_form_or_a_missing_form_token_changes_nothing(queue) -> None:
    client, _, db = queue
    url = queue_path()
    page = client.get(url).get_data(as_text=True)
    ids, csrf = listed(page)[:2], csrf_of(page)
    times = snapshot(db)
    fields = {"aksi": "status", "status": r.RESOLVED, "tanggapan": "x"}
    assert bulk(client, url, ids, "", **fields).status_code == 403
    other = client.get(queue_path(recipient="kepala@semarangkota.example.go.id")).get_data(as_text=True)
    assert bulk(client, url, ids, csrf_of(other), **fields).status_code == 403  # another link's form
    evil = {"Origin": "https://evil.example"}
    assert bulk(client, url, ids, csrf, headers=evil, **fields).status_code == 403
    sneaky = {"Sec-Fetch-Site": "cross-site"}
    assert bulk(client, url, ids, csrf, headers=sneaky, **fields).status_code == 403
    opaque = {"Origin": "null"}  # a sandboxed frame or a data: page
    assert bulk(client, url, ids, csrf, headers=opaque, **fields).status_code == 403
    assert snapshot(db) == times
    own_form = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}  # this page, sent without referrer
    assert bulk(client, url, ids[:1], csrf, headers=own_form, **fields).status_code == 200
    same = {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}
    assert bulk(client, url, ids, csrf, headers=same, **fields).status_code == 200


def test_bulk_refusals_are_counted_and_change_nothing_else(queue) -> None:
    client, _, db = queue
    url = queue_path()
    page = client.get(url).get_data(as_text=True)
    csrf = csrf_of(page)
    none = bulk(client, url, [], csrf, aksi="status", status=r.RESOLVED, tanggapan="x")
    assert none.status_code == 400 and "Pilih paling sedikit satu" in none.get_data(as_text=True)
    no_reason = bulk(client, url, listed(page)[:1], csrf, aksi="route", instansi=OTHER)
    assert no_reason.status_code == 400
    times = snapshot(db)
    mixed = bulk(client, url, [rid(80), rid(999), listed(page)[0]], csrf, aksi="status", status=r.RESOLVED)
    body = mixed.get_data(as_text=True)
    assert mixed.status_code == 200 and "1 laporan diubah" in body
    assert "ditangani instansi lain" in body and "tidak ditemukan" in body
    changed = {i for i, t in snapshot(db).items() if times.get(i) != t}
    assert changed == {listed(page)[0]}
