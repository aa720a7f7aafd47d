"""The X stand-in's fault scenarios, end to end: real tweepy through ``XApi``, the simulator on a
shared manual clock (minutes pass without waiting), the Pub/Sub and Firestore emulators.

Each scenario ends with every post X still shows published, and every gap reported once with
its exact id range. Each would fail on the poller before the look-back, the chained gap check,
per-app rate limits, checked answers and covering ranges (issue 11, items 1–6).
"""

from __future__ import annotations

from collections import Counter

import pytest
import requests

from aduan.ingest import Checkpoint
from infra.wiring import tap, wire_pubsub
from tests.ingest_helpers import (
    ACCOUNTS,
    MAGELANG,
    SEMARANG,
    ManualClock,
    World,
    by_account,
    control,
    generate,
    originals,
    shown,
    start_sim,
    stats,
    stop_sim,
)

pytestmark = pytest.mark.emulators
FIVE_MINUTES = 300


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock):
    _, base = start_sim(clock)
    try:
        yield base
    finally:
        stop_sim(base)


@pytest.fixture
def world(local, sim, clock) -> World:
    wire_pubsub(local, push=False)
    local.tap = tap(local, "standin-tap")
    return World(local, sim, clock)


def nothing_lost(world: World, published: Counter, usernames=("pemkotmagelang", "pemkotsmg", "humasjateng")):
    for name in usernames:
        missing = shown(world.base, name) - set(published)
        assert not missing, f"{len(missing)} posts X shows for @{name} were never published"


@pytest.mark.parametrize("mode", ["mentions", "search"])
def test_posts_indexed_20_s_and_5_min_late_are_published_once(world, sim, clock, mode):
    """Item 1: each late post is created, X shows a newer one first, the poller checkpoints that newer
    one, and only then does X show the late post. The old 12-s overlap lost both."""
    published: Counter = Counter()
    generate(sim, 20, ["pemkotmagelang", "pemkotsmg"])
    world.poll(mode)
    published.update(world.published_ids())
    late_ids = []
    for lag in (20, FIVE_MINUTES):
        text = f"@pemkotmagelang sampah menumpuk di pasar, terindeks {lag} detik terlambat"
        late = control(sim, "post", {"to": ["pemkotmagelang"], "text": text, "index_lag_s": lag})
        clock.advance(lag - 1)
        on_time = control(
            sim, "post", {"to": ["pemkotmagelang"], "text": f"@pemkotmagelang lampu mati {lag}"}
        )
        clock.advance(0.5)
        report = world.poll(mode)  # sees on_time, not yet the late post
        published.update(world.published_ids())
        assert late["id"] not in published and on_time["id"] in published
        assert int(by_account(report, "pemkotmagelang")["checkpoint_after"]) > int(late["id"])
        clock.advance(FIVE_MINUTES)
        world.poll(mode)  # the next 5-minute cycle: now X shows it, below the checkpoint
        published.update(world.published_ids())
        late_ids.append(late["id"])
    assert all(published[i] == 1 for i in late_ids)
    assert max(published.values()) == 1  # the look-back re-read never publishes a post twice
    nothing_lost(world, published)


@pytest.mark.parametrize("mode", ["mentions", "search"])
def test_a_429_in_the_middle_of_a_burst_reports_the_lost_range_once(world, sim, clock, mode):
    """Item 2: 1,000 mentions in a minute; a 429 after three pages. The mentions timeline shows the
    800 newest: the chain of sweeps (3 pages, skipped cycles, 5 pages) reports the 200 lost posts
    once, exactly. Recent search shows all 1,000: no gap, and every one published."""
    published: Counter = Counter()
    generate(sim, 5, ["pemkotmagelang"])
    checkpoint = by_account(world.poll(mode), "pemkotmagelang")["checkpoint_after"]
    published.update(world.published_ids())
    clock.advance(60)
    burst = sorted(map(int, control(sim, "burst", {"account": "pemkotmagelang", "count": 1000})["ids"]))
    fault = {"kind": "429", "at_request": 4, "endpoint": mode, "account": MAGELANG, "reset_in_s": 900}
    control(sim, "faults", [fault])
    gaps = []
    for _ in range(5):
        report = world.poll(mode, max_requests=200)
        published.update(world.published_ids())
        gaps += [a["gap"] for a in report["accounts"] if a["gap"]]
        clock.advance(FIVE_MINUTES)
    assert stats(sim)["by_status"].get("429") == 1
    nothing_lost(world, published)
    if mode == "search":
        assert gaps == [] and set(map(str, originals(sim, list(map(str, burst))))) <= set(published)
        return
    assert gaps == [gaps[0]] and gaps[0]["after_id"] == checkpoint
    assert gaps[0]["before_id"] == str(burst[200])  # the oldest post X still shows
    assert all(str(i) not in published for i in burst[:200])  # nor was anything invented


def test_an_account_x_does_not_know_is_reported_every_cycle_and_the_others_go_on(world, sim):
    """Item 3: a 200 carrying errors[] resource-not-found for the polled id is no empty timeline."""
    unknown = ("1999999999999999999", "akun_hilang")
    generate(sim, 10, ["pemkotsmg"])
    published: Counter = Counter()
    for _ in range(2):
        world.logged.clear()
        report = world.poll(accounts=[*ACCOUNTS, unknown])
        lost = by_account(report, "akun_hilang")
        assert lost["outcome"] == "unknown_account" and report["errors"] >= 1
        assert "X does not know @akun_hilang" in lost["errors"][0]
        assert "resource-not-found" in lost["errors"][0]
        assert any(sev == "ERROR" and "akun_hilang" in msg for sev, msg, _ in world.logged)
        assert by_account(report, "pemkotsmg")["outcome"] == "ok"
        published.update(world.published_ids())
    nothing_lost(world, published)


def test_a_malformed_page_stops_only_that_account_and_is_read_next_cycle(world, sim):
    """Item 4: a 200 with ``meta.newest_id`` that is no id, and a 200 that is not JSON at all."""
    published: Counter = Counter()
    generate(sim, 250, ["pemkotmagelang"])
    generate(sim, 20, ["pemkotsmg", "humasjateng"])
    control(
        sim,
        "faults",
        [
            {"kind": "malformed", "at_request": 2, "endpoint": "mentions", "account": MAGELANG},
            {"kind": "garbage", "at_request": 1, "endpoint": "mentions", "account": SEMARANG},
        ],
    )
    report = world.poll()  # returns its report: no exception escapes
    published.update(world.published_ids())
    magelang, semarang = by_account(report, "pemkotmagelang"), by_account(report, "pemkotsmg")
    assert magelang["outcome"] == semarang["outcome"] == "unexpected_answer"
    assert "meta.newest_id is not an X id" in magelang["errors"][0]
    assert "not JSON" in semarang["errors"][0]
    assert (
        magelang["pages"] == 1 and magelang["published"] == magelang["fetched"] - magelang["retweets_skipped"]
    )
    assert by_account(report, "humasjateng")["outcome"] == "ok"
    assert world.checkpoints.load([MAGELANG])[MAGELANG].backfill_until_id is not None
    world.poll()
    published.update(world.published_ids())
    nothing_lost(world, published)


def test_a_shared_search_never_moves_a_checkpoint_past_a_range_not_read_for_it(world, sim):
    """Item 5: one query, accounts at different points (after regrouping queries): Magelang waits on a
    backfill of old posts, Semarang needs everything after its own checkpoint."""
    mag = sorted(map(int, generate(sim, 60, ["pemkotmagelang"])))
    smg = sorted(map(int, generate(sim, 60, ["pemkotsmg"])))
    newest = max(mag[-1], smg[-1])
    humas = next(uid for uid, name in ACCOUNTS if name == "humasjateng")
    world.checkpoints.save(
        MAGELANG,
        "pemkotmagelang",
        Checkpoint(since_id=mag[0] - 1, backfill_until_id=mag[30], backfill_newest_id=newest),
    )
    world.checkpoints.save(SEMARANG, "pemkotsmg", Checkpoint(since_id=smg[10]))
    world.checkpoints.save(humas, "humasjateng", Checkpoint(since_id=newest))
    report = world.poll("search")
    assert report["requests"] < 5 and report["errors"] == 0
    published = set(world.published_ids())
    assert {str(i) for i in smg[11:]} <= published  # Semarang's own unread range
    assert {str(i) for i in mag[:30]} <= published  # Magelang's backfill
    stored = world.checkpoints.load([MAGELANG, SEMARANG, humas])
    assert all(cp.since_id >= newest and cp.backfill_until_id is None for cp in stored.values())


def test_after_a_429_every_account_on_that_endpoint_waits_for_the_reset(world, sim, clock):
    """Item 6: X counts mentions requests per app. The window runs out on the third account; the
    next cycle spends no request at all on mentions, and after the reset every account is served."""
    published: Counter = Counter()
    generate(sim, 10, ["pemkotmagelang", "pemkotsmg", "humasjateng"])
    control(sim, "limits", {"mentions": len(ACCOUNTS) - 1})
    first = world.poll()
    published.update(world.published_ids())
    limited = [a for a in first["accounts"] if a["outcome"] == "rate_limited"]
    assert len(limited) == 1
    generate(sim, 10, ["pemkotmagelang", "pemkotsmg", "humasjateng"])
    clock.advance(FIVE_MINUTES)
    before = stats(sim)["by_endpoint"].get("mentions", 0)
    second = world.poll()
    assert stats(sim)["by_endpoint"].get("mentions", 0) == before  # not one request: all wait
    assert {a["outcome"] for a in second["accounts"]} == {"rate_limited"}
    reset = first["rate_limited_until"]["mentions"]
    assert (
        {a["rate_limited_until"] for a in second["accounts"]} == {reset} == {limited[0]["rate_limited_until"]}
    )
    clock.advance(3 * FIVE_MINUTES)
    control(sim, "limits", {"mentions": 450})  # the new window (a real app's size) leaves room for all
    third = world.poll()
    published.update(world.published_ids())
    assert {a["outcome"] for a in third["accounts"]} == {"ok"}
    nothing_lost(world, published)


def test_fetch_mentions_answers_its_run_report_through_a_malformed_page(local):
    """Item 4 at the entry point: the deployed function, in its own functions-framework process,
    answers 200 with the run report (it answered HTTP 500 with none), and saves the checkpoints of
    the accounts X answered properly."""
    wire_pubsub(local, push=False)
    _, base = start_sim()
    try:
        generate(base, 30, ["pemkotmagelang", "pemkotsmg"])
        control(
            base,
            "faults",
            [{"kind": "malformed", "at_request": 1, "endpoint": "mentions", "account": MAGELANG}],
        )
        local.start_function(
            "fetch_mentions", local.ports.fetch, {"X_API_BASE_URL": base, "ADUAN_FETCH_MODE": "mentions"}
        )
        resp = requests.post(f"http://127.0.0.1:{local.ports.fetch}/", timeout=120)
        assert resp.status_code == 200
        report = resp.json()
        assert by_account(report, "pemkotmagelang")["outcome"] == "unexpected_answer"
        assert by_account(report, "pemkotsmg")["outcome"] == "ok"
        stored = World(local, base).checkpoints.load([SEMARANG, MAGELANG])
        assert stored[SEMARANG].since_id is not None and stored[MAGELANG].since_id is None
    finally:
        stop_sim(base)
