"""classify_mention behind a real push subscription: every post filed exactly once, poison dead-lettered.

The function runs as a real functions-framework process; Pub/Sub (emulator)
pushes to it with production's retry and dead-letter policy (back-off shortened).
"""

from __future__ import annotations

import base64
import json
import os
import signal
import threading
import time
from datetime import UTC, datetime

import pytest
import requests
from google.cloud import firestore, pubsub_v1

from aduan import names
from aduan.mention import Author, Mention
from infra.localcloud import LocalCloud
from infra.wiring import drain, wire_pubsub

pytestmark = pytest.mark.emulators


def mention(post_id: str, text: str, to: str = "pemkotmagelang", **extra) -> Mention:
    return Mention(
        source="x",
        source_id=post_id,
        url=f"https://x.com/warga/status/{post_id}",
        text=text,
        lang="in",
        created_at="2026-11-30T01:02:03.000Z",
        author=Author("99", "warga_mgl", "Warga"),
        to_accounts=(to,),
        conversation_id=post_id,
        in_reply_to_user_id=None,
        referenced=(),
        place=None,
        fetched_at="2026-11-30T01:05:00Z",
        **extra,
    )


def wait_for(check, timeout_s: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


TEST_BACKOFF_S = (1, 2)


class Pipeline:
    """A project with the mentions topic, push subscription, dead-letter topic and the function."""

    def __init__(self, cloud: LocalCloud, extra_env: dict[str, str] | None = None) -> None:
        self.cloud = cloud
        # Retries 1-2 s apart (the demo and bench keep 1-8 s): the 5 attempts are still counted.
        wire_pubsub(cloud, backoff=TEST_BACKOFF_S)
        self.function = cloud.start_function("classify_mention", cloud.ports.classify, extra_env)
        self.publisher = pubsub_v1.PublisherClient()
        self.topic = self.publisher.topic_path(cloud.project, names.MENTIONS_TOPIC)
        self.db = firestore.Client(project=cloud.project)
        self.endpoint = f"http://127.0.0.1:{cloud.ports.classify}/"

    def publish(self, data: bytes, attributes: dict[str, str] | None = None) -> str:
        return self.publisher.publish(self.topic, data, **(attributes or {})).result(timeout=30)

    def publish_mention(self, m: Mention) -> str:
        data, attributes = m.to_message()
        return self.publish(data, attributes)

    def push_directly(self, m: Mention, message_id: str = "m-1") -> requests.Response:
        """The body Pub/Sub pushes, sent by hand: a redelivery of the very same message."""
        data, attributes = m.to_message()
        body = {
            "message": {
                "data": base64.b64encode(data).decode(),
                "attributes": attributes,
                "messageId": message_id,
                "publishTime": "2026-11-30T01:05:01Z",
            },
            "subscription": f"projects/{self.cloud.project}/subscriptions/{names.CLASSIFY_SUBSCRIPTION}",
        }
        return requests.post(
            self.endpoint + f"projects/{self.cloud.project}/topics/mentions", json=body, timeout=30
        )

    def reports(self) -> list[dict]:
        return [s.to_dict() for s in self.db.collection(names.REPORTS).stream()]

    def stats_total(self) -> int:
        total = 0
        for snap in self.db.collection(names.STATS).stream():
            for day in (snap.to_dict().get("days") or {}).values():
                total += sum((day.get("n") or {}).values())
        return total

    def log(self) -> str:
        return self.function.log.read_text(errors="replace")


@pytest.fixture
def pipeline(local: LocalCloud) -> Pipeline:
    return Pipeline(local)


def test_push_delivery_files_a_routed_report_with_ticket_and_due_dates(pipeline):
    pipeline.publish_mention(
        mention(
            "1001",
            "@pemkotmagelang jalan di Jl. Tidar Magelang berlubang parah, sudah 2 minggu. hub 0812-3456-7890",
        )
    )
    report = wait_for(lambda: pipeline.reports(), what="the report")[0]
    assert report["id"] == "x-1001" and len(report["ticket"]) == 8
    assert report["is_report"] and report["category"] == "jalan"
    assert report["agency_id"] == "kota-magelang-dpupr" and report["status"] == "diteruskan"
    assert [h["status"] for h in report["history"]] == ["baru", "diteruskan"]
    assert report["due_response_at"] < report["due_at"]
    assert "0812" not in report["public_text"] and "0812" in report["text"]
    assert report["open"] and report["public"]
    assert pipeline.stats_total() == 1


def test_each_post_costs_two_writes_and_a_duplicate_none(pipeline):
    m = mention("1101", "@pemkotmagelang got mampet di Jl. Ikhlas Magelang, air meluber ke jalan")
    pipeline.publish_mention(m)
    pipeline.publish_mention(m)
    wait_for(lambda: pipeline.log().count('"outcome": "duplicate"') >= 1, what="the duplicate")
    writes = [json.loads(line)["writes"] for line in pipeline.log().splitlines() if '"writes":' in line]
    assert sorted(writes) == [0, 2]  # the report and its stats shard; the duplicate wrote nothing


def test_same_message_delivered_three_times_is_one_report_counted_once(pipeline):
    m = mention("2001", "@pemkotmagelang sampah numpuk di pinggir kali dekat pasar Rejowinangun")
    responses = [pipeline.push_directly(m) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    pipeline.publish_mention(m)  # the same post fetched again
    pipeline.publish_mention(m)
    wait_for(lambda: pipeline.log().count('"outcome": "duplicate"') >= 4, what="the duplicates")
    assert len(pipeline.reports()) == 1
    assert pipeline.stats_total() == 1


def test_concurrent_deliveries_file_one_report(pipeline):
    posts = [mention(f"30{i:02d}", f"@pemkotmagelang lampu PJU mati di gang {i} Magelang") for i in range(5)]
    results: list[int] = []

    def deliver(m: Mention) -> None:
        results.append(pipeline.push_directly(m, message_id=f"c-{m.source_id}").status_code)

    threads = [threading.Thread(target=deliver, args=(m,)) for m in posts for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results.count(200) == 15
    assert sorted(r["id"] for r in pipeline.reports()) == sorted(m.report_id for m in posts)
    assert pipeline.stats_total() == 5


POISON = {
    "not JSON": b"{this is not json",
    "invalid UTF-8": b'{"schema": "aduan.mention/1", "text": "\xff\xfe"}',
    "missing field": json.dumps({"schema": "aduan.mention/1", "source": "x", "source_id": "1"}).encode(),
    "wrong type": json.dumps({**json.loads(mention("7001", "x").to_message()[0]), "text": 42}).encode(),
    "unknown schema": json.dumps(
        {**json.loads(mention("7002", "x").to_message()[0]), "schema": "aduan.mention/9"}
    ).encode(),
    "1 MB text": mention("7003", "jalan rusak " * 95_000).to_message()[0],
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
}


REASONS = {
    "not JSON": "data is not JSON",
    "invalid UTF-8": "not valid UTF-8",
    "missing field": "missing field",
    "wrong type": "field 'text' must be str",
    "unknown schema": "unknown schema",
    "1 MB text": "exceeds",
    "nested 100,000 deep": "nests deeper",
}


@pytest.mark.parametrize("kind", list(POISON))
def test_poison_goes_to_dead_letter_after_five_attempts_while_good_messages_flow(pipeline, kind):
    good = []
    for n in range(2):
        m = mention(f"80{n:02d}", f"@pemkotmagelang air PDAM mati sejak kemarin di Magelang Tengah rumah {n}")
        pipeline.publish_mention(m)
        good.append(m.report_id)
        if n == 0:
            pipeline.publish(POISON[kind], {"source": "x", "source_id": "poison", "schema": "?"})
    dead_sub = pubsub_v1.SubscriberClient.subscription_path(
        pipeline.cloud.project, names.DEAD_LETTER_SUBSCRIPTION
    )
    dead = wait_for(
        lambda: drain(dead_sub, idle_s=0.5, timeout_s=5),
        timeout_s=90,
        what="the poison message on the dead-letter topic",
    )
    assert [m.attributes["source_id"] for m in dead] == ["poison"]
    assert dead[0].attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
    assert sorted(r["id"] for r in pipeline.reports()) == sorted(good)
    log = pipeline.log()
    assert log.count(REASONS[kind]) >= 5  # logged on every attempt
    poison_lines = [json.loads(line) for line in log.splitlines() if '"poison": true' in line]
    assert poison_lines and all(line["severity"] == "ERROR" and line["reason"] for line in poison_lines)


def test_firestore_outage_then_recovery_loses_and_doubles_nothing(local, emulators):
    """Pause the Firestore emulator (SIGSTOP) while posts arrive; resume; Pub/Sub redelivers."""
    pipeline = Pipeline(local)
    before = [
        mention(f"90{i:02d}", f"@pemkotsmg banjir di Kelurahan Tlogosari Kulon {i}", "pemkotsmg")
        for i in range(3)
    ]
    for m in before:
        pipeline.publish_mention(m)
    wait_for(lambda: len(pipeline.reports()) == 3, what="the first reports")
    firestore_group = emulators.services["firestore"].proc.pid
    during = [
        mention(f"91{i:02d}", f"@pemkotsmg jalan ambles di Banyumanik nomor {i}", "pemkotsmg")
        for i in range(4)
    ]
    os.killpg(firestore_group, signal.SIGSTOP)
    try:
        for m in during:
            pipeline.publish_mention(m)
        time.sleep(8)
    finally:
        os.killpg(firestore_group, signal.SIGCONT)
    wanted = sorted(m.report_id for m in before + during)
    wait_for(
        lambda: sorted(r["id"] for r in pipeline.reports()) == wanted,
        timeout_s=150,
        what="every report after the outage",
    )
    time.sleep(3)  # let late redeliveries land: they must not double anything
    assert sorted(r["id"] for r in pipeline.reports()) == wanted
    assert pipeline.stats_total() == len(wanted)


def test_non_reports_are_kept_for_audit_but_never_public(pipeline):
    pipeline.publish_mention(mention("6001", "@pemkotmagelang selamat pagi pak wali, semangat terus! 🙏"))
    report = wait_for(lambda: pipeline.reports(), what="the non-report")[0]
    assert not report["is_report"] and report["status"] == "bukan_laporan"
    assert not report["public"] and not report["open"] and report["due_at"] is None
    assert pipeline.stats_total() == 1  # counted, as a non-report


def test_reports_cluster_when_similar_and_not_when_different(pipeline):
    similar = [
        "@pemkotmagelang jalan Tidar depan SMA 1 Magelang berlubang besar, bahaya buat motor",
        "@pemkotmagelang lubang besar di jalan Tidar Magelang depan SMA 1, motor sering jatuh",
        "@pemkotmagelang tolong jalan Tidar Magelang lubangnya besar sekali depan SMA 1",
    ]
    different = "@pemkotmagelang trotoar di Jl. Pemuda Magelang rusak, paving hilang semua"
    for n, text in enumerate([*similar, different]):
        pipeline.publish_mention(mention(f"50{n:02d}", text))
        wait_for(lambda n=n: len(pipeline.reports()) == n + 1, what=f"report {n}")
    reports = {r["id"]: r for r in pipeline.reports()}
    clusters = {reports[f"x-50{n:02d}"]["cluster_id"] for n in range(3)}
    assert clusters == {"x-5000"}
    assert reports["x-5003"]["cluster_id"] == "x-5003"
    size = (
        pipeline.db.collection(names.REPORTS)
        .where(filter=firestore.FieldFilter("cluster_id", "==", "x-5000"))
        .count()
        .get()[0][0]
        .value
    )
    assert size == 3  # "3 warga melaporkan hal yang sama"


def test_received_time_is_when_filed(pipeline):
    start = datetime.now(UTC)
    pipeline.publish_mention(mention("4001", "@pemkotmagelang KTP saya sudah 3 bulan belum jadi"))
    report = wait_for(lambda: pipeline.reports(), what="the report")[0]
    assert report["received_at"] >= start and report["category"] == "kependudukan"
    assert report["agency_id"] == "kota-magelang-disdukcapil"  # the account's city, its Dukcapil office


# -- Issue #11, item 17: faithful redelivery when many deliveries fail at once -------------------


def dead_letters(pipeline: Pipeline, expected: int, timeout_s: float = 120) -> list:
    """Every message on the dead-letter hold subscription, waiting (bounded) for ``expected``."""
    sub = pubsub_v1.SubscriberClient.subscription_path(pipeline.cloud.project, names.DEAD_LETTER_SUBSCRIPTION)
    found: list = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and len(found) < expected:
        found += drain(sub, idle_s=0.5, timeout_s=5)
    time.sleep(2)  # anything beyond ``expected`` would be a good post dead-lettered
    return found + drain(sub, idle_s=0.5, timeout_s=5)


def filed_once(pipeline: Pipeline, wanted: list[str], timeout_s: float = 180) -> None:
    """Every wanted report filed, nothing else, each counted once in the stats."""
    wait_for(
        lambda: len(pipeline.reports()) >= len(wanted), timeout_s=timeout_s, what=f"{len(wanted)} reports"
    )
    time.sleep(3)  # late redeliveries land: they must not double anything
    assert sorted(r["id"] for r in pipeline.reports()) == sorted(wanted)
    assert pipeline.stats_total() == len(wanted)


def poison_batch(n: int) -> list[bytes]:
    kinds = list(POISON.values())
    return [kinds[i % len(kinds)] for i in range(n)]


def test_many_poison_messages_at_once_are_all_dead_lettered_while_good_posts_flow(pipeline):
    """With the emulator's own push and a retry policy, 0 of 24 reached the dead-letter topic."""
    good = [
        mention(f"12{n:03d}", f"@pemkotmagelang saluran air mampet di gang {n} Magelang") for n in range(50)
    ]
    for n, data in enumerate(poison_batch(24)):
        pipeline.publish(data, {"source": "x", "source_id": f"poison-{n}", "schema": "?"})
    for m in good:
        pipeline.publish_mention(m)
    dead = dead_letters(pipeline, 24)
    assert sorted(m.attributes["source_id"] for m in dead) == sorted(f"poison-{n}" for n in range(24))
    assert {m.attributes["CloudPubSubDeadLetterSourceDeliveryCount"] for m in dead} == {"5"}
    filed_once(pipeline, [m.report_id for m in good])


def test_function_killed_mid_batch_and_restarted_files_every_post_once(pipeline):
    """SIGKILL classify_mention while 300 posts are in flight, start it again: none lost, none doubled
    (with the emulator's own push, 100 of 300 were never filed)."""
    posts = [
        mention(f"13{n:03d}", f"@pemkotsmg sampah menumpuk di RT {n} Tlogosari", "pemkotsmg")
        for n in range(300)
    ]
    poison = poison_batch(6)
    for n, data in enumerate(poison):
        pipeline.publish(data, {"source": "x", "source_id": f"poison-{n}", "schema": "?"})
    futures = [
        pipeline.publisher.publish(pipeline.topic, *m.to_message()[:1], **m.to_message()[1]) for m in posts
    ]
    for f in futures:
        f.result(timeout=60)
    wait_for(lambda: len(pipeline.reports()) >= 20, timeout_s=120, what="the batch under way")
    os.killpg(pipeline.function.proc.pid, signal.SIGKILL)
    pipeline.function.stop()
    in_flight = len(pipeline.reports())
    assert in_flight < len(posts), "the batch finished before the kill: nothing was tested"
    time.sleep(1)
    pipeline.function = pipeline.cloud.start_function(
        "classify_mention", pipeline.cloud.ports.classify, append_log=True
    )
    filed_once(pipeline, [m.report_id for m in posts], timeout_s=240)
    dead = dead_letters(pipeline, len(poison))
    assert sorted(m.attributes["source_id"] for m in dead) == sorted(
        f"poison-{n}" for n in range(len(poison))
    )


def test_firestore_emulator_really_restarted_mid_stream(local, emulators):
    """Kill the Firestore emulator (its data is gone: it keeps it in memory), publish while it is down
    and after it is back: every post delivered from the restart on is filed once, every poison message
    dead-lettered. The posts filed before the restart are gone with the emulator's memory, which
    shows the restart was real (production's Firestore keeps its data; only delivery is tested here)."""
    pipeline = Pipeline(local)
    before = [
        mention(f"14{n:03d}", f"@pemkotsmg jalan berlubang di Banyumanik {n}", "pemkotsmg") for n in range(10)
    ]
    for m in before:
        pipeline.publish_mention(m)
    wait_for(lambda: len(pipeline.reports()) == len(before), what="the reports before the restart")
    firestore_group = emulators.services["firestore"].proc.pid
    during = [
        mention(f"15{n:03d}", f"@pemkotsmg banjir di Tlogosari Kulon {n}", "pemkotsmg") for n in range(15)
    ]
    after = [
        mention(f"16{n:03d}", f"@pemkotsmg lampu jalan mati di Pedurungan {n}", "pemkotsmg")
        for n in range(15)
    ]
    poison = poison_batch(7)
    emulators.stop_firestore()
    try:
        assert not emulators_alive(firestore_group)
        for m in during:
            pipeline.publish_mention(m)
        for n, data in enumerate(poison):
            pipeline.publish(data, {"source": "x", "source_id": f"poison-{n}", "schema": "?"})
        time.sleep(3)  # deliveries fail while Firestore is down
    finally:
        emulators.start_firestore()  # the session's other tests need it, whatever happened here
    for m in after:
        pipeline.publish_mention(m)
    filed_once(pipeline, [m.report_id for m in during + after], timeout_s=240)
    dead = dead_letters(pipeline, len(poison))
    assert sorted(m.attributes["source_id"] for m in dead) == sorted(
        f"poison-{n}" for n in range(len(poison))
    )


def emulators_alive(pgid: int) -> bool:
    from infra.localcloud import group_members

    return bool(group_members(pgid))
