"""Exactly one reply per event, none lost: redelivery, concurrent delivery, a crash between X's
201 and the ledger write, a 429 storm, a spent daily budget, poison, and cluster fan-out.

Real functions-framework processes behind real push subscriptions (emulator), the X API
simulator in this process (so a test can count, throttle and crash what posts).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from google.cloud import firestore, pubsub_v1

from aduan import actions, names
from aduan.adapters.config_files import load_config
from aduan.adapters.firestore_status import FirestoreStatus
from aduan.adapters.reply_publisher import ReplyPublisher
from aduan.statuspage import action_page, change
from aduan.statuspage.app import Site
from infra.localcloud import ROOT, LocalCloud, port_open
from infra.replies_loop import TEST_RELAY_BACKOFF, ReplyLoop, wait_for
from infra.wiring import drain

pytestmark = pytest.mark.emulators
MAGELANG = "1100000000000000010"


@pytest.fixture
def loop(local: LocalCloud):
    loop = ReplyLoop(local, lease_s=2, relay_backoff=TEST_RELAY_BACKOFF)
    try:
        yield loop
    finally:
        loop.stop()


def file_posts(loop: ReplyLoop, texts: list[str], to: str = "pemkotmagelang") -> list[str]:
    posts = [
        loop.sim.post([to], t, author={"username": f"warga_{n}", "name": "Warga"})
        for n, t in enumerate(texts)
    ]
    loop.poll()
    ids = [f"x-{p['id']}" for p in posts]
    wait_for(lambda: all(loop.report(i) for i in ids), what="the reports filed")
    return ids


def acked(loop: ReplyLoop, report_ids: list[str]) -> bool:
    return all((loop.ledger(r, "acknowledged") or {}).get("state") == "sent" for r in report_ids)


def replies_from(loop: ReplyLoop, author: str = MAGELANG) -> list[dict]:
    return loop.sim.posting.by_author(author)


def answer(loop: ReplyLoop, report_id: str, text: str) -> None:
    store = FirestoreStatus(loop.db)
    before, update_time = store.report(report_id)
    store.change(before, update_time, {"status": "diproses", "response": text})


def dead_letters(loop: ReplyLoop) -> list:
    sub = pubsub_v1.SubscriberClient.subscription_path(
        loop.cloud.project, names.REPLIES_DEAD_LETTER_SUBSCRIPTION
    )
    return drain(sub, idle_s=0.5, timeout_s=5)


def test_redelivered_three_times_and_republished_posts_once(loop: ReplyLoop) -> None:
    (report_id,) = file_posts(
        loop, ["@pemkotmagelang sampah menumpuk tidak diangkut seminggu di Jl. Tidar Magelang"]
    )
    wait_for(lambda: acked(loop, [report_id]), what="the acknowledgement")
    responses = [loop.push_directly(report_id, "acknowledged", message_id="same") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    loop.request_reply(report_id, "acknowledged")
    loop.request_reply(report_id, "acknowledged")
    wait_for(lambda: loop.log("send").count('"outcome": "already"') >= 5, what="the redeliveries")
    assert len(replies_from(loop)) == 1
    assert loop.report(report_id)["reply_post_ids"] == [replies_from(loop)[0]["id"]]
    assert dead_letters(loop) == []


def test_concurrent_duplicate_deliveries_post_once_per_report(loop: ReplyLoop) -> None:
    ids = file_posts(
        loop,
        [
            "@pemkotmagelang got mampet di Jl. Ikhlas Magelang, air meluber ke jalan",
            "@pemkotmagelang trotoar di Jl. Pemuda Magelang rusak, paving hilang",
            "@pemkotmagelang PDAM mati sejak kemarin di Magelang Tengah",
            "@pemkotmagelang sampah menumpuk tidak diangkut seminggu di Jl. Tidar Magelang",
        ],
    )
    wait_for(lambda: acked(loop, ids), what="the acknowledgements")
    for n, report_id in enumerate(ids):
        answer(loop, report_id, f"Petugas kami dijadwalkan datang ke lokasi {n} besok pagi.")
    codes: list[int] = []

    def deliver(report_id: str) -> None:
        codes.append(loop.push_directly(report_id, "responded", message_id=f"c-{report_id}").status_code)

    threads = [threading.Thread(target=deliver, args=(r,)) for r in ids for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(codes) == 12 and codes.count(200) >= 4  # losers answer 500: Pub/Sub would redeliver
    # What Pub/Sub does with the losers: deliver again later; each then finds its reply sent.
    for report_id in ids:
        wait_for(lambda r=report_id: loop.push_directly(r, "responded").status_code == 200, what="retry")
        assert loop.ledger(report_id, "responded")["state"] == "sent"
    responded = [p for p in replies_from(loop) if "Petugas kami" in p["text"]]
    assert sorted(p["in_reply_to"] for p in responded) == sorted(r.removeprefix("x-") for r in ids)


def test_crash_between_x_answer_and_ledger_write_posts_once(loop: ReplyLoop) -> None:
    sender = loop.functions["send"]

    def crash(post: dict) -> None:  # X has created the post; the poster dies before hearing 201
        if post["author_id"] == MAGELANG:
            loop.sim.posting.on_created = None
            os.killpg(sender.proc.pid, signal.SIGKILL)
            sender.proc.wait(10)

    loop.sim.posting.on_created = crash
    (report_id,) = file_posts(
        loop, ["@pemkotmagelang selokan mampet di Jl. Ikhlas Magelang, air meluber ke jalan"]
    )
    wait_for(lambda: sender.proc.poll() is not None, what="the crash")
    # The killed group's listening socket can outlive the reaped leader for a moment on a busy machine.
    wait_for(lambda: not port_open(loop.cloud.ports.replies), timeout_s=20, what="the dead sender's port")
    assert loop.ledger(report_id, "acknowledged")["state"] == "claimed"  # posted, but not recorded
    loop.start_sender()  # a new instance; Pub/Sub redelivers
    entry = wait_for(
        lambda: (e := loop.ledger(report_id, "acknowledged")) and e["state"] == "sent" and e,
        timeout_s=90,
        what="the ledger to learn the reply was posted",
    )
    assert "duplicate content" in entry["reason"] and entry["attempts"] == 2
    assert len(replies_from(loop)) == 1  # the repeat was refused by X, not posted twice
    refused = loop.sim.posting.refused
    assert [r["detail"] for r in refused if r["status"] == 403] == [
        "You are not allowed to create a Tweet with duplicate content."
    ]
    assert loop.report(report_id)["acknowledged_at"] is not None
    assert dead_letters(loop) == []


def test_429_storm_delays_every_reply_and_loses_none(loop: ReplyLoop) -> None:
    loop.sim.posting.storm(count=12, reset_in_s=2)
    texts = [
        # clear reports (a needs_review report is never acknowledged, and this test is about 429s)
        f"@pemkotmagelang trotoar Jl. Pemuda Magelang rusak parah, paving hilang dan berlubang, titik {n}"
        for n in range(5)
    ]
    ids = file_posts(loop, texts)
    wait_for(lambda: acked(loop, ids), timeout_s=120, what="every acknowledgement after the storm")
    assert sorted(p["in_reply_to"] for p in replies_from(loop)) == sorted(r.removeprefix("x-") for r in ids)
    statuses = [r["status"] for r in loop.sim.posting.refused]
    assert statuses.count(429) == 12 and set(statuses) == {429}
    assert '"reason": "rate limited on x"' in loop.log("send")
    assert dead_letters(loop) == []


def test_spent_daily_budget_defers_without_dropping(local: LocalCloud, tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    agencies = yaml.safe_load((config / "agencies.yaml").read_text(encoding="utf-8"))
    for agency in agencies["agencies"]:
        for acc in agency.get("accounts") or []:
            if acc["username"] == "pemkotmagelang":
                acc["replies"] = {"enabled": True, "daily_budget": 2}
    (config / "agencies.yaml").write_text(yaml.safe_dump(agencies, allow_unicode=True), encoding="utf-8")
    os.environ[names.ENV_CONFIG_DIR] = str(config)
    try:
        loop = ReplyLoop(local, lease_s=2, relay_backoff=TEST_RELAY_BACKOFF)
    finally:
        os.environ.pop(names.ENV_CONFIG_DIR)
    try:
        texts = [
            f"@pemkotmagelang PDAM mati sejak kemarin di Magelang Tengah rumah nomor {n}" for n in range(3)
        ]
        ids = file_posts(loop, texts)
        # Three deliveries arrive together (the relay pushes side by side): the budget holds anyway.
        wait_for(lambda: len(replies_from(loop)) == 2, what="two replies within the budget")
        waiting = wait_for(
            lambda: [e for r in ids if (e := loop.ledger(r, "acknowledged")) and e["state"] == "deferred"],
            what="the third parked",
        )
        assert waiting[0]["reason"] == "daily budget spent"
        assert (waiting[0]["not_before"].hour, waiting[0]["not_before"].minute) == (0, 0)  # midnight UTC
        assert '"outcome": "deferred"' in loop.log("send")  # acknowledged, not NACKed for hours
        time.sleep(2)
        assert len(replies_from(loop)) == 2 and dead_letters(loop) == []  # delayed, not dropped
        # Midnight comes (the entry falls due) and the budget is new: the scheduled sweep posts it.
        parked_id = next(r for r in ids if loop.ledger(r, "acknowledged")["state"] == "deferred")
        ledger = loop.db.collection(names.REPLIES).document(f"{parked_id}-acknowledged")
        ledger.update({"not_before": datetime.now(UTC) - timedelta(seconds=1)})
        for entry in (
            loop.db.collection(names.REPLIES)
            .where(filter=firestore.FieldFilter("state", "==", "sent"))
            .stream()
        ):
            entry.reference.update({"budget_key": "x:pemkotmagelang:yesterday"})
        for slot in loop.db.collection(names.REPLY_BUDGETS).stream():  # a new day has no slots taken
            left = slot.to_dict()[names.TTL_FIELDS[names.REPLY_BUDGETS]] - datetime.now(UTC)
            assert timedelta(days=names.REPLY_BUDGET_SLOT_DAYS - 1) < left <= timedelta(days=names.REPLY_BUDGET_SLOT_DAYS)
            slot.reference.delete()
        loop.sweep()
        wait_for(lambda: loop.ledger(parked_id, "acknowledged")["state"] == "sent", what="the parked reply")
        assert len(replies_from(loop)) == 3 and '"outcome": "sweep", "swept": 1' in loop.log("send")
    finally:
        loop.stop()


def test_poison_reply_requests_are_dead_lettered_with_their_reason(loop: ReplyLoop) -> None:
    bad = json.dumps({"schema": "aduan.reply/1", "report_id": "x-1", "event": "shouted"}).encode()
    loop.publisher.publish(loop.replies_topic, bad, report_id="x-1", event="shouted").result(30)
    dead = wait_for(lambda: dead_letters(loop), timeout_s=90, what="the dead letter")
    assert dead[0].attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
    assert loop.log("send").count("field 'event' must be one of") >= 5


def test_an_answer_reaches_every_citizen_of_the_cluster(loop: ReplyLoop) -> None:
    ids = [
        file_posts(loop, [text])[0]  # one by one: each finds the earlier ones and joins their cluster
        for text in [
            "@pemkotmagelang trotoar di Jl. Pemuda Magelang rusak parah, paving hilang semua",
            "@pemkotmagelang paving trotoar Jl. Pemuda Magelang rusak dan hilang, bahaya buat pejalan kaki",
            "@pemkotmagelang tolong trotoar Jl. Pemuda Magelang diperbaiki, pavingnya rusak hilang",
        ]
    ]
    assert len({loop.report(r)["cluster_id"] for r in ids}) == 1
    wait_for(lambda: acked(loop, ids), what="the acknowledgements")
    answer(loop, ids[0], "Tim DPUPR memasang paving baru di trotoar Jl. Pemuda hari Kamis.")
    loop.request_reply(ids[0], "responded")
    wait_for(
        lambda: all((loop.ledger(r, "responded") or {}).get("state") == "sent" for r in ids),
        what="the answer fanned out",
    )
    answered = [p for p in replies_from(loop) if "memasang paving baru" in p["text"]]
    assert sorted(p["in_reply_to"] for p in answered) == sorted(r.removeprefix("x-") for r in ids)
    tickets = {loop.report(r)["ticket"][:4] for r in ids}
    assert (
        all(any(t in p["text"] for t in tickets) for p in answered)
        and len({p["text"] for p in answered}) == 3
    )
    time.sleep(1)
    assert len(answered) == 3


def agency_site(loop: ReplyLoop, replies: ReplyPublisher) -> Site:
    """The status page's agency side, in this process, on the loop's Firestore."""
    return Site(
        FirestoreStatus(loop.db), load_config(ROOT / "config"), "k" * 32, "http://127.0.0.1", replies=replies
    )


def agency_answers(site: Site, report: dict, text: str) -> None:
    now = datetime.now(UTC)
    grant = actions.Grant(report["id"], report["agency_id"], f"t-{report['id']}", now, now + actions.LIFETIME)
    action = change.parse({"aksi": change.SET_STATUS, "status": change.KEEP, "tanggapan": text})
    assert action_page.perform(site, grant, action, now).result == action_page.DONE


def test_a_reply_request_lost_after_the_agency_commit_is_swept_and_posted_once(loop: ReplyLoop) -> None:
    lost, published = file_posts(
        loop,
        [
            "@pemkotmagelang got mampet di Jl. Ikhlas Magelang, air meluber ke jalan",
            "@pemkotmagelang trotoar di Jl. Pemuda Magelang rusak, paving hilang",
        ],
    )
    wait_for(lambda: acked(loop, [lost, published]), what="the acknowledgements")
    # Pub/Sub does not confirm (the topic is gone): the change stands, its ledger entry waits.
    agency_answers(
        agency_site(loop, ReplyPublisher(loop.cloud.project, topic="no-such-topic")),
        loop.report(lost),
        "Petugas kami membersihkan saluran di Jl. Ikhlas besok pagi.",
    )
    entry = loop.ledger(lost, "responded")
    assert entry["state"] == "requested" and entry["not_before"] > datetime.now(UTC) + timedelta(seconds=90)
    # The normal path: the request is published and taken at once, not held for the grace.
    agency_answers(
        agency_site(loop, ReplyPublisher(loop.cloud.project)),
        loop.report(published),
        "Tim DPUPR memasang paving baru di Jl. Pemuda hari Kamis.",
    )
    sent = wait_for(
        lambda: (e := loop.ledger(published, "responded")) and e["state"] == "sent" and e,
        timeout_s=20,
        what="the published answer posted",
    )
    assert sent["not_before"] is None and sent["sent_at"] - sent["requested_at"] < timedelta(seconds=20)
    loop.sweep()  # not due yet: the lost one stays requested, nothing is posted for it
    wait_for(lambda: '"outcome": "sweep", "swept": 0' in loop.log("send"), what="an empty sweep")
    assert loop.ledger(lost, "responded")["state"] == "requested"
    # The grace runs out: the scheduled sweep re-publishes it, and it is posted once.
    ledger = loop.db.collection(names.REPLIES).document(f"{lost}-responded")
    ledger.update({"not_before": datetime.now(UTC) - timedelta(seconds=1)})
    loop.sweep()
    done = wait_for(
        lambda: (e := loop.ledger(lost, "responded")) and e["state"] == "sent" and e, what="the swept answer"
    )
    assert done["attempts"] == 1 and done["not_before"] is None
    loop.sweep()
    time.sleep(1)
    answers = [p for p in replies_from(loop) if "Petugas kami membersihkan" in p["text"]]
    assert [p["in_reply_to"] for p in answers] == [lost.removeprefix("x-")]
    assert '"outcome": "sweep", "swept": 1' in loop.log("send")
