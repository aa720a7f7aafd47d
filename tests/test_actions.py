"""Signed action links: the tokens alone, then every abuse case and every action against the emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from google.cloud import firestore

from aduan import actions, names, stats
from aduan import report as r
from aduan.statuspage.change import Change, Stale
from infra.localcloud import LocalCloud
from tests.statuspage_seed import KEY, make_client, report_doc, seed, wib

NOW = wib(2026, 11, 26, 10, 0)
ISSUED = NOW - timedelta(days=3)
AGENCY = "kota-semarang"


def path_of(url: str) -> str:
    return url.removeprefix("https://status.example.go.id")


def link(report_id: str, agency: str = AGENCY, key: str = KEY, issued=ISSUED) -> str:
    return path_of(actions.action_url("https://status.example.go.id/", key, report_id, agency, issued))


# --------------------------------------------------------------------------- tokens, no store


def test_token_round_trip_names_report_agency_and_expiry() -> None:
    url = actions.action_url("https://status.example.go.id/", KEY, "x-1", AGENCY, ISSUED)
    assert url.startswith("https://status.example.go.id/tindak/")
    grant = actions.verify(url.rsplit("/", 1)[1], KEY, NOW)
    assert (grant.report_id, grant.agency_id) == ("x-1", AGENCY)
    assert grant.expires_at - grant.issued_at == timedelta(days=14)
    assert url == actions.action_url("https://status.example.go.id", KEY, "x-1", AGENCY, ISSUED)  # stable


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: actions.make_token("another-key-0123456789abcdefghijkl", "x-1", AGENCY, ISSUED),
        lambda t: "eyJyIjoieC0xIiwiYSI6ImtvdGEtc2VtYXJhbmctZHB1In0." + t.split(".")[1],  # payload swapped
        lambda t: "bukan-token",
    ],
)
def test_forged_tokens_are_refused(mangle) -> None:
    token = actions.make_token(KEY, "x-1", AGENCY, ISSUED)
    with pytest.raises(actions.TokenRefused) as refused:
        actions.verify(mangle(token), KEY, NOW)
    assert refused.value.reason == actions.FORGED


def test_tokens_expire_after_14_days() -> None:
    token = actions.make_token(KEY, "x-1", AGENCY, ISSUED)
    actions.verify(token, KEY, ISSUED + timedelta(days=14, seconds=-1))
    with pytest.raises(actions.TokenRefused) as refused:
        actions.verify(token, KEY, ISSUED + timedelta(days=14))
    assert refused.value.reason == actions.EXPIRED


# --------------------------------------------------------------------------- the pages, on the emulator


@pytest.fixture
def flow(local: LocalCloud):
    db = firestore.Client(project=local.project)
    seed(db, [report_doc(1, wib(2026, 11, 24, 8)), report_doc(2, wib(2026, 11, 25, 8), status=r.IN_PROGRESS)])
    client, site = make_client(local.project, NOW)
    return client, site, db


def stored(db: firestore.Client, n: int) -> tuple[dict, object]:
    snap = db.collection(names.REPORTS).document(f"x-{1_862_000_000_000_000_000 + n}").get()
    return snap.to_dict(), snap.update_time


def month_counts(db: firestore.Client) -> dict:
    docs = [
        s.to_dict()
        for s in db.get_all([db.collection(names.STATS).document(d) for d in stats.month_doc_ids("2026-11")])
        if s.exists
    ]
    totals = stats.aggregate(docs, wib(2026, 11, 1).date(), NOW.date())
    return {k: n for k, n in totals.counts.items() if n}


def test_get_shows_the_form_and_changes_nothing(flow) -> None:
    client, _, db = flow
    doc, before = stored(db, 1)
    for _ in range(3):
        response = client.get(link(doc["id"]))
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    page = response.get_data(as_text=True)
    assert 'method="post"' in page and 'value="diproses"' in page and 'value="baru"' not in page
    assert stored(db, 1)[1] == before


@pytest.mark.parametrize(
    ("make_path", "status", "message"),
    [
        (lambda d: link(d["id"], key="wrong-key-0123456789abcdefghijklmnop"), 403, "tidak sah"),
        (lambda d: link(d["id"])[:-3] + "xyz", 403, "tidak sah"),
        (lambda d: link(d["id"], issued=NOW - timedelta(days=15)), 410, "kedaluwarsa"),
        (lambda d: link(d["id"], agency="kota-semarang-dpu"), 403, "instansi lain"),
        (lambda d: link("x-404"), 404, "tidak ditemukan"),
    ],
)
def test_abused_links_get_a_clear_page_and_change_nothing(flow, make_path, status: int, message: str) -> None:
    client, _, db = flow
    doc, before = stored(db, 1)
    for method in (client.get, client.post):
        response = method(make_path(doc), data={"aksi": "status", "status": r.RESOLVED})
        assert response.status_code == status
        body = response.get_data(as_text=True)
        assert message in body and "Tidak ada yang diubah" in body
        assert response.headers["Cache-Control"] == "no-store"
    assert stored(db, 1)[1] == before


def test_status_change_records_history_stats_and_public_page(flow) -> None:
    client, _, db = flow
    doc, _ = stored(db, 1)
    before = month_counts(db)
    response = client.post(
        link(doc["id"]), data={"aksi": "status", "status": r.RESOLVED, "catatan": "Lubang sudah ditambal"}
    )
    assert response.status_code == 200 and "Tersimpan" in response.get_data(as_text=True)
    after, _ = stored(db, 1)
    assert after["status"] == r.RESOLVED and after["open"] is False
    assert after["first_response_at"] == NOW and after["resolved_at"] == NOW
    assert after["history"][-1] | {"token_id": None} == {
        "status": r.RESOLVED,
        "at": NOW,
        "by": AGENCY,
        "note": "Lubang sudah ditambal",
        "token_id": None,
    }
    key_before, key_after = (AGENCY, "jalan", r.ROUTED), (AGENCY, "jalan", r.RESOLVED)
    counts = month_counts(db)
    assert (
        counts.get(key_before, 0) == before[key_before] - 1
        and counts[key_after] == before.get(key_after, 0) + 1
    )
    public = client.get(f"/laporan/{doc['ticket']}").get_data(as_text=True)
    assert "Lubang sudah ditambal" in public and 's-selesai">Selesai' in public


def test_a_link_changes_one_thing_once(flow) -> None:
    client, _, db = flow
    doc, _ = stored(db, 1)
    url = link(doc["id"])
    assert client.post(url, data={"aksi": "status", "status": r.IN_PROGRESS}).status_code == 200
    counts, (changed, when) = month_counts(db), stored(db, 1)
    replay = client.post(url, data={"aksi": "status", "status": r.RESOLVED})
    assert replay.status_code == 409 and "sudah dipakai" in replay.get_data(as_text=True)
    assert client.get(url).status_code == 409
    assert stored(db, 1) == (changed, when) and month_counts(db) == counts


def test_invalid_choices_show_the_form_again(flow) -> None:
    client, _, db = flow
    doc, before = stored(db, 2)  # in progress: may go to resolved or rejected only
    assert client.post(link(doc["id"]), data={"aksi": "status", "status": r.RECEIVED}).status_code == 400
    missing = client.post(link(doc["id"]), data={"aksi": "status", "status": r.REJECTED})
    assert missing.status_code == 400 and "Tulis tanggapan" in missing.get_data(as_text=True)
    assert client.post(link(doc["id"]), data={"aksi": "hapus"}).status_code == 400
    same_category = client.post(link(doc["id"]), data={"aksi": "category", "kategori": "jalan"})
    assert same_category.status_code == 400
    assert stored(db, 2)[1] == before


def test_category_correction_is_kept_for_training(flow) -> None:
    client, _, db = flow
    doc, _ = stored(db, 1)
    assert client.post(link(doc["id"]), data={"aksi": "category", "kategori": "drainase"}).status_code == 200
    after, _ = stored(db, 1)
    assert after["category"] == "drainase" and after["status"] == r.ROUTED
    assert after["corrections"] == []  # no longer inside the report: corrections/{id} holds them
    record = db.collection(names.CORRECTIONS).document(doc["id"]).get().to_dict()
    assert (record["original"]["category"], record["category"]) == ("jalan", "drainase")
    assert month_counts(db)[(AGENCY, "drainase", r.ROUTED)] == 1


def test_routing_hands_the_report_over_and_voids_the_old_links(flow) -> None:
    client, _, db = flow
    doc, _ = stored(db, 1)
    unused = link(doc["id"], issued=ISSUED + timedelta(hours=1))
    response = client.post(
        link(doc["id"]), data={"aksi": "route", "instansi": "kota-semarang-dpu", "catatan": "PU"}
    )
    assert response.status_code == 200
    after, when = stored(db, 1)
    assert after["agency_id"] == "kota-semarang-dpu" and after["status"] == r.ROUTED
    assert client.post(unused, data={"aksi": "status", "status": r.RESOLVED}).status_code == 403
    assert client.get(link(doc["id"], agency="kota-semarang-dpu")).status_code == 200
    assert stored(db, 1)[1] == when


def test_a_write_based_on_a_stale_read_is_refused(flow) -> None:
    _, site, db = flow
    doc, update_time = stored(db, 1)
    site.actions.commit(doc, update_time, Change({"updated_at": NOW}))
    with pytest.raises(Stale):
        site.actions.commit(doc, update_time, Change({"updated_at": NOW, "status": r.RESOLVED}))
    assert stored(db, 1)[0]["status"] == r.ROUTED


# --------------------------------------------------------------------------- public responses


HOSTILE = "Sudah kami perbaiki <script>alert(1)</script>, info: 081234567890 / @warga_smg"


def test_response_is_redacted_escaped_and_shown_on_the_page_and_open311(flow) -> None:
    client, _, db = flow
    doc, _ = stored(db, 1)
    response = client.post(
        link(doc["id"]), data={"aksi": "status", "status": r.RESOLVED, "tanggapan": HOSTILE}
    )
    assert response.status_code == 200
    after, _ = stored(db, 1)
    assert "081234567890" not in after["response"] and "@warga_smg" not in after["response"]
    assert after["responses"] == [{"at": NOW, "by": AGENCY, "status": r.RESOLVED, "text": after["response"]}]
    page = client.get(f"/laporan/{doc['ticket']}").get_data(as_text=True)
    assert 'class="card response"' in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page and "081234567890" not in page
    record = client.get(f"/open311/v2/requests/{doc['ticket']}.json").get_json()[0]
    assert record["status"] == "closed" and "Sudah kami perbaiki" in record["status_notes"]
    assert "081234567890" not in record["status_notes"]


def test_a_response_alone_keeps_the_status_and_counts_as_the_first_response(flow) -> None:
    client, _, db = flow
    doc, _ = stored(db, 1)
    before = month_counts(db)
    answer = {"aksi": "status", "status": "", "tanggapan": "Akan kami cek minggu ini"}
    assert client.post(link(doc["id"]), data=answer).status_code == 200
    after, _ = stored(db, 1)
    assert after["status"] == r.ROUTED and after["response"] == "Akan kami cek minggu ini"
    assert after["first_response_at"] == NOW and month_counts(db) == before  # same status: same count
    empty = client.post(
        link(doc["id"], issued=ISSUED + timedelta(hours=1)), data={"aksi": "status", "status": ""}
    )
    assert empty.status_code == 400 and "Tulis tanggapan" in empty.get_data(as_text=True)


def test_a_response_over_500_characters_changes_nothing(flow) -> None:
    client, _, db = flow
    doc, before = stored(db, 1)
    long_text = {"aksi": "status", "status": r.IN_PROGRESS, "tanggapan": "a" * 501}
    response = client.post(link(doc["id"]), data=long_text)
    assert response.status_code == 400 and "terlalu panjang" in response.get_data(as_text=True)
    assert stored(db, 1)[1] == before
    assert client.post(link(doc["id"]), data={**long_text, "tanggapan": "a" * 500}).status_code == 200


def test_an_unreachable_replies_topic_never_undoes_the_change(flow, local: LocalCloud) -> None:
    from aduan.adapters.reply_publisher import ReplyPublisher

    client, site, db = flow
    site.replies = ReplyPublisher(local.project, topic="no-such-topic")
    doc, _ = stored(db, 1)
    done = {"aksi": "status", "status": r.RESOLVED, "tanggapan": "Selesai"}
    assert client.post(link(doc["id"]), data=done).status_code == 200
    assert stored(db, 1)[0]["status"] == r.RESOLVED
