"""Hostile ``mentions`` messages are poison with a reason, never a crash with only a traceback.

Issue #11, item 16: ``json.loads`` raises RecursionError on deep nesting and ValueError on a
5,000-digit number; an offset can push a time out of range (OverflowError later, at filing).
Every way hostile bytes can raise while parsing or filing ends in PoisonMessage, which
``classify_mention`` logs with its reason before Pub/Sub dead-letters the message.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from google.cloud.firestore_v1 import _helpers

from aduan.adapters.config_files import load_config
from aduan.classifier import load_classifier
from aduan.filing import plan_filing
from aduan.mention import PoisonMessage, parse_message

ROOT = Path(__file__).resolve().parent.parent
BASE = {
    "schema": "aduan.mention/1",
    "source": "x",
    "source_id": "1862612345678901234",
    "url": "https://x.com/warga/status/1862612345678901234",
    "text": "@pemkotmagelang jalan di Jl. Tidar berlubang",
    "lang": "in",
    "created_at": "2026-11-30T01:02:03.000Z",
    "author": {"id": "99", "username": "warga", "name": "Warga"},
    "to_accounts": ["pemkotmagelang"],
    "conversation_id": "1862612345678901234",
    "in_reply_to_user_id": None,
    "referenced": [],
    "place": None,
    "fetched_at": "2026-11-30T01:05:00Z",
}


def with_field(name: str, raw: bytes) -> bytes:
    """BASE plus one field whose JSON text is ``raw`` (bytes json.dumps could not produce)."""
    return json.dumps(BASE).encode()[:-1] + b', "' + name.encode() + b'": ' + raw + b"}"


def changed(**fields) -> bytes:
    return json.dumps({**BASE, **fields}).encode()


HOSTILE = {
    "nested 100,000 deep": (b"[" * 100_000 + b"]" * 100_000, "nests deeper"),
    "a field nested 50,000 deep": (with_field("x", b"[" * 50_000 + b"]" * 50_000), "nests deeper"),
    "a field nested 500 deep": (with_field("x", b"[" * 500 + b"]" * 500), "nests deeper"),
    "a place nested 30 deep": (changed(place=json.loads('{"a":' * 30 + "1" + "}" * 30)), "nests deeper"),
    "a 5,000-digit number": (with_field("n", b"9" * 5000), "5000-digit number"),
    "NaN": (with_field("n", b"NaN"), "NaN"),
    "-Infinity": (with_field("n", b"-Infinity"), "-Infinity"),
    "1e999": (with_field("n", b"1e999"), "beyond float range"),
    "created_at before year 1 in UTC": (changed(created_at="0001-01-01T00:00:00+01:00"), "created_at"),
    "fetched_at after 9999 in UTC": (changed(fetched_at="9999-12-31T23:59:59-01:00"), "fetched_at"),
    "a trailing newline in source_id": (changed(source_id="1862612345678901234\n"), "source_id"),
    "a superscript in source": (changed(source="x²"), "source"),
    "an author id that is a map": (changed(author={"id": {"x": 1}}), "author.id"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_message_is_poison_with_its_reason(kind):
    data, reason = HOSTILE[kind]
    with pytest.raises(PoisonMessage) as err:
        parse_message(data)
    assert reason in str(err.value)


def test_a_good_message_still_parses_files_and_encodes_for_firestore():
    """The limits leave every field of the contract alone: the whole path up to Firestore's encoder."""
    config = load_config(ROOT / "config")
    mention = parse_message(changed(place={"full_name": "Magelang, Jawa Tengah", "geo": {"bbox": [1.5, 2]}}))
    reading = load_classifier(ROOT / "config", config.agencies.handles).understand(
        mention.text, mention.place
    )
    plan = plan_filing(mention, reading, config, datetime(2026, 11, 30, 2, tzinfo=UTC))
    assert _helpers.encode_dict(plan.report)["id"].string_value == "x-1862612345678901234"
