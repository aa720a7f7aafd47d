"""Agencies' corrections on the signed action page, on the emulator: category, not a report, reroute.

Each correction must land in ``corrections/{report_id}`` in the shape of docs/contracts.md
in the same commit as the change, move the stats exactly once (double and concurrent
POSTs included) and show the new agency publicly; the new agency's digest carries it.
"""

from __future__ import annotations

import contextlib
import json
import threading
from datetime import timedelta

import pytest
from google.api_core import exceptions as gexc
from google.cloud import firestore, pubsub_v1

from aduan import actions, names, stats
from aduan import report as r
from aduan.adapters.firestore_digest import FirestoreDigestSource
from aduan.adapters.reply_publisher import ReplyPublisher
from aduan.statuspage import change
from infra.localcloud import LocalCloud
from infra.wiring import drain, tap
from tests.statuspage_seed import KEY, make_client, report_doc, seed, wib

NOW = wib(2026, 11, 26, 10, 0)
ISSUED = NOW - timedelta(days=3)
AGENCY, OTHER = "kota-semarang", "kota-semarang-dpu"
BASE = "https://status.example.go.id"


def link(report_id: str, agency: str = AGENCY, issued=ISSUED) -> str:
    return actions.action_url(BASE, KEY, report_id, agency, issued).removeprefix(BASE)


def rid(n: int) -> str:
    return f"x-{1_862_000_000_000_000_000 + n}"


def stored(db: firestore.Client, n: int) -> tuple[dict, object]:
    snap = db.collection(names.REPORTS).document(rid(n)).get()
    return snap.to_dict(), snap.update_time


def correction(db: firestore.Client, n: int) -> dict | None:
    snap = db.collection(names.CORRECTIONS).document(rid(n)).get()
    return snap.to_dict() if snap.exists else None


def month_counts(db: firestore.Client, month: str = "2026-11") -> dict:
    docs = [
        s.to_dict()
        for s in db.get_all([db.collection(names.STATS).document(d) for d in stats.month_doc_ids(month)])
        if s.exists
    ]
    totals = stats.aggregate(docs, wib(2026, 11, 1).date(), wib(2026, 11, 30).date())
    return {k: n for k, n in totals.counts.items() if n}


def replies_tap(project: str, name: str = "replies-test-tap") -> str:
    """The replies topic (as the replies engineer's wiring makes it) and a pull subscription on it."""
    publisher = pubsub_v1.PublisherClient()
    with contextlib.suppress(gexc.AlreadyExists):
        publisher.create_topic(name=publisher.topic_path(project, names.REPLIES_TOPIC))

    class _Cloud:  # tap() needs only the project
        pass

    cloud = _Cloud()
    cloud.project = project
    return tap(cloud, name, names.REPLIES_TOPIC)


def reply_messages(subscription: str) -> list[tuple[dict, dict]]:
    return [(json.loads(m.data), dict(m.attributes)) for m in drain(subscription, idle_s=1.0, timeout_s=15)]


@pytest.fixture
def flow(local: LocalCloud):
    db = firestore.Client(project=local.project)
    seed(
        db,
        [
            report_doc(1, wib(2026, 11, 24, 8), text="Jalan berlubang di Jl. Pemuda, hubungi 081234567890"),
            report_doc(2, wib(2026, 11, 25, 8), status=r.IN_PROGRESS),
            report_doc(3, wib(2026, 11, 10, 8), category="drainase"),
        ],
    )
    client, site = make_client(local.project, NOW)
    return client, site, db


def test_category_correction_is_stored_in_the_contract_shape(flow) -> None:
    client, _, db = flow
    doc, _ = stored(db, 1)
    response = client.post(
        link(doc["id"]), data={"aksi": "category", "kategori": "drainase", "catatan": "Selokan"}
    )
    assert response.status_code == 200
    record = correction(db, 1)
    token_id = actions.verify(link(doc["id"]).rsplit("/", 1)[1], KEY, NOW).token_id
    assert record == {
        "report_id": doc["id"],
        "text": doc["text"],  # the original, with the handle and the phone number: private
        "is_report": True,
        "category": "drainase",
        "agency_id": AGENCY,
        "original": {"is_report": True, "category": "jalan", "agency_id": AGENCY},
        "changes": [
            {
                "kind": "category",
                "old": "jalan",
                "new": "drainase",
                "by": AGENCY,
                "at": NOW,
                "token_id": token_id,
            }
        ],
        "updated_at": NOW,
    }
    after, _ = stored(db, 1)
    assert after["corrected_at"] == NOW and after["history"][-1]["note"] == "Selokan"
    counts = month_counts(db)
    assert counts.get((AGENCY, "jalan", r.ROUTED), 0) == 0  # report 1 moved out of "jalan"
    assert counts[(AGENCY, "drainase", r.ROUTED)] == 2  # beside report 3
    public = client.get(f"/laporan/{doc['ticket']}").get_data(as_text=True)
    assert "081234567890" not in public and "warga_smg" not in public and "Drainase" in public


def test_later_corrections_append_and_keep_the_original(flow) -> None:
    client, _, db = flow
    doc, _ = stored(db, 1)
    assert client.post(link(doc["id"]), data={"aksi": "category", "kategori": "drainase"}).status_code == 200
    second = link(doc["id"], issued=ISSUED + timedelta(hours=2))
    assert (
        client.post(second, data={"aksi": "route", "instansi": OTHER, "catatan": "Urusan PU"}).status_code
        == 200
    )
    record = correction(db, 1)
    assert record["original"] == {"is_report": True, "category": "jalan", "agency_id": AGENCY}
    assert (record["category"], record["agency_id"]) == ("drainase", OTHER)
    assert [(c["kind"], c["old"], c["new"]) for c in record["changes"]] == [
        ("category", "jalan", "drainase"),
        ("reroute", AGENCY, OTHER),
    ]


def test_not_a_report_hides_it_and_is_a_correction(flow) -> None:
    client, _, db = flow
    doc, _ = stored(db, 1)
    missing = client.post(link(doc["id"]), data={"aksi": "not_report"})
    assert missing.status_code == 400 and "Tulis alasannya" in missing.get_data(as_text=True)
    assert correction(db, 1) is None
    ok = client.post(link(doc["id"]), data={"aksi": "not_report", "catatan": "Hanya promosi"})
    assert ok.status_code == 200
    after, _ = stored(db, 1)
    assert (after["status"], after["is_report"], after["public"], after["open"]) == (
        r.NOT_A_REPORT,
        False,
        False,
        False,
    )
    record = correction(db, 1)
    assert (record["is_report"], record["category"]) == (False, None)
    assert record["changes"][0] | {"at": None, "token_id": None} == {
        "kind": "not_report",
        "old": True,
        "new": False,
        "by": AGENCY,
        "at": None,
        "token_id": None,
    }
    assert month_counts(db)[(AGENCY, "jalan", r.NOT_A_REPORT)] == 1
    assert client.get(f"/laporan/{doc['ticket']}").status_code == 404
    # The gate was wrong the other way round: reopening makes it a report again, recorded too.
    back = client.post(
        link(doc["id"], issued=ISSUED + timedelta(hours=1)),
        data={"aksi": "status", "status": r.IN_PROGRESS, "tanggapan": "Maaf, ini memang laporan"},
    )
    assert back.status_code == 200
    assert correction(db, 1)["is_report"] is True and len(correction(db, 1)["changes"]) == 2


def test_reroute_moves_the_report_its_counts_and_its_digest(flow) -> None:
    client, _, db = flow
    doc, _ = stored(db, 3)  # received two weeks ago, still open
    before = month_counts(db)
    url = link(doc["id"])
    response = client.post(url, data={"aksi": "route", "instansi": OTHER, "catatan": "Bukan kewenangan kami"})
    assert response.status_code == 200
    replay = client.post(url, data={"aksi": "route", "instansi": OTHER, "catatan": "Bukan kewenangan kami"})
    assert replay.status_code == 403  # the link's agency no longer holds it: nothing moves twice
    after, _ = stored(db, 3)
    assert (after["agency_id"], after["status"], after["routed_by"]) == (OTHER, r.ROUTED, "agency")
    last = after["history"][-1]
    assert (last["by"], last["at"]) == (AGENCY, NOW) and "Bukan kewenangan kami" in last["note"]
    counts = month_counts(db)
    assert counts.get((AGENCY, "drainase", r.ROUTED), 0) == before[(AGENCY, "drainase", r.ROUTED)] - 1
    assert counts[(OTHER, "drainase", r.ROUTED)] == before.get((OTHER, "drainase", r.ROUTED), 0) + 1
    assert correction(db, 3)["changes"][0]["kind"] == "reroute"
    public = client.get(f"/laporan/{doc['ticket']}").get_data(as_text=True)
    assert "DPU" in public or "Pekerjaan Umum" in public
    source = FirestoreDigestSource(db)
    next_week_start = wib(2026, 11, 30)
    assert doc["id"] in {d["id"] for d in source.open_before(OTHER, next_week_start)}
    assert doc["id"] not in {d["id"] for d in source.open_before(AGENCY, next_week_start)}


def test_concurrent_posts_of_one_link_move_the_counts_once(flow, local: LocalCloud) -> None:
    """Four instances (own clients, own Firestore connections) receive the same POST at once."""
    _, _, db = flow
    doc, _ = stored(db, 1)
    before = month_counts(db)
    clients = [make_client(local.project, NOW)[0] for _ in range(4)]
    barrier, codes = threading.Barrier(len(clients)), []

    def post(client) -> None:
        barrier.wait(10)
        codes.append(
            client.post(
                link(doc["id"]), data={"aksi": "route", "instansi": OTHER, "catatan": "PU"}
            ).status_code
        )

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes)[0] == 200 and codes.count(200) == 1, codes
    assert all(c in (200, 403, 409) for c in codes)
    counts = month_counts(db)
    assert counts[(OTHER, "jalan", r.ROUTED)] == before.get((OTHER, "jalan", r.ROUTED), 0) + 1
    assert counts.get((AGENCY, "jalan", r.ROUTED), 0) == before[(AGENCY, "jalan", r.ROUTED)] - 1
    assert len(correction(db, 1)["changes"]) == 1
    assert sum(1 for h in stored(db, 1)[0]["history"] if h.get("by") == AGENCY) == 1


def test_two_first_corrections_racing_create_one_record(flow, local: LocalCloud) -> None:
    _, _, db = flow
    doc, _ = stored(db, 1)
    posts = [
        (link(doc["id"]), {"aksi": "category", "kategori": "drainase"}),
        (link(doc["id"], issued=ISSUED + timedelta(minutes=5)), {"aksi": "category", "kategori": "sampah"}),
    ]
    clients = [make_client(local.project, NOW)[0] for _ in posts]
    barrier, codes = threading.Barrier(len(posts)), []

    def post(client, url, data) -> None:
        barrier.wait(10)
        codes.append(client.post(url, data=data).status_code)

    threads = [threading.Thread(target=post, args=(c, *p)) for c, p in zip(clients, posts, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [200, 200] or sorted(codes) == [200, 400], codes
    record = correction(db, 1)
    final = stored(db, 1)[0]["category"]
    assert record["original"]["category"] == "jalan" and record["category"] == final
    assert len(record["changes"]) == codes.count(200)
    counts = month_counts(db)
    assert sum(n for (a, c, s), n in counts.items() if a == AGENCY and s == r.ROUTED) == 2  # still 2 reports


def test_reroute_to_an_unknown_or_the_same_agency_is_refused(flow) -> None:
    client, _, db = flow
    doc, before = stored(db, 1)
    for target in ("kota-atlantis", AGENCY):
        response = client.post(link(doc["id"]), data={"aksi": "route", "instansi": target, "catatan": "x"})
        assert response.status_code == 400
    assert client.post(link(doc["id"]), data={"aksi": "route", "instansi": OTHER}).status_code == 400
    assert stored(db, 1)[1] == before and correction(db, 1) is None


def test_get_offers_every_correction_and_changes_nothing(flow) -> None:
    client, _, db = flow
    doc, before = stored(db, 1)
    page = client.get(link(doc["id"])).get_data(as_text=True)
    for marker in ('value="route"', 'value="category"', 'value="not_report"', 'name="tanggapan"'):
        assert marker in page
    assert "Bukan kewenangan kami" in page and "081234567890" not in page
    assert stored(db, 1)[1] == before


def test_change_is_pure_and_refuses_a_category_for_a_non_report() -> None:
    doc = report_doc(9, NOW - timedelta(days=1), status=r.NOT_A_REPORT, is_report=False)
    grant = actions.Grant(doc["id"], AGENCY, "t1", ISSUED, ISSUED + actions.LIFETIME)
    from tests.statuspage_seed import CONFIG

    with pytest.raises(change.Refused):
        change.apply(doc, change.Action(change.CATEGORY, "jalan", ""), grant, CONFIG, NOW)


def test_reply_requests_follow_committed_answers(flow, local: LocalCloud) -> None:
    client, site, db = flow
    subscription = replies_tap(local.project)
    site.replies = ReplyPublisher(local.project)
    one, two = stored(db, 1)[0], stored(db, 2)[0]
    answer = {"aksi": "status", "status": "", "tanggapan": "Petugas sudah dijadwalkan besok"}
    assert client.post(link(one["id"]), data=answer).status_code == 200
    resolve = {"aksi": "status", "status": r.RESOLVED, "tanggapan": "Sudah ditambal"}
    assert client.post(link(two["id"]), data=resolve).status_code == 200
    assert client.post(link(two["id"]), data=resolve).status_code == 409  # replay: no second request
    category = {"aksi": "category", "kategori": "drainase"}
    assert client.post(link(one["id"], issued=ISSUED + timedelta(hours=1)), data=category).status_code == 200
    messages = reply_messages(subscription)
    assert sorted((body["report_id"], body["event"]) for body, _ in messages) == sorted(
        [(one["id"], "responded"), (two["id"], "resolved")]
    )
    for body, attributes in messages:
        assert set(body) == {"schema", "report_id", "event", "requested_at"}
        assert body["schema"] == names.REPLY_SCHEMA and body["requested_at"].endswith("Z")
        assert attributes == {
            "report_id": body["report_id"],
            "event": body["event"],
            "schema": names.REPLY_SCHEMA,
        }


def test_an_agency_action_ends_the_wait_for_review(flow) -> None:
    client, _, db = flow
    db.collection(names.REPORTS).document(rid(1)).update({"needs_review": True})
    doc, _ = stored(db, 1)
    assert client.post(link(doc["id"]), data={"aksi": "category", "kategori": "drainase"}).status_code == 200
    assert stored(db, 1)[0]["needs_review"] is False
