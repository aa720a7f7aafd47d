"""Follow-ups: a citizen's reply in a report's thread is attached to the report (once), and after
"selesai" one that says it is not fixed reopens it — the rules, then on the local cloud."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
import requests

from aduan import names
from aduan.adapters.firestore_status import FirestoreStatus
from aduan.followups import CONFIRMED, NOT_FIXED, follow_up_changes, parent_report, verdict
from aduan.mention import Author, Mention, from_x_post
from infra.localcloud import LocalCloud
from infra.replies_loop import ReplyLoop, wait_for

NOW = datetime(2026, 12, 1, 2, 3, 4, tzinfo=UTC)


# --- the rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@pemkotmagelang belum diperbaiki pak", NOT_FIXED),
        ("masih rusak", NOT_FIXED),
        ("sama saja kayak kemarin", NOT_FIXED),
        ("durung didandani", NOT_FIXED),
        ("isih bocor lur", NOT_FIXED),
        ("makasih, tapi masih berlubang", NOT_FIXED),
        ("sudah beres, makasih", CONFIRMED),
        ("matur nuwun, sampun rampung", CONFIRMED),
        ("kapan diperbaiki?", None),
    ],
)
def test_follow_up_verdicts(text, expected):
    assert verdict(text) == expected


def mention(
    source_id: str, text: str, author_id: str = "777", conversation: str = "100", replied=None
) -> Mention:
    return Mention(
        "x",
        source_id,
        f"https://x.com/w/status/{source_id}",
        text,
        "in",
        "2026-12-01T01:00:00.000Z",
        Author(author_id, "w", "W"),
        ("pemkotmagelang",),
        conversation,
        None,
        tuple({"type": "replied_to", "id": r} for r in ([replied] if replied else [])),
        None,
        "2026-12-01T01:05:00Z",
    )


def test_thread_rules_own_thread_or_a_reply_to_aduans_reply():
    report = {
        "id": "x-100",
        "source": "x",
        "conversation_id": "100",
        "author": {"id": "777"},
        "reply_post_ids": ["200"],
        "received_at": NOW,
    }
    assert parent_report(mention("101", "belum"), [report]) is report  # the citizen, in their thread
    assert parent_report(mention("102", "sama", author_id="999"), [report]) is None  # a stranger
    assert parent_report(mention("103", "sama", author_id="999", replied="200"), [report]) is report
    assert parent_report(mention("100", "the report itself"), [report]) is None


def test_a_follow_up_reopens_a_resolved_report_once():
    report = {"status": "selesai", "open": False, "history": [], "follow_ups": 0}
    changes = follow_up_changes(
        report, mention("101", "belum pak, masih rusak"), "belum pak, masih rusak", NOW
    )
    assert changes["status"] == "diproses" and changes["open"] and changes["reopened_at"] == NOW
    assert changes["history"][-1]["kind"] == "follow_up" and changes["history"][-1]["by"] == "warga"
    assert follow_up_changes({**report, **changes}, mention("101", "belum"), "belum", NOW) is None
    thanks = follow_up_changes(report, mention("104", "sudah beres, makasih"), "sudah beres, makasih", NOW)
    assert "reopened_at" not in thanks and thanks["history"][-1]["verdict"] == CONFIRMED


# --- on the local cloud ------------------------------------------------------------------------


@pytest.fixture
def loop(local: LocalCloud):
    loop = ReplyLoop(local)
    try:
        yield loop
    finally:
        loop.stop()


def push_mention(loop: ReplyLoop, post: dict, message_id: str) -> requests.Response:
    """The mention classify_mention gets for ``post``, pushed by hand (a Pub/Sub redelivery)."""
    world = loop.sim.state
    users = [{"id": u.id, "username": u.username, "name": u.name} for u in world.users.values()]
    polled = {a.username.lower() for a in loop.accounts}
    data, attributes = from_x_post(post, {"users": users}, polled, "2026-12-01T01:05:00Z").to_message()
    body = {
        "message": {
            "data": base64.b64encode(data).decode(),
            "attributes": attributes,
            "messageId": message_id,
        },
        "subscription": f"projects/{loop.cloud.project}/subscriptions/{names.CLASSIFY_SUBSCRIPTION}",
    }
    url = f"http://127.0.0.1:{loop.cloud.ports.classify}/projects/{loop.cloud.project}/topics/mentions"
    return requests.post(url, json=body, timeout=60)


def filed_and_acknowledged(loop: ReplyLoop, text: str, author: dict) -> tuple[dict, dict, str]:
    post = loop.sim.post(["pemkotmagelang"], text, author=author)
    loop.poll()
    report_id = f"x-{post['id']}"
    wait_for(lambda: (loop.ledger(report_id, "acknowledged") or {}).get("state") == "sent", what="the ack")
    (ack,) = loop.posts_in_reply_to(post["id"])
    return post, ack, report_id


def test_follow_ups_attach_once_reopen_only_when_resolved_and_strangers_file_their_own(loop) -> None:
    citizen = {"username": "warga_ikhlas", "name": "Warga", "user_id": "2200000000000000009"}
    post, ack, report_id = filed_and_acknowledged(
        loop, "got mampet di Jl. Ikhlas Magelang, air meluber ke jalan", citizen
    )
    # While open: attached, not reopened; delivered three times, counted once.
    early = loop.sim.posting.reply(citizen, ack["id"], "masih mampet pak, tolong segera")
    responses = [push_mention(loop, early, "f-1") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    report = loop.report(report_id)
    assert report["follow_ups"] == 1 and report["status"] == "diteruskan" and report["reopened_at"] is None
    assert [h["source_id"] for h in report["history"] if h.get("kind") == "follow_up"] == [early["id"]]
    assert loop.log("classify").count('"outcome": "follow_up_duplicate"') == 2

    # Resolved, then the citizen confirms: recorded, still resolved.
    store = FirestoreStatus(loop.db)
    before, update_time = store.report(report_id)
    store.change(before, update_time, {"status": "selesai", "open": False})
    thanks = loop.sim.posting.reply(citizen, ack["id"], "sudah beres, makasih pak")
    assert push_mention(loop, thanks, "f-2").status_code == 200
    report = loop.report(report_id)
    assert report["status"] == "selesai" and report["follow_ups"] == 2
    assert report["history"][-1]["verdict"] == CONFIRMED

    # A stranger replying to the citizen's post is someone else's report, not a follow-up.
    stranger = loop.sim.posting.reply(
        {"username": "tetangga_x", "name": "Tetangga"}, post["id"], "di gang sebelah got juga mampet parah"
    )
    assert push_mention(loop, stranger, "f-3").status_code == 200
    assert loop.report(f"x-{stranger['id']}") is not None
    assert loop.report(report_id)["follow_ups"] == 2

    # Aduan's own reply, should it come back (it mentioned another account): never filed.
    ours = loop.sim.state.posts[int(ack["id"])].as_json()
    assert push_mention(loop, ours, "f-4").status_code == 200
    assert loop.report(f"x-{ack['id']}") is None and '"outcome": "own_post"' in loop.log("classify")
