"""The reply loop on the local cloud: a post is fetched, filed, acknowledged on X once; the
agency's answer goes back into the thread; a citizen's "belum" after "selesai" reopens it.

Real functions-framework processes fed by real push subscriptions (emulator), the X API
simulator checking OAuth 1.0a signatures, real tweepy in send_replies.
"""

from __future__ import annotations

import json
import re

import pytest
import requests
from google.cloud import firestore

from aduan import names
from aduan.adapters.firestore_status import FirestoreStatus
from aduan.ticket import display
from infra.localcloud import LocalCloud
from infra.replies_loop import ReplyLoop, wait_for

pytestmark = pytest.mark.emulators

CITIZEN = {"username": "warga_tidar", "name": "Warga Tidar", "user_id": "2200000000000000001"}


@pytest.fixture
def loop(local: LocalCloud):
    loop = ReplyLoop(local, status_page=True)
    try:
        yield loop
    finally:
        loop.stop()


def stat_counts(db: firestore.Client) -> dict[str, int]:
    counts: dict[str, int] = {}
    for snap in db.collection(names.STATS).stream():
        for day in (snap.to_dict().get("days") or {}).values():
            for key, n in (day.get("n") or {}).items():
                counts[key] = counts.get(key, 0) + n
    return {k: v for k, v in counts.items() if v}


def agency_change(loop: ReplyLoop, report_id: str, **updates) -> None:
    """What the status page commits for an agency's change (the report and its counts, atomically)."""
    store = FirestoreStatus(loop.db)
    before, update_time = store.report(report_id)
    store.change(before, update_time, updates)


def test_post_fetched_filed_acknowledged_then_answered_then_reopened(loop: ReplyLoop) -> None:
    post = loop.sim.post(
        ["pemkotmagelang"],
        "jalan di Jl. Tidar Magelang berlubang parah, sudah 2 minggu, tolong @humasjateng",
        author=CITIZEN,
    )
    loop.poll()
    report_id = f"x-{post['id']}"
    report = wait_for(
        lambda: (loop.report(report_id) or {}).get("acknowledged_at") and loop.report(report_id),
        timeout_s=60,
        what="the acknowledgement",
    )
    ticket = report["ticket"]

    # One reply, from the account the citizen mentioned, in reply to the post, notifying nobody else.
    (ack,) = loop.posts_in_reply_to(post["id"])
    assert ack["author_id"] == "1100000000000000010"  # @pemkotmagelang
    assert display(ticket) in ack["text"]
    assert f"http://127.0.0.1:{loop.cloud.ports.status}/laporan/{ticket}" in ack["text"]
    assert "Pemerintah Kota Magelang" in ack["text"] or "DPUPR" in ack["text"]
    assert "@" not in ack["text"]
    assert ack["mentions"] == [CITIZEN["user_id"]]  # @humasjateng excluded (exclude_reply_user_ids)
    assert ack["conversation_id"] == post["id"]
    assert report["reply_post_ids"] == [ack["id"]]
    assert loop.ledger(report_id, "acknowledged")["state"] == "sent"

    # The report page says it was acknowledged on X (Indonesian and English).
    page = requests.get(f"http://127.0.0.1:{loop.cloud.ports.status}/laporan/{ticket}", timeout=30)
    assert page.status_code == 200 and "Dibalas di X" in page.text
    page_en = requests.get(f"http://127.0.0.1:{loop.cloud.ports.status}/laporan/{ticket}?lang=en", timeout=30)
    assert "Acknowledged on X" in page_en.text

    # The agency answers (as the action page commits it) → the answer is posted in the thread.
    answer = "Lubang di Jl. Tidar dijadwalkan ditambal Kamis ini oleh tim @dpupr_mgl."
    agency_change(loop, report_id, status="diproses", response=answer, updated_at=firestore.SERVER_TIMESTAMP)
    loop.request_reply(report_id, "responded")
    wait_for(lambda: len(loop.posts_in_reply_to(post["id"])) == 2, what="the responded reply")
    responded = loop.posts_in_reply_to(post["id"])[1]
    assert "dijadwalkan ditambal Kamis ini" in responded["text"] and display(ticket) in responded["text"]
    assert "@dpupr_mgl" not in responded["text"]

    # Resolved, then the citizen answers "belum" in the thread of Aduan's reply → reopened, once.
    agency_change(loop, report_id, status="selesai", open=False, response="Sudah ditambal.")
    before = stat_counts(loop.db)
    follow = loop.sim.posting.reply(CITIZEN, ack["id"], "belum pak, masih berlubang di depan SMA 1")
    assert "@pemkotmagelang" in follow["text"]  # X's reply metadata: it reaches the agency's mentions
    loop.poll()
    reopened = wait_for(
        lambda: (loop.report(report_id) or {}).get("reopened_at") and loop.report(report_id),
        what="the reopened report",
    )
    assert reopened["status"] == "diproses" and reopened["open"] is True
    assert reopened["follow_ups"] == 1
    entries = [h for h in reopened["history"] if h.get("kind") == "follow_up"]
    assert [(h["source_id"], h["verdict"], h["by"]) for h in entries] == [
        (follow["id"], "not_fixed", "warga")
    ]
    assert loop.report(f"x-{follow['id']}") is None  # not filed as a report of its own
    after = stat_counts(loop.db)
    key = f"{report['agency_id']}|{report['category']}|"
    assert after[key + "diproses"] == before.get(key + "diproses", 0) + 1
    assert after.get(key + "selesai", 0) == before[key + "selesai"] - 1

    # The same follow-up fetched again (overlap window) and redelivered: nothing changes twice.
    loop.poll()
    classify_log = loop.log("classify")
    wait_for(
        lambda: '"follow_up_duplicate"' in loop.log("classify") or classify_log.count(follow["id"]) >= 1,
        what="the follow-up seen",
    )
    final = loop.report(report_id)
    assert final["follow_ups"] == 1 and stat_counts(loop.db) == after

    # One post per event: acknowledgement and response; nothing else was posted by Aduan.
    assert len(loop.sim.posting.created) == 2 + 1  # two replies and the citizen's follow-up
    send_log = [json.loads(line) for line in loop.log("send").splitlines() if line.startswith("{")]
    assert sum(1 for e in send_log if e.get("outcome") == "sent") == 2


def test_english_post_gets_an_english_reply_and_non_reports_and_reviews_none(loop: ReplyLoop) -> None:
    english = loop.sim.post(
        ["pemkotsmg"], "the road on Jl. Pemuda Semarang is badly damaged with big potholes, please repair"
    )
    loop.sim.state.posts[int(english["id"])].lang = "en"
    unsure = loop.sim.post(
        ["pemkotsmg"], "the street lights on Jl. Pemuda Semarang have been dead for a week"
    )
    chatter = loop.sim.post(["pemkotsmg"], "selamat pagi pak wali, semangat terus!")
    loop.poll()
    wait_for(lambda: loop.posts_in_reply_to(english["id"]), what="the English acknowledgement")
    (reply,) = loop.posts_in_reply_to(english["id"])
    assert reply["text"].startswith("Thank you, your report is filed as ticket")
    assert re.search(r"/laporan/[0-9A-Z]{8}\?lang=en", reply["text"])
    for post in (unsure, chatter):
        wait_for(lambda post=post: loop.report(f"x-{post['id']}"), what="the other posts filed")
    assert loop.report(f"x-{chatter['id']}")["is_report"] is False
    assert loop.report(f"x-{unsure['id']}")["needs_review"] is True  # waits for the agency
    assert loop.posts_in_reply_to(chatter["id"]) == [] and loop.posts_in_reply_to(unsure["id"]) == []
    assert loop.ledger(f"x-{unsure['id']}", "acknowledged") is None
    assert loop.log("classify").count('"reply_requested": false') == 2
