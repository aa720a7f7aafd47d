"""Urgent alerts on the local cloud: a real classify_mention process behind a real push subscription,
a real SMTP server and a webhook receiver on loopback that checks every signature."""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from google.cloud import firestore

from aduan import names
from aduan.alerts import webhook
from infra.localcloud import ROOT, LocalCloud
from infra.smtp_sink import SmtpSink
from infra.webhook_sink import WebhookSink
from tests.test_store import Pipeline, mention, wait_for

pytestmark = pytest.mark.emulators

MASTER_KEY = "local-webhook-master-key-of-forty-chars!"
LANDSLIDE = (
    "@pemkotmagelang tolong!! tanah longsor menimbun rumah warga di Kel. Magelang, Kec. Magelang Tengah, "
    "ada orang tertimbun, butuh bantuan sekarang"
)


def config_with_alerts(tmp: Path, webhook_port: int) -> Path:
    target = tmp / "config"
    shutil.copytree(ROOT / "config", target)
    path = target / "agencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["alerts"] = {"cluster_size": 5, "disaster_desk": "jateng-bpbd"}
    for agency in data["agencies"]:
        if agency["id"] == "kota-magelang":
            agency["alerts"] = {"webhook": f"http://127.0.0.1:{webhook_port}/kota-magelang"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


@pytest.fixture
def alerting(local: LocalCloud, tmp_path: Path):
    """(pipeline, smtp sink, webhook sink, db) with alerts on and one agency's webhook configured."""
    config_dir = config_with_alerts(tmp_path, local.ports.webhook)
    keys = {"/kota-magelang": webhook.agency_key(MASTER_KEY, "kota-magelang")}
    with (
        SmtpSink(local.ports.smtp, tmp_path / "mail") as smtp,
        WebhookSink(local.ports.webhook, keys) as hooks,
    ):
        pipeline = Pipeline(
            local,
            {
                names.ENV_ALERTS: "on",
                names.ENV_CONFIG_DIR: str(config_dir),
                names.ENV_WEBHOOK_SIGNING_KEY: MASTER_KEY,
                names.ENV_LINK_SIGNING_KEY: "local-link-signing-key-of-at-least-32-chars",
                names.ENV_MAIL_FROM: "Aduan Jateng <aduan@jatengprov.example.go.id>",
            },
        )
        yield pipeline, smtp, hooks, firestore.Client(project=local.project)


def recipients(smtp: SmtpSink) -> list[str]:
    return sorted(str(m["To"]) for m in smtp.messages)


def test_an_urgent_post_reaches_the_agency_by_mail_and_webhook_within_a_minute(alerting):
    pipeline, smtp, hooks, db = alerting
    pipeline.publish_mention(mention("7001", LANDSLIDE))
    report = wait_for(lambda: pipeline.reports(), what="the report")[0]
    assert report["urgent"] and report["category"] == "bencana" and report["agency_id"] == "kota-magelang"
    wait_for(lambda: len(smtp.messages) >= 2 and hooks.deliveries, timeout_s=60, what="the alert")
    arrived = datetime.now(UTC)
    assert (arrived - report["received_at"]).total_seconds() < 60
    assert recipients(smtp) == [
        "pengaduan@magelangkota.example.go.id",
        "pusdalops@bpbd.jatengprov.example.go.id",
    ]
    mail = next(m for m in smtp.messages if "magelangkota" in str(m["To"]))
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["Subject"].startswith("[Aduan] Mendesak: Bencana")
    assert "/tindak/" in text  # the agency that holds it can act from the alert
    bpbd = next(m for m in smtp.messages if "bpbd" in str(m["To"]))
    assert "/tindak/" not in bpbd.get_body(preferencelist=("plain",)).get_content()
    [delivery] = hooks.deliveries
    assert delivery["reason"] == "urgent" and delivery["ticket"].replace("-", "") == report["ticket"]
    assert delivery["_delivery"] == delivery["alert_id"] == "x-7001-1"
    assert hooks.refused == []
    ledger = db.collection(names.ALERTS).document("x-7001").get().to_dict()
    assert {c["state"] for c in ledger["channels"].values()} == {"sent"}


def test_a_cluster_of_twenty_and_their_redeliveries_raise_one_alert(alerting):
    pipeline, smtp, hooks, db = alerting
    first = mention("7100", LANDSLIDE)
    pipeline.publish_mention(first)
    wait_for(lambda: hooks.deliveries, timeout_s=60, what="the first alert")
    others = [mention(f"71{n:02d}", LANDSLIDE.replace("tolong!!", f"tolong ({n})")) for n in range(1, 20)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(pipeline.publish_mention, others + [first, first, first]))
    wait_for(lambda: len(pipeline.reports()) == 20, timeout_s=120, what="twenty reports")
    wait_for(lambda: pipeline.log().count('"outcome": "duplicate"') >= 3, timeout_s=60, what="redeliveries")
    clusters = {r["cluster_id"] for r in pipeline.reports()}
    assert clusters == {"x-7100"}
    time.sleep(3)  # anything still to arrive would arrive now
    assert len(hooks.deliveries) == 1
    assert len(smtp.messages) == 2  # the agency and the disaster desk, once each
    assert len(list(db.collection(names.ALERTS).stream())) == 1


def test_a_failed_channel_is_retried_and_sent_once(alerting):
    pipeline, smtp, hooks, db = alerting
    smtp.fail_next(1)
    hooks.fail_next = 1
    pipeline.publish_mention(mention("7200", LANDSLIDE))
    wait_for(lambda: len(smtp.messages) >= 2 and hooks.deliveries, timeout_s=90, what="the retried alert")
    time.sleep(3)
    assert len(hooks.deliveries) == 1 and len(smtp.messages) == 2
    assert '"alert' in pipeline.log() and "channel(s) failed" in pipeline.log()
    [ledger] = [s.to_dict() for s in db.collection(names.ALERTS).stream()]
    assert {c["state"] for c in ledger["channels"].values()} == {"sent"}
    assert len(pipeline.reports()) == 1
