"""Urgent alerts, escalation and daily digests — the pure parts (no cloud)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aduan import escalation, names
from aduan.alerts import compose, policy, send, webhook
from aduan.alerts.job import AlertSettings
from aduan.config import AlertSettings as AlertConfig
from aduan.config import ConfigError, parse_agencies
from aduan.digest import job, model, render
from aduan.digest.week import Day, IsoWeek
from aduan.workdays import due_dates
from tests.digest_helpers import base_config

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 10:00 WIB
CONFIG = base_config()


def doc(report_id: str = "x-1", **fields) -> dict:
    response, final = due_dates(NOW - timedelta(days=1))
    base = {
        "id": report_id,
        "ticket": "ABCD2345",
        "is_report": True,
        "public": True,
        "open": True,
        "status": "diteruskan",
        "urgent": False,
        "category": "jalan",
        "agency_id": "kota-magelang",
        "cluster_id": report_id,
        "public_text": "jalan berlubang di Jl. Tidar",
        "received_at": NOW - timedelta(days=1),
        "due_response_at": response,
        "due_at": final,
        "first_response_at": None,
        "place": {"district_name": "Magelang Selatan", "regency_name": "Kota Magelang"},
    }
    return {**base, **fields}


def with_alerts(**settings) -> object:
    agencies = replace(CONFIG.agencies, alerts=AlertConfig(**settings))
    return replace(CONFIG, agencies=agencies)


# --- who is alerted -------------------------------------------------------------------------


def test_an_urgent_report_alerts_its_agency() -> None:
    alert = policy.alert_for(doc(urgent=True), 1, CONFIG.agencies, NOW)
    assert alert is not None
    assert (alert.reason, alert.agency_ids, alert.cluster_size) == ("urgent", ("kota-magelang",), 1)


@pytest.mark.parametrize(
    "fields",
    [
        {"is_report": False, "urgent": True},
        {"public": False, "urgent": True},
        {"open": False, "urgent": True},
        {"urgent": False},
    ],
    ids=["non-report", "hidden", "closed", "not-urgent-alone"],
)
def test_no_alert_for_what_needs_none(fields: dict) -> None:
    assert policy.alert_for(doc(**fields), 1, CONFIG.agencies, NOW) is None


def test_an_urgent_disaster_also_alerts_the_disaster_desk() -> None:
    config = with_alerts(disaster_desk="jateng-bpbd")
    alert = policy.alert_for(doc(urgent=True, category="bencana"), 1, config.agencies, NOW)
    assert alert is not None and alert.agency_ids == ("kota-magelang", "jateng-bpbd")
    road = policy.alert_for(doc(urgent=True, category="jalan"), 1, config.agencies, NOW)
    assert road is not None and road.agency_ids == ("kota-magelang",)


def test_a_cluster_alerts_when_it_reaches_the_configured_size() -> None:
    config = with_alerts(cluster_size=5)
    assert policy.alert_for(doc(), 4, config.agencies, NOW) is None
    alert = policy.alert_for(doc(), 5, config.agencies, NOW)
    assert alert is not None and alert.reason == "cluster"


def test_a_cluster_alerts_once_in_any_hour_whatever_joins_or_is_redelivered() -> None:
    channels = ["mail_a", "webhook_a"]
    first = send.decide(None, "x-1", channels, NOW)
    assert (first.action, first.number, first.alert_id("x-1")) == ("new", 1, "x-1-1")
    entry = {
        "number": 1,
        "owner": "x-1",
        "claimed_at": NOW,
        "channels": {c: {"state": "sent"} for c in channels},
    }
    for minutes in (1, 30, 59):  # others of the cluster, and a crossing of the clock hour, within the window
        assert send.decide(entry, "x-7", channels, NOW + timedelta(minutes=minutes)).action == "skip"
    assert send.decide(entry, "x-1", channels, NOW + timedelta(minutes=5)).action == "skip"  # redelivery
    later = send.decide(entry, "x-9", channels, NOW + timedelta(minutes=61))
    assert (later.action, later.number, later.channels) == ("new", 2, tuple(channels))


def test_a_claim_is_resumed_by_its_owner_and_taken_over_only_after_the_lease() -> None:
    entry = {
        "number": 3,
        "owner": "x-1",
        "claimed_at": NOW,
        "channels": {"mail_a": {"state": "sent"}, "webhook_a": {"state": "failed"}},
    }
    channels = ["mail_a", "webhook_a"]
    mine = send.decide(entry, "x-1", channels, NOW + timedelta(seconds=5))
    assert (mine.action, mine.channels) == ("resume", ("webhook_a",))
    assert send.decide(entry, "x-2", channels, NOW + timedelta(seconds=5)).action == "skip"
    taken = send.decide(entry, "x-2", channels, NOW + send.LEASE)
    assert (taken.action, taken.number, taken.channels) == ("take_over", 3, ("webhook_a",))


# --- webhook signatures ------------------------------------------------------------------------


def test_a_webhook_signature_verifies_and_nothing_else_does() -> None:
    key = webhook.agency_key("m" * 40, "kota-magelang")
    body = webhook.body({"ticket": "ABCD-2345", "text": "<b>x</b>"})
    headers = webhook.headers(key, "x-1-20261201T03", body, NOW)
    signature = headers[webhook.SIGNATURE_HEADER]
    webhook.verify(key, signature, body, NOW + timedelta(seconds=30))
    with pytest.raises(webhook.BadSignature):
        webhook.verify(key, signature, body + b" ", NOW)
    with pytest.raises(webhook.BadSignature):  # another agency's key
        webhook.verify(webhook.agency_key("m" * 40, "kota-semarang"), signature, body, NOW)
    with pytest.raises(webhook.BadSignature):  # a replay after the tolerance
        webhook.verify(key, signature, body, NOW + timedelta(seconds=webhook.TOLERANCE_S + 1))
    with pytest.raises(webhook.BadSignature):
        webhook.verify(key, "v1=deadbeef", body, NOW)


@given(st.binary(max_size=300), st.binary(max_size=300))
def test_a_signature_never_verifies_another_body(a: bytes, b: bytes) -> None:
    key = webhook.agency_key("k" * 40, "a")
    signature = webhook.headers(key, "id", a, NOW)[webhook.SIGNATURE_HEADER]
    if a != b:
        with pytest.raises(webhook.BadSignature):
            webhook.verify(key, signature, b, NOW)


# --- what an alert says -------------------------------------------------------------------


def test_an_alert_mail_escapes_the_post_and_carries_only_public_text() -> None:
    hostile = doc(urgent=True, public_text="<script>alert(1)</script> longsor", text="NIK 3371010101010001")
    alert = policy.alert_for(hostile, 3, CONFIG.agencies, NOW)
    agency = CONFIG.agencies.get("kota-magelang")
    content = compose.content(
        alert, hostile, agency, CONFIG.taxonomy, "http://127.0.0.1:1", "http://a/tindak/t"
    )
    message = compose.email(content, "x-1-1", "Aduan <aduan@example.go.id>", "a@example.go.id", NOW)
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "3371010101010001" not in html + text
    assert "Mendesak" in message["Subject"] and "ABCD-2345" in message["Subject"]
    assert "3 warga" in text and "http://a/tindak/t" in text
    payload = compose.webhook_payload(content, "x-1-1")
    assert payload["schema"] == "aduan.alert/1" and payload["cluster_size"] == 3


def test_an_english_agency_gets_its_alert_in_english() -> None:
    agency = replace(CONFIG.agencies.get("kota-magelang"), language="en")
    alert = policy.alert_for(doc(urgent=True), 1, CONFIG.agencies, NOW)
    content = compose.content(alert, doc(urgent=True), agency, CONFIG.taxonomy, "http://x", None)
    message = compose.email(content, "x-1-1", "aduan@example.go.id", "a@example.go.id", NOW)
    assert message["Subject"].startswith("[Aduan] Urgent:")


# --- settings and configuration -----------------------------------------------------------


def agencies_yaml(**agency_fields) -> dict:
    agency = {
        "id": "kota-a",
        "name": "Kota A",
        "regions": ["3371"],
        "categories": ["*"],
        "digest": {"recipients": ["a@example.go.id"]},
        **agency_fields,
    }
    return {"province_desk": "kota-a", "agencies": [agency]}


def parse(data: dict):
    return parse_agencies(data, "config/agencies.yaml", CONFIG.taxonomy, lambda code: code.startswith("33"))


@pytest.mark.parametrize(
    ("fields", "field_name"),
    [
        ({"alerts": {"webhook": "http://hooks.example.go.id/aduan"}}, "webhook"),
        ({"alerts": {"webhook": "https://hooks.example.go.id/a b"}}, "webhook"),
        ({"alerts": {"emails": ["not-an-address"]}}, "emails"),
        ({"digest": {"recipients": ["a@example.go.id"], "frequency": "hourly"}}, "frequency"),
        ({"supervisor": "kota-a"}, "supervisor"),
        ({"supervisor": "nobody-here"}, "supervisor"),
    ],
)
def test_bad_alert_and_digest_settings_stop_at_start_up(fields: dict, field_name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(agencies_yaml(**fields))
    assert caught.value.field_name == field_name
    assert str(caught.value).startswith("config/agencies.yaml: agency 'kota-a'")


@pytest.mark.parametrize(
    ("alerts", "field_name"),
    [
        ({"cluster_size": 1}, "cluster_size"),
        ({"cluster_size": "5"}, "cluster_size"),
        ({"disaster_desk": "x-y"}, "disaster_desk"),
    ],
)
def test_bad_global_alert_settings_stop_at_start_up(alerts: dict, field_name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse({**agencies_yaml(), "alerts": alerts})
    assert caught.value.field_name == field_name


def test_alert_settings_need_mail_settings_and_a_webhook_key_when_a_webhook_exists() -> None:
    env = {
        names.ENV_SMTP_HOST: "127.0.0.1",
        names.ENV_STATUS_BASE_URL: "http://127.0.0.1:1",
        names.ENV_LINK_SIGNING_KEY: "l" * 40,
    }
    assert AlertSettings.from_env({**env, names.ENV_ALERTS: "off"}, CONFIG).enabled is False
    assert AlertSettings.from_env(env, CONFIG).enabled is True
    with pytest.raises(ConfigError) as caught:
        AlertSettings.from_env(
            {names.ENV_STATUS_BASE_URL: "http://x", names.ENV_LINK_SIGNING_KEY: "l" * 40}, CONFIG
        )
    assert caught.value.item == names.ENV_SMTP_HOST
    with pytest.raises(ConfigError) as caught:
        AlertSettings.from_env({**env, names.ENV_ALERTS: "maybe"}, CONFIG)
    assert caught.value.item == names.ENV_ALERTS
    hooked = parse(agencies_yaml(alerts={"webhook": "https://hooks.example.go.id/aduan"}))
    config = replace(CONFIG, agencies=hooked)
    for key in ("", " " * 40, "short"):
        with pytest.raises(ConfigError) as caught:
            AlertSettings.from_env({**env, names.ENV_WEBHOOK_SIGNING_KEY: key}, config)
        assert caught.value.item == names.ENV_WEBHOOK_SIGNING_KEY
    assert AlertSettings.from_env({**env, names.ENV_WEBHOOK_SIGNING_KEY: "k" * 32}, config).enabled


# --- escalation ---------------------------------------------------------------------------


def test_supervisors_follow_the_region_and_end_at_the_province_desk() -> None:
    agencies = CONFIG.agencies
    assert escalation.supervisor_of(agencies, "kota-semarang-dpu") == "kota-semarang"
    assert escalation.supervisor_of(agencies, "kota-semarang") == agencies.province_desk
    assert escalation.supervisor_of(agencies, agencies.province_desk) is None
    assert escalation.supervised(agencies, "kota-semarang") == {
        "kota-semarang-dpu": 1,
        "kota-semarang-dlh": 1,
        "kota-semarang-dishub": 1,
    }
    assert escalation.supervised(agencies, agencies.province_desk)["kota-semarang-dpu"] == 2


def test_a_configured_supervisor_wins_and_a_cycle_stops() -> None:
    a = parse(agencies_yaml())
    agencies = replace(
        CONFIG.agencies,
        agencies=tuple(
            replace(x, supervisor="kota-semarang-dlh")
            if x.id == "kota-semarang-dpu"
            else replace(x, supervisor="kota-semarang-dpu")
            if x.id == "kota-semarang-dlh"
            else x
            for x in CONFIG.agencies.agencies
        ),
    )
    agencies = replace(agencies, by_id={x.id: x for x in agencies.agencies})
    assert escalation.supervisor_of(agencies, "kota-semarang-dpu") == "kota-semarang-dlh"
    assert len(escalation._chain(agencies, "kota-semarang-dpu")) <= escalation.MAX_LEVEL
    assert a.province_desk == "kota-a"


def test_an_overdue_report_climbs_a_level_five_working_days_later() -> None:
    received = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday
    response, final = due_dates(received)
    report = doc(received_at=received, due_response_at=response, due_at=final, agency_id="kota-semarang-dpu")
    assert escalation.level(report, response - timedelta(hours=1)) == 0
    assert escalation.level(report, response + timedelta(hours=1)) == 1
    assert escalation.level(report, response + timedelta(days=8)) == 2
    desk = escalation.escalated_to("kota-semarang", CONFIG.agencies, [report], response + timedelta(hours=1))
    province = escalation.escalated_to(
        CONFIG.agencies.province_desk, CONFIG.agencies, [report], response + timedelta(hours=1)
    )
    assert [d["id"] for d in desk] == ["x-1"] and province == []
    later = escalation.escalated_to(
        CONFIG.agencies.province_desk, CONFIG.agencies, [report], response + timedelta(days=8)
    )
    assert [d["id"] for d in later] == ["x-1"]
    assert (
        escalation.escalated_to(
            "kota-semarang", CONFIG.agencies, [{**report, "open": False}], response + timedelta(days=8)
        )
        == []
    )


# --- daily digests --------------------------------------------------------------------------


def daily(config, *ids: str):
    agencies = tuple(
        replace(a, digest_frequency="daily") if a.id in ids else a for a in config.agencies.agencies
    )
    return replace(
        config, agencies=replace(config.agencies, agencies=agencies, by_id={a.id: a for a in agencies})
    )


def test_weekly_digests_go_on_mondays_and_daily_ones_every_day() -> None:
    config = daily(CONFIG, "kota-semarang")
    monday = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # 07:00 WIB
    due = job.due_periods(config, monday, None, None)
    assert due["kota-semarang"] == Day.parse("2026-11-29")
    assert due["kota-magelang"] == IsoWeek.parse("2026-W48")
    tuesday = job.due_periods(config, monday + timedelta(days=1), None, None)
    assert tuesday == {"kota-semarang": Day.parse("2026-11-30")}
    explicit = job.due_periods(config, monday + timedelta(days=1), "2026-W47", None)
    assert "kota-semarang" not in explicit and explicit["kota-magelang"] == IsoWeek.parse("2026-W47")
    assert job.due_periods(config, monday, None, "2026-11-15") == {"kota-semarang": Day.parse("2026-11-15")}
    with pytest.raises(ConfigError) as caught:
        job.due_periods(config, monday, None, "2026-13-01")
    assert caught.value.item == "day"


def test_a_daily_digest_speaks_of_yesterday_and_lists_reopened_and_escalated_reports() -> None:
    day = Day.parse("2026-11-30")
    now = day.end + timedelta(hours=7)
    agency = CONFIG.agencies.get("kota-semarang")
    received = doc("x-2", received_at=day.start + timedelta(hours=9), agency_id="kota-semarang")
    reopened = doc(
        "x-3",
        received_at=day.start - timedelta(days=9),
        reopened_at=day.start + timedelta(hours=10),
        agency_id="kota-semarang",
        status="diproses",
    )
    late_response, late_final = due_dates(day.start - timedelta(days=20))
    escalated = doc(
        "x-4",
        agency_id="kota-semarang-dpu",
        received_at=day.start - timedelta(days=20),
        due_response_at=late_response,
        due_at=late_final,
        public_text="<b>got</b>",
    )
    links = model.Links("http://127.0.0.1:1", lambda d: f"http://127.0.0.1:1/tindak/{d['id']}")
    digest = model.build(
        agency,
        CONFIG.taxonomy,
        day,
        now,
        links,
        week_docs=[received],
        previous_by_category={},
        open_docs=[reopened],
        resolved_docs=[],
        reopened_docs=[reopened],
        escalated_docs=escalation.escalated_to("kota-semarang", CONFIG.agencies, [escalated], now),
        agency_names={a.id: a.name for a in CONFIG.agencies.agencies},
    )
    assert digest.daily and digest.reopened.total == 1 and digest.escalated.total == 1
    line = digest.escalated.items[0]
    assert line.action_url is None and line.agency == CONFIG.agencies.get("kota-semarang-dpu").name
    rendered = render.render(digest)
    assert "Ringkasan harian Aduan" in rendered.text and "selesai kemarin" in rendered.text
    assert "Dibuka kembali" in rendered.text and "Eskalasi" in rendered.html
    assert "<b>got</b>" not in rendered.html and "&lt;b&gt;got&lt;/b&gt;" in rendered.html
    assert "minggu" not in rendered.text.lower().replace("ringkasan mingguan", "")


def test_the_key_cli_prints_the_key_a_receiver_verifies_with(monkeypatch, capsys) -> None:
    from aduan.alerts.__main__ import main

    monkeypatch.setenv(names.ENV_WEBHOOK_SIGNING_KEY, "s" * 40)
    assert main(["key", "kota-magelang"]) == 0
    assert capsys.readouterr().out.strip() == webhook.agency_key("s" * 40, "kota-magelang")
    monkeypatch.setenv(names.ENV_WEBHOOK_SIGNING_KEY, " " * 40)
    assert main(["key", "kota-magelang"]) == 2


class MemoryLedger:
    """The ledger's decision without Firestore (the adapter is tested on the emulator)."""

    def __init__(self) -> None:
        self.entry: dict | None = None

    def claim(self, alert, channels, now):
        claim = send.decide(self.entry, alert.report_id, channels, now)
        if claim.action == "new":
            self.entry = {"number": claim.number, "owner": alert.report_id, "claimed_at": now, "channels": {}}
        return claim

    def mark(self, cluster_id, channel, state, now, detail="", attempts=0):
        self.entry["channels"][channel] = {"state": state, "attempts": attempts}


class DownMailer:
    def __init__(self) -> None:
        self.tries = 0

    def send(self, message) -> None:
        self.tries += 1
        raise ConnectionRefusedError("SMTP down")


def test_a_channel_that_keeps_failing_is_retried_then_given_up_before_the_dead_letter_limit() -> None:
    ledger, mailer = MemoryLedger(), DownMailer()
    channels = policy.AlertChannels("aduan@example.go.id", "http://127.0.0.1:1", "", "")
    alert = policy.alert_for(doc(urgent=True), 1, CONFIG.agencies, NOW)
    for attempt in range(1, send.MAX_CHANNEL_ATTEMPTS):
        with pytest.raises(send.NotDelivered):
            send.deliver(
                alert,
                doc(urgent=True),
                CONFIG,
                channels,
                ledger,
                mailer,
                None,
                NOW + timedelta(seconds=attempt),
            )
    outcome = send.deliver(
        alert, doc(urgent=True), CONFIG, channels, ledger, mailer, None, NOW + timedelta(seconds=9)
    )
    assert outcome.given_up and not outcome.failed
    assert mailer.tries == send.MAX_CHANNEL_ATTEMPTS < names.MAX_DELIVERY_ATTEMPTS
    again = send.deliver(
        alert, doc(urgent=True), CONFIG, channels, ledger, mailer, None, NOW + timedelta(seconds=20)
    )
    assert again.skipped and mailer.tries == send.MAX_CHANNEL_ATTEMPTS
