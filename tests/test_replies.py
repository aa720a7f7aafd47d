"""Replies without a cloud: the request shape, the text as X counts it, the thread rules,
the configuration opt-in, and the simulator's POST /2/tweets seen through real tweepy."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
import requests
import tweepy
import yaml

from aduan import names
from aduan.adapters.config_files import load_config
from aduan.adapters.x_post import reset_time
from aduan.adapters.x_transport import point_session_at
from aduan.channels.x import XChannel, weighted_length
from aduan.config import ConfigError, reply_account
from aduan.mention import PoisonMessage, from_x_post, parse_message
from aduan.replies import parse_reply_request, reply_request
from aduan.replies.compose import compose
from infra.localcloud import ROOT
from infra.xsim import Simulator
from infra.xsim.posting import local_credentials, weigh
from tests.test_config import agency, config_copy, mutate, start_main  # noqa: F401 - fixture

NOW = datetime(2026, 12, 1, 2, 3, 4, tzinfo=UTC)
MAGELANG = "1100000000000000010"


# --- the request ----------------------------------------------------------------------------


def test_reply_request_has_the_contract_shape_and_no_citizen_data():
    data, attributes = reply_request("x-1862612345678901234", "responded", NOW)
    assert json.loads(data) == {
        "schema": "aduan.reply/1",
        "report_id": "x-1862612345678901234",
        "event": "responded",
        "requested_at": "2026-12-01T02:03:04Z",
    }
    assert attributes == {
        "report_id": "x-1862612345678901234",
        "event": "responded",
        "schema": "aduan.reply/1",
    }
    assert parse_reply_request(data).ledger_id == "x-1862612345678901234-responded"
    with pytest.raises(ValueError):
        reply_request("x-1", "shouted", NOW)
    with pytest.raises(ValueError):
        reply_request("../reports/x", "acknowledged", NOW)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff", "not UTF-8 JSON"),
        (b"[]", "must be a JSON object"),
        (json.dumps({"schema": "aduan.reply/9"}).encode(), "unknown schema"),
        (
            json.dumps({"schema": "aduan.reply/1", "report_id": "x/1", "event": "resolved"}).encode(),
            "report_id",
        ),
        (json.dumps({"schema": "aduan.reply/1", "report_id": "x-1", "event": "nope"}).encode(), "'event'"),
        (b"{" + b" " * 5000 + b"}", "exceeds"),
    ],
)
def test_malformed_reply_requests_are_poison_with_a_reason(data, reason):
    with pytest.raises(PoisonMessage, match=reason):
        parse_reply_request(data)


# --- the text ---------------------------------------------------------------------------------


def test_x_counts_urls_as_23_and_wide_characters_as_2_like_the_simulator():
    samples = [
        "Terima kasih https://status.aduan.example.go.id/laporan/K7Q29M4X?lang=en",
        "日本語のテキスト and emoji 😀🙏🏽",
        "“kutip” — tanda baca ‘umum’ …",
        "x" * 280,
    ]
    for text in samples:
        assert weighted_length(text) == weigh(text), text  # two independent implementations agree
    assert weighted_length("a https://example.org/a/very/long/path/that/goes/on/and/on b") == 27
    assert weighted_length("日本") == 4


@pytest.mark.parametrize("event", names.REPLY_EVENTS)
@pytest.mark.parametrize("lang", ["in", "en"])
def test_every_reply_fits_280_carries_ticket_and_link_and_mentions_nobody(event, lang):
    answer = "Kami sudah menambal lubang di Jl. Tidar, terima kasih @warga_lain dan ＠orang. " * 10
    link = "https://status.aduan.example.go.id/laporan/K7Q29M4X"
    text = compose(
        event,
        "K7Q29M4X",
        "LaporGub! Pemerintah Provinsi Jawa Tengah",
        link,
        answer,
        lang,
        weighted_length,
        280,
    ).text
    assert weighted_length(text) <= 280
    assert "K7Q2-9M4X" in text and link in text
    assert "@" not in text and "＠" not in text
    assert text.startswith(("Thank", "Report", "LaporGub")) == (lang == "en") or event == "responded"
    if event != "acknowledged":
        assert "menambal lubang" in text and "…" in text


def test_a_short_answer_is_quoted_whole_and_english_posts_get_english():
    text = compose(
        "resolved", "K7Q29M4X", "DPUPR Kota Magelang", "http://s/l", "Sudah ditambal.", "en", len, 280
    )
    assert text.text == (
        "Report K7Q2-9M4X was marked resolved by DPUPR Kota Magelang. “Sudah ditambal.” "
        "Not fixed? Reply in this thread. http://s/l"
    )
    assert not text.shortened and text.language == "en"


# --- the channel ---------------------------------------------------------------------------------


def test_x_reply_target_excludes_everyone_but_the_citizen():
    report = {
        "source_id": "555",
        "author": {"id": "777"},
        "to_accounts": ["pemkotmagelang", "humasjateng"],
        "mentioned_user_ids": ["1100000000000000010", "1100000000000000001", "888", "777"],
    }
    ids = {"pemkotmagelang": MAGELANG, "humasjateng": "1100000000000000001"}
    target = XChannel(poster=None).target(report, "pemkotmagelang", ids)
    assert (target.account, target.in_reply_to) == ("pemkotmagelang", "555")
    assert target.exclude_user_ids == ("1100000000000000001", "888")


def test_mentioned_user_ids_travel_in_the_message_contract():
    post = {
        "id": "9",
        "text": "@pemkotmagelang @tetangga jalan rusak",
        "author_id": "777",
        "conversation_id": "9",
        "created_at": "2026-12-01T02:00:00.000Z",
        "entities": {
            "mentions": [{"username": "pemkotmagelang", "id": MAGELANG}, {"username": "tetangga", "id": "5"}]
        },
    }
    mention = from_x_post(
        post,
        {"users": [{"id": "777", "username": "w", "name": "W"}]},
        {"pemkotmagelang"},
        "2026-12-01T02:03:04Z",
    )
    assert mention.mentioned_user_ids == (MAGELANG, "5")
    data, _ = mention.to_message()
    assert parse_message(data).mentioned_user_ids == (MAGELANG, "5")


def test_reset_time_is_the_latest_spent_limit():
    response = requests.Response()
    response.headers.update(
        {
            "x-rate-limit-remaining": "3",
            "x-rate-limit-reset": "1000",
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": "90000",
        }
    )
    assert reset_time(response) == datetime.fromtimestamp(90000, UTC)


# --- configuration ------------------------------------------------------------------------------------


def test_replies_are_opt_in_per_account():
    config = load_config(ROOT / "config")
    account = reply_account(config.agencies, ["bpbdjateng", "pemkotmagelang"])
    assert account.username == "pemkotmagelang" and account.replies.daily_budget == 300
    assert reply_account(config.agencies, ["bpbdjateng"]) is None


@pytest.mark.parametrize(
    ("replies", "field"),
    [
        ({"enabled": "yes"}, "enabled"),
        ({"enabled": True, "daily_budget": 0}, "daily_budget"),
        ({"enabled": True, "daily_budget": 10**9}, "daily_budget"),
        ({"enabled": True, "budget": 5}, "budget"),
        ("on", "(item)"),
    ],
)
def test_bad_reply_settings_are_refused_naming_file_item_and_field(config_copy, replies, field):  # noqa: F811
    mutate(config_copy, lambda d: agency(d, "kota-magelang")["accounts"][0].update(replies=replies))
    with pytest.raises(ConfigError) as err:
        load_config(config_copy)
    assert "agencies.yaml: agency 'kota-magelang' account #1 replies: field" in str(err.value)
    assert f"field '{field}'" in str(err.value)


def test_send_replies_stops_at_start_up_without_its_secrets(config_copy):  # noqa: F811
    base = {"ADUAN_STATUS_BASE_URL": "https://status.example.go.id"}
    missing = start_main(config_copy, FUNCTION_TARGET="send_replies", **base)
    assert missing.returncode != 0 and "environment: X_CONSUMER_KEY" in missing.stderr
    env = {**base, "X_CONSUMER_KEY": "k", "X_CONSUMER_SECRET": "s"}
    no_token = start_main(config_copy, FUNCTION_TARGET="send_replies", **env)
    assert "X_ACCESS_TOKEN_HUMASJATENG" in no_token.stderr and "replies enabled" in no_token.stderr
    accounts = [a for a in yaml.safe_load((config_copy / "agencies.yaml").read_text())["agencies"]]
    usernames = [acc for a in accounts for acc in a.get("accounts") or [] if acc.get("replies")]
    tokens = {}
    for acc in usernames:
        token_var, secret_var = names.reply_token_envs(acc["username"])
        tokens.update({token_var: "t", secret_var: "s"})
    fine = start_main(config_copy, FUNCTION_TARGET="send_replies", **env, **tokens)
    assert fine.returncode == 0, fine.stderr


# --- the simulator's POST /2/tweets through real tweepy ---------------------------------------------


@pytest.fixture(scope="module")
def sim():
    sim = Simulator(seed=3)
    sim.start(port=0)
    yield sim
    sim.stop()


def poster(sim: Simulator, username: str = "pemkotmagelang", **override) -> tweepy.Client:
    env = local_credentials(sim.generator.accounts)
    token_var, secret_var = names.reply_token_envs(username)
    creds = {
        "consumer_key": env[names.ENV_X_CONSUMER_KEY],
        "consumer_secret": env[names.ENV_X_CONSUMER_SECRET],
        "access_token": env[token_var],
        "access_token_secret": env[secret_var],
        **override,
    }
    client = tweepy.Client(**creds)
    point_session_at(client.session, sim.base_url)
    return client


def test_oauth1_signature_is_checked_and_the_token_is_the_author(sim):
    sim.reset(seed=3)
    citizen = sim.post(
        ["pemkotmagelang", "humasjateng"], "lampu mati", author={"username": "warga_a", "name": "A"}
    )
    reply = poster(sim).create_tweet(
        text="Tiket K7Q2-9M4X",
        in_reply_to_tweet_id=citizen["id"],
        exclude_reply_user_ids=["1100000000000000001"],
    )
    made = sim.posting.created[-1]
    assert made["id"] == reply.data["id"] and made["author_id"] == MAGELANG
    assert made["conversation_id"] == citizen["id"]
    assert made["mentions"] == [citizen["author_id"]]  # humasjateng excluded, the citizen kept
    with pytest.raises(tweepy.Unauthorized):
        poster(sim, consumer_secret="wrong").create_tweet(text="forged")
    with pytest.raises(tweepy.Unauthorized):
        poster(sim, access_token="1-unknown").create_tweet(text="unknown token")
    bearer = tweepy.Client(bearer_token="app-only")
    point_session_at(bearer.session, sim.base_url)
    with pytest.raises(tweepy.Forbidden, match="OAuth 2.0 Application-Only is forbidden"):
        bearer.create_tweet(text="app-only", user_auth=False)


def test_duplicate_text_too_long_text_and_unknown_parent_are_refused_like_x(sim):
    sim.reset(seed=3)
    client = poster(sim)
    client.create_tweet(text="sama persis")
    with pytest.raises(tweepy.Forbidden) as dup:
        client.create_tweet(text="sama persis")
    assert (
        dup.value.response.json()["detail"] == "You are not allowed to create a Tweet with duplicate content."
    )
    poster(sim, "pemkotsmg").create_tweet(text="sama persis")  # another author may say the same
    with pytest.raises(tweepy.Forbidden, match="too long"):
        client.create_tweet(text="日" * 141)
    client.create_tweet(text="https://example.org/" + "a" * 400 + " " + "b" * 256)  # the URL counts 23
    with pytest.raises(tweepy.Forbidden, match="deleted or not visible"):
        client.create_tweet(text="balasan", in_reply_to_tweet_id="1")


def test_429_carries_window_and_24_hour_reset_headers(sim):
    sim.reset(seed=3)
    sim.posting.limits.per_user_24h = 2
    client = poster(sim)
    client.create_tweet(text="satu")
    client.create_tweet(text="dua")
    with pytest.raises(tweepy.TooManyRequests) as err:
        client.create_tweet(text="tiga")
    headers = err.value.response.headers
    assert headers["x-user-limit-24hour-remaining"] == "0"
    assert int(headers["x-user-limit-24hour-reset"]) > time.time() + 23 * 3600
    assert reset_time(err.value.response).timestamp() == int(headers["x-user-limit-24hour-reset"])
    sim.reset(seed=3)
    sim.posting.storm(2, reset_in_s=30)
    for _ in range(2):
        with pytest.raises(tweepy.TooManyRequests) as err:
            poster(sim).create_tweet(text=f"badai {_}")
        assert err.value.response.headers["x-rate-limit-remaining"] == "0"
    poster(sim).create_tweet(text="setelah badai")


def test_a_citizens_reply_to_an_agency_reply_reaches_the_agencys_mentions_and_search(sim):
    sim.reset(seed=3)
    citizen = {"username": "warga_b", "name": "B"}
    post = sim.post(["pemkotmagelang"], "got mampet", author=citizen)
    ours = poster(sim).create_tweet(text="Tiket ABCD-EFGH", in_reply_to_tweet_id=post["id"]).data
    follow = sim.posting.reply(citizen, ours["id"], "belum pak")
    assert follow["conversation_id"] == post["id"]
    assert follow["referenced_tweets"] == [{"type": "replied_to", "id": ours["id"]}]
    assert follow["text"].startswith("@pemkotmagelang ")
    reader = tweepy.Client(bearer_token="t", return_type=dict)
    point_session_at(reader.session, sim.base_url)
    found = reader.search_recent_tweets("(@pemkotmagelang) -is:retweet", tweet_fields=["conversation_id"])
    assert follow["id"] in [p["id"] for p in found["data"]]
    assert ours["id"] not in [p["id"] for p in found["data"]]  # Aduan's reply mentions only the citizen
