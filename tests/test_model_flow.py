"""The corrections flow on the emulators (issue 10):

stored correction → ``aduan.corrections export`` → ``aduan.train`` → new artifact →
``aduan.models publish`` → a fresh ``classify_mention`` process (functions-framework)
files the corrected kind of post the new way; a rollback brings the shipped model back;
the scheduled ``train_classifier`` retrains from the stored corrections and publishes
only what is not worse.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from classifier_patterns import TREE_ON_LINES, TREE_ON_LINES_NEW
from google.cloud import firestore

from aduan import names
from aduan.adapters.firestore_corrections import FirestoreCorrections
from aduan.adapters.firestore_models import CHUNK_BYTES, ArtifactMissing, FirestoreModels
from aduan.mention import Author, Mention
from aduan.models import SHIPPED_VERSION, load_published, rollback
from infra.localcloud import ROOT, LocalCloud
from infra.wiring import wire_pubsub

pytestmark = pytest.mark.emulators
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def correction(report_id: str, text: str, category: str) -> dict:
    """A document of the shape docs/contracts.md fixes (written by the action page in production)."""
    return {
        "report_id": report_id,
        "text": text,
        "is_report": True,
        "category": category,
        "agency_id": "kota-semarang",
        "original": {"is_report": True, "category": "lingkungan", "agency_id": "kota-semarang"},
        "changes": [
            {
                "kind": "category",
                "old": "lingkungan",
                "new": category,
                "by": "kota-semarang",
                "at": NOW,
                "token_id": f"t-{report_id}",
            }
        ],
        "updated_at": NOW,
    }


def store_corrections(db: firestore.Client) -> None:
    for n, text in enumerate(TREE_ON_LINES):
        db.collection(names.CORRECTIONS).document(f"x-{900 + n}").set(
            correction(f"x-{900 + n}", text, "listrik")
        )
    # one the export must skip, and say why
    db.collection(names.CORRECTIONS).document("x-999").set(
        {"report_id": "x-999", "is_report": True, "category": "listrik"}
    )


def cli(cloud: LocalCloud, module: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **cloud.env, "PYTHONPATH": str(ROOT / "functions")}
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT / "functions",
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def push(cloud: LocalCloud, port: int, post_id: str, text: str) -> None:
    mention = Mention(
        source="x",
        source_id=post_id,
        url=f"https://x.com/warga/status/{post_id}",
        text=text,
        lang="in",
        created_at="2026-11-30T01:02:03.000Z",
        author=Author("99", "warga_smg", "Warga"),
        to_accounts=("pemkotsmg",),
        conversation_id=post_id,
        in_reply_to_user_id=None,
        referenced=(),
        place=None,
        fetched_at="2026-11-30T01:05:00Z",
    )
    data, attributes = mention.to_message()
    body = {
        "message": {
            "data": base64.b64encode(data).decode(),
            "attributes": attributes,
            "messageId": f"m-{post_id}",
        },
        "subscription": f"projects/{cloud.project}/subscriptions/{names.CLASSIFY_SUBSCRIPTION}",
    }
    response = requests.post(
        f"http://127.0.0.1:{port}/projects/{cloud.project}/topics/mentions", json=body, timeout=60
    )
    assert response.status_code < 300, response.text


def filed_category(db: firestore.Client, post_id: str) -> str | None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        snap = db.collection(names.REPORTS).document(f"x-{post_id}").get()
        if snap.exists:
            return snap.get("category")
        time.sleep(0.25)
    raise AssertionError(f"report x-{post_id} was not filed")


def classify_with_a_fresh_instance(cloud: LocalCloud, post_id: str, text: str) -> tuple[str | None, str]:
    wire_pubsub(cloud, push=False)  # the topics classify_mention publishes to (acknowledgements)
    function = cloud.start_function(names.CLASSIFY_MENTION, cloud.ports.classify, name=f"classify-{post_id}")
    try:
        push(cloud, cloud.ports.classify, post_id, text)
        return filed_category(firestore.Client(project=cloud.project), post_id), function.log.read_text()
    finally:
        function.stop()


def test_a_correction_reaches_a_fresh_classify_mention_and_a_rollback_undoes_it(
    local: LocalCloud, tmp_path: Path
) -> None:
    db = firestore.Client(project=local.project)
    store_corrections(db)

    exported = tmp_path / "corrections.jsonl"
    result = cli(local, "aduan.corrections", "export", "--out", str(exported))
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [f"x-{900 + n}" for n in range(len(TREE_ON_LINES))]
    assert lines[0] == {"id": "x-900", "text": TREE_ON_LINES[0], "is_report": True, "category": "listrik"}
    assert "skipped corrections/x-999: text" in result.stderr

    trained = json.loads(
        cli(local, "aduan.train", "--corrections", str(exported), "--out", str(tmp_path / "m")).stdout
    )
    assert trained["trained_on"]["corrections"] == len(TREE_ON_LINES)
    published = json.loads(cli(local, "aduan.models", "publish", str(tmp_path / "m")).stdout)
    assert published["outcome"] == "published" and published["version"] == trained["version"]
    pointer = FirestoreModels(db).current()
    assert pointer["version"] == trained["version"] and pointer["data_sha256"] == trained["data_sha256"]

    post = json.dumps({"id": "p", "text": TREE_ON_LINES_NEW}) + "\n"
    published_cli = subprocess.run(
        [sys.executable, "-m", "aduan.classify", "--published"],
        cwd=ROOT / "functions",
        env={**os.environ, **local.env, "PYTHONPATH": str(ROOT / "functions")},
        input=post,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(published_cli.stdout)["category"] == "listrik"

    category, log = classify_with_a_fresh_instance(local, "5001", TREE_ON_LINES_NEW)
    assert category == "listrik", log
    assert f"classifier model {trained['version']}" in log

    cli(local, "aduan.models", "rollback", "--shipped")
    assert FirestoreModels(db).current()["version"] == SHIPPED_VERSION
    category, log = classify_with_a_fresh_instance(local, "5002", TREE_ON_LINES_NEW)
    assert category == "lingkungan", log
    assert "no published model: using the shipped model" in log


def test_the_weekly_job_publishes_once_and_not_what_is_worse(local: LocalCloud) -> None:
    db = firestore.Client(project=local.project)
    store_corrections(db)
    function = local.start_function(names.TRAIN_CLASSIFIER, local.ports.train)
    url = f"http://127.0.0.1:{local.ports.train}/"
    try:
        first = requests.post(url, timeout=300).json()
        assert first["outcome"] == "published" and first["corrections"] == len(TREE_ON_LINES)
        again = requests.post(url, timeout=300).json()  # same data: nothing written
        assert again["outcome"] == "unchanged" and again["current"] == first["version"]
        # Agencies that "correct" every post to one category would make the model worse: kept out.
        bad = db.collection(names.CORRECTIONS)
        for n, row in enumerate(json.loads(line) for line in (ROOT / "tests/data/labelled/dev.jsonl").open()):
            if n >= 200:
                break
            bad.document(f"x-bad-{n}").set({**correction(f"x-bad-{n}", row["text"], "pajak")})
        worse = requests.post(url, timeout=300).json()
        assert worse["outcome"] == "kept", worse
        assert FirestoreModels(db).current()["version"] == first["version"]
    finally:
        function.stop()


def test_chunked_artifacts_are_checked_and_a_damaged_one_is_refused(local: LocalCloud) -> None:
    db = firestore.Client(project=local.project)
    store = FirestoreModels(db)
    artifact = (ROOT / "functions/aduan/classifier/shipped/model.json").read_bytes()
    blob = artifact[:-2] + b" " * (2 * CHUNK_BYTES) + artifact[-2:]  # valid JSON, three chunks
    meta = store.store("20261201T000000Z-test", blob, {"data_sha256": "d"}, NOW)
    assert meta["chunks"] == 3 and store.read("20261201T000000Z-test") == blob
    store.point({"version": "20261201T000000Z-test", "sha256": meta["sha256"]})
    assert load_published(store) is not None
    chunk = db.collection(names.MODELS).document("20261201T000000Z-test").collection("chunks").document("1")
    chunk.set({"data": b"x" * 10})
    with pytest.raises(ArtifactMissing, match="sha256"):
        load_published(store)
    with pytest.raises(ArtifactMissing):
        rollback(store, "20261201T000000Z-test", NOW)
    with pytest.raises(LookupError, match="no such artifact"):
        rollback(store, "19990101T000000Z-none", NOW)
    assert [m["version"] for m in store.versions()] == ["20261201T000000Z-test"]
    assert len(list(FirestoreCorrections(db).stream())) == 0
