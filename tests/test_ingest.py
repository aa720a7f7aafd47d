"""fetch_mentions on the real emulators and the X API simulator: no post lost, fair, bounded.

Crashes are injected by wrapping the real adapters so that one call raises, as a
process dying at that point would; the next run uses the unwrapped adapters.
"""

from __future__ import annotations

import json
import time

import pytest

from aduan.adapters.firestore_checkpoints import FirestoreCheckpoints
from aduan.adapters.pubsub import TopicPublisher
from aduan.adapters.x_api import XApi
from aduan.ingest import Checkpoint, snowflake_at
from infra.wiring import drain, tap, wire_pubsub
from tests.ingest_helpers import (
    ACCOUNTS,
    MAGELANG,
    SEMARANG,
    World,
    by_account,
    control,
    generate,
    start_sim,
    stop_sim,
)

pytestmark = pytest.mark.emulators


class Crash(RuntimeError):
    """Stands for the process dying at the injection point."""


@pytest.fixture
def sim():
    _, base = start_sim()
    try:
        yield base
    finally:
        stop_sim(base)


@pytest.fixture
def cloud(local):
    wire_pubsub(local, push=False)
    local.tap = tap(local, "ingest-tap")
    return local


def test_paging_publishes_every_post_and_checkpoints_the_newest(cloud, sim):
    world = World(cloud, sim)
    ids = generate(sim, 250, ["pemkotmagelang"])
    report = world.poll()
    magelang = by_account(report, "pemkotmagelang")
    assert magelang["pages"] == 3 and magelang["fetched"] == 250
    assert magelang["published"] == len(ids) == 250 - magelang["retweets_skipped"]
    assert magelang["checkpoint_after"] == max(ids, key=int)
    assert magelang["outcome"] == "ok" and magelang["errors"] == []
    published = world.published_ids()
    assert set(published) == ids and len(published) == len(ids)
    message = json.loads(drain_one_message_shape(world, sim))
    assert message["schema"] == "aduan.mention/1" and "pemkotmagelang" in message["to_accounts"]
    assert message["author"]["username"] and message["url"].startswith("https://x.com/")


def drain_one_message_shape(world: World, sim: str) -> bytes:
    post = control(
        sim, "post", {"to": ["pemkotmagelang"], "text": "@pemkotmagelang jalan rusak di Jl. Tidar"}
    )
    world.poll()
    messages = [m for m in drain(world.cloud.tap) if m.attributes["source_id"] == post["id"]]
    assert len(messages) == 1
    return messages[0].data


def test_crash_between_publish_and_checkpoint_costs_only_a_refetch(cloud, sim):
    world = World(cloud, sim)
    ids = generate(sim, 150, ["pemkotmagelang", "pemkotsmg"])

    class CrashOnSave(FirestoreCheckpoints):
        def save(self, *args, **kwargs):
            raise Crash("process died before the checkpoint was saved")

    with pytest.raises(Crash):
        world.poll(checkpoints=CrashOnSave(world.db))
    assert world.checkpoints.load([MAGELANG, SEMARANG]) == {}  # nothing moved
    world.poll()
    assert set(world.published_ids()) >= ids  # every post at least once (duplicates allowed)
    assert world.checkpoints.load([MAGELANG])[MAGELANG].since_id is not None


def test_crash_between_pages_costs_only_a_refetch(cloud, sim):
    world = World(cloud, sim)
    ids = generate(sim, 250, ["pemkotmagelang"])
    calls = {"n": 0}

    class CrashOnSecondPage:
        def page(self, *args):
            calls["n"] += 1
            if calls["n"] == 2:
                raise Crash("process died between pages")
            return world.x.page(*args)

    with pytest.raises(Crash):
        world.poll(x=CrashOnSecondPage())
    world.poll()
    assert set(world.published_ids()) >= ids


def test_unconfirmed_publish_keeps_the_checkpoint(cloud, sim):
    world = World(cloud, sim)
    generate(sim, 30, ["pemkotmagelang"])

    class FailingConfirm(TopicPublisher):
        def confirm(self, handles, timeout_s):
            raise RuntimeError("Pub/Sub unavailable")

    report = world.poll(publisher=FailingConfirm(cloud.project, "mentions"))
    magelang = by_account(report, "pemkotmagelang")
    assert magelang["outcome"] == "publish_failed" and magelang["checkpoint_after"] is None
    assert "checkpoint kept" in magelang["errors"][0]


def test_server_errors_are_retried_within_the_run(cloud, sim):
    world = World(cloud, sim)
    ids = generate(sim, 10, ["pemkotmagelang"])
    control(
        sim,
        "faults",
        [{"kind": "503", "at_request": 1, "endpoint": "mentions", "account": MAGELANG, "times": 2}],
    )
    report = world.poll()
    assert by_account(report, "pemkotmagelang")["outcome"] == "ok"
    assert ids <= set(world.published_ids())


def test_timeouts_and_dropped_connections_are_retried_and_then_given_up(cloud, sim):
    world = World(cloud, sim)
    world.x = XApi("test-token", sim, timeout_s=0.5)  # tweepy itself sends no timeout
    ids = generate(sim, 10, ["pemkotmagelang"])
    faults = [
        {"kind": "slow", "at_request": 1, "endpoint": "mentions", "account": MAGELANG, "delay_s": 2},
        {"kind": "drop", "at_request": 2, "endpoint": "mentions", "account": MAGELANG},
    ]
    control(sim, "faults", faults)
    report = world.poll()
    assert by_account(report, "pemkotmagelang")["outcome"] == "ok"  # third attempt succeeded
    assert ids <= set(world.published_ids())
    # Failing on every attempt: the account ends "x_unavailable", keeps its checkpoint, others go on.
    generate(sim, 5, ["pemkotmagelang", "pemkotsmg"])
    control(
        sim,
        "faults",
        [{"kind": "drop", "at_request": 1, "endpoint": "mentions", "account": MAGELANG, "times": 10}],
    )
    before = world.checkpoints.load([MAGELANG])[MAGELANG]
    report = world.poll()
    magelang = by_account(report, "pemkotmagelang")
    assert magelang["outcome"] == "x_unavailable" and "after 3 attempts" in magelang["errors"][0]
    assert world.checkpoints.load([MAGELANG])[MAGELANG].since_id == before.since_id
    assert by_account(report, "pemkotsmg")["outcome"] == "ok"


def test_more_than_800_since_last_poll_is_reported_as_a_gap(cloud, sim):
    world = World(cloud, sim)
    generate(sim, 5, ["pemkotmagelang"])
    world.poll()
    checkpoint = world.checkpoints.load([MAGELANG])[MAGELANG].since_id
    burst = sorted(map(int, control(sim, "burst", {"account": "pemkotmagelang", "count": 1000})["ids"]))
    report = world.poll(max_requests=200)
    gap = by_account(report, "pemkotmagelang")["gap"]
    # Exactly the unread range: after the checkpoint, before the oldest post X still shows.
    assert gap is not None and gap["read"] >= 800
    assert (gap["after_id"], gap["before_id"]) == (str(checkpoint), str(burst[200]))
    assert by_account(world.poll(), "pemkotmagelang")["gap"] is None  # reported once


def test_request_budget_interrupts_then_backfill_completes_without_skipping(cloud, sim):
    world = World(cloud, sim)
    ids = generate(sim, 300, ["pemkotmagelang"])
    first = world.poll(max_requests=2, only={"pemkotmagelang"})  # two pages of three
    assert by_account(first, "pemkotmagelang")["outcome"] == "request budget spent"
    for _ in range(3):
        world.poll(max_requests=2, only={"pemkotmagelang"})
    assert set(world.published_ids()) >= ids
    checkpoint = world.checkpoints.load([MAGELANG])[MAGELANG]
    assert checkpoint.backfill_until_id is None and checkpoint.since_id >= max(map(int, ids))


def test_fair_share_when_one_account_is_busy(cloud, sim):
    world = World(cloud, sim)
    generate(sim, 500, ["pemkotmagelang"])
    quiet = generate(sim, 3, ["pemkotsmg"])
    report = world.poll(max_requests=len(ACCOUNTS) + 1)
    assert by_account(report, "pemkotsmg")["outcome"] == "ok"
    assert quiet <= set(world.published_ids())


def test_late_indexed_post_is_caught_by_the_look_back(cloud, sim):
    """Created 90 s before the checkpoint, visible only now (the stand-in's minutes-late cases:
    ``test_ingest_standin.py``)."""
    world = World(cloud, sim)
    generate(sim, 20, ["pemkotmagelang"])
    world.poll()
    first = set(world.published_ids())
    late = control(
        sim,
        "post",
        {"to": ["pemkotmagelang"], "text": "@pemkotmagelang sampah numpuk", "late": True, "late_by_s": 90},
    )
    report = world.poll()
    again = world.published_ids()
    assert late["id"] in again
    assert not first & set(again)  # the look-back re-read publishes nothing twice
    assert by_account(report, "pemkotmagelang")["reread"] >= 1


def test_auth_failure_names_the_account(cloud, sim):
    world = World(cloud, sim)
    world.x = XApi("revoked", sim)  # the simulator answers this token with 401
    report = world.poll()
    magelang = by_account(report, "pemkotmagelang")
    assert magelang["outcome"] == "auth_failed"
    assert any("X refused access for @pemkotmagelang: HTTP 401" in e for e in magelang["errors"])
    world.x = XApi("forbidden", sim)
    assert "HTTP 403" in by_account(world.poll(), "pemkotsmg")["errors"][0]


def test_batched_search_needs_far_fewer_requests_and_loses_nothing(cloud, sim):
    world = World(cloud, sim)
    ids = generate(sim, 400, [n for _, n in ACCOUNTS])
    report = world.poll("search")
    assert report["requests"] < len(ACCOUNTS)
    assert report["published"] == len(ids)  # a post to two polled accounts is read once
    assert set(world.published_ids()) >= ids
    checkpoints = world.checkpoints.load([u for u, _ in ACCOUNTS])
    assert len(checkpoints) == len(ACCOUNTS)
    newest = max(map(int, ids))
    assert all(cp.since_id >= newest for cp in checkpoints.values())


def test_hostile_posts_are_published_intact_and_never_stop_the_cycle(cloud, sim):
    """A lone surrogate (a post cut mid-emoji), HTML, a header injection and a long post, via real tweepy."""
    world = World(cloud, sim)
    texts = [
        "@pemkotmagelang jalan rusak \ud83d",
        '@pemkotmagelang <script>alert("x")</script> lampu mati',
        "@pemkotmagelang sampah\r\nBcc: all@example.com\r\n numpuk",
        "@pemkotmagelang " + "banjir lagi " * 2000,
    ]
    posted = [control(sim, "post", {"to": ["pemkotmagelang"], "text": t}) for t in texts]
    report = world.poll()
    assert by_account(report, "pemkotmagelang")["outcome"] == "ok"
    messages = {m.attributes["source_id"]: json.loads(m.data) for m in drain(world.cloud.tap)}
    assert set(messages) == {p["id"] for p in posted}
    by_id = {p["id"]: messages[p["id"]]["text"] for p in posted}
    assert by_id[posted[0]["id"]].endswith("rusak \ufffd")
    assert by_id[posted[1]["id"]] == texts[1] and by_id[posted[2]["id"]] == texts[2]


def test_a_checkpoint_older_than_the_search_window_is_clamped_and_reported(cloud, sim):
    """Polling stopped for 8 days: recent search would reject the old since_id (400) every cycle."""
    world = World(cloud, sim)
    eight_days_ago = int((time.time() - 8 * 86400) * 1000)
    for uid, name in ACCOUNTS:
        world.checkpoints.save(uid, name, Checkpoint(since_id=snowflake_at(eight_days_ago)))
    ids = generate(sim, 30, ["pemkotmagelang", "pemkotsmg"])
    report = world.poll("search")
    assert report["errors"] == 0 and ids <= set(world.published_ids())
    gaps = [a["gap"] for a in report["accounts"] if a["gap"]]
    assert len(gaps) == len(ACCOUNTS) and "7-day window" in gaps[0]["note"]


def test_a_request_x_rejects_stops_that_sweep_not_the_cycle(cloud, sim):
    world = World(cloud, sim)
    world.x = XApi("test-token", sim, page_size=500)  # max_results must be 5..100: X answers 400
    report = world.poll()
    magelang = by_account(report, "pemkotmagelang")
    assert (
        magelang["outcome"] == "rejected"
        and "X rejected the request for @pemkotmagelang" in magelang["errors"][0]
    )
    assert len(report["accounts"]) == len(ACCOUNTS)
