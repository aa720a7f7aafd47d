"""The X API simulator, seen through real tweepy as production sees it (point_session_at)."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
import requests
import tweepy
import yaml

from aduan.adapters.x_transport import point_session_at
from infra.xsim import DEFAULT_ACCOUNTS, Generator, Simulator, accounts_from_agencies
from infra.xsim.state import MENTIONS_VISIBLE

SMG, JATENG = "1100000000000000030", "1100000000000000001"
FIELDS = {
    "expansions": ["author_id", "geo.place_id", "referenced_tweets.id", "entities.mentions.username"],
    "tweet_fields": [
        "created_at",
        "author_id",
        "lang",
        "conversation_id",
        "entities",
        "geo",
        "referenced_tweets",
    ],
    "user_fields": ["username", "name"],
    "place_fields": ["full_name"],
}


@pytest.fixture(scope="module")
def server():
    sim = Simulator(seed=1)
    sim.start(port=0)
    yield sim
    sim.stop()


@pytest.fixture
def sim(server: Simulator) -> Simulator:
    server.reset(seed=1, accounts=list(DEFAULT_ACCOUNTS))
    return server


def client(sim: Simulator, token: str = "t", **kwargs) -> tweepy.Client:
    c = tweepy.Client(bearer_token=token, **kwargs)
    point_session_at(c.session, sim.base_url)
    return c


def poll(c: tweepy.Client, user_id: str = SMG, **params) -> list[tweepy.Response]:
    """Every page of the mentions timeline, like the fetcher reads it (bounded)."""
    pager = tweepy.Paginator(c.get_users_mentions, user_id, max_results=100, limit=20, **params)
    return list(pager)


def ids_of(pages: list[tweepy.Response]) -> list[int]:
    return [int(t.id) for p in pages for t in (p.data or [])]


def test_mentions_page_newest_first_and_since_id_is_exclusive(sim: Simulator) -> None:
    created = [int(i) for i in sim.generate(250, accounts=["pemkotsmg"], minutes=30)]
    c = client(sim)
    pages = poll(c, **FIELDS)
    got = ids_of(pages)
    assert [p.meta["result_count"] for p in pages] == [100, 100, 50]
    assert "next_token" not in pages[-1].meta
    assert got == sorted(created, reverse=True)
    assert pages[0].meta["newest_id"] == str(max(created))
    tweet = pages[0].data[0]
    assert tweet.created_at.tzinfo is not None and tweet.edit_history_tweet_ids == [tweet.id]
    assert {u.id for u in pages[0].includes["users"]} >= {t.author_id for t in pages[0].data}

    checkpoint = pages[0].meta["newest_id"]
    new = [int(sim.post(["pemkotsmg"], f"jalan rusak nomor {n}")["id"]) for n in range(3)]
    assert ids_of(poll(c, since_id=checkpoint)) == new[::-1]
    assert ids_of(poll(c, since_id=str(new[0]), until_id=str(new[2]))) == [new[1]]


def test_default_fields_and_empty_page(sim: Simulator) -> None:
    sim.post(["pemkotsmg"], "lampu PJU mati")
    raw = client(sim, return_type=dict).get_users_mentions(SMG)
    assert set(raw["data"][0]) == {"id", "text", "edit_history_tweet_ids"}
    assert "includes" not in raw
    empty = client(sim, return_type=dict).get_users_mentions(JATENG, max_results=5)
    assert empty == {"meta": {"result_count": 0}}


def test_only_the_800_newest_mentions_are_visible(sim: Simulator) -> None:
    before = sim.post(["pemkotsmg"], "sebelum banjir kiriman")["id"]
    burst = [int(i) for i in sim.burst("pemkotsmg", 1000)]
    got = ids_of(poll(client(sim), since_id=before))
    assert len(got) == MENTIONS_VISIBLE
    assert got == sorted(burst)[-MENTIONS_VISIBLE:][::-1]
    assert sim.stats()["posts_served"] == MENTIONS_VISIBLE


def test_bad_parameters_are_refused_like_x(sim: Simulator) -> None:
    c = client(sim)
    with pytest.raises(tweepy.BadRequest) as err:
        c.get_users_mentions(SMG, max_results=101)
    body = err.value.response.json()
    assert body["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert body["errors"][0]["parameters"] == {"max_results": ["101"]}
    assert "is not between 5 and 100" in err.value.api_messages[0]
    with pytest.raises(tweepy.BadRequest):
        c.get_users_mentions(SMG, tweet_fields=["no_such_field"])
    with pytest.raises(tweepy.BadRequest):
        c.get_users_mentions(SMG, pagination_token="garbage")


def test_rate_limit_window_then_429_with_reset(sim: Simulator) -> None:
    sim.limits.set_limit("mentions", 2)
    c = client(sim, return_type=requests.Response)
    remaining = [c.get_users_mentions(SMG).headers["x-rate-limit-remaining"] for _ in range(2)]
    assert remaining == ["1", "0"]
    with pytest.raises(tweepy.TooManyRequests) as err:
        c.get_users_mentions(SMG)
    headers = err.value.response.headers
    assert headers["x-rate-limit-limit"] == "2" and headers["x-rate-limit-remaining"] == "0"
    assert err.value.reset_time == int(headers["x-rate-limit-reset"]) > time.time()
    assert err.value.response.json() == {
        "title": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
        "detail": "Too Many Requests",
    }
    assert c.get_user(username="pemkotsmg").status_code == 200  # other endpoints have their own window


def test_injected_429_hits_one_account_only(sim: Simulator) -> None:
    sim.faults.add({"kind": "429", "at_request": 2, "account": SMG, "reset_in_s": 120})
    c = client(sim)
    c.get_users_mentions(SMG)
    c.get_users_mentions(JATENG)
    with pytest.raises(tweepy.TooManyRequests) as err:
        c.get_users_mentions(SMG)
    assert 100 < err.value.reset_time - time.time() <= 121
    c.get_users_mentions(JATENG)
    c.get_users_mentions(SMG)
    assert sim.stats()["faults_fired"] == [("429", "mentions", 3)]


def test_5xx_slow_and_dropped_connections(sim: Simulator) -> None:
    c = client(sim)
    sim.faults.add({"kind": "503", "at_request": 1, "times": 2, "endpoint": "mentions"})
    for _ in range(2):
        with pytest.raises(tweepy.TwitterServerError):
            c.get_users_mentions(SMG)
    c.get_users_mentions(SMG)
    sim.faults.add({"kind": "slow", "at_request": 1, "delay_s": 0.3})
    started = time.monotonic()
    c.get_users_mentions(SMG)
    assert time.monotonic() - started >= 0.3
    sim.faults.add({"kind": "drop", "at_request": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        c.get_users_mentions(SMG)
    c.get_users_mentions(SMG)
    assert sim.stats()["by_status"] == {"503": 2, "200": 3, "0": 1}


def test_auth_missing_revoked_and_forbidden(sim: Simulator) -> None:
    bare = requests.get(f"{sim.base_url}/2/users/{SMG}/mentions", timeout=5)
    assert bare.status_code == 401 and bare.json()["title"] == "Unauthorized"
    assert bare.headers["Content-Type"] == "application/problem+json"
    assert "x-rate-limit-remaining" in bare.headers
    with pytest.raises(tweepy.Unauthorized):
        client(sim, token="revoked").get_users_mentions(SMG)
    with pytest.raises(tweepy.Forbidden) as err:
        client(sim, token="forbidden").get_users_mentions(SMG)
    assert err.value.response.json()["reason"] == "client-not-enrolled"


def test_search_recent_or_query_pages_and_dedupes(sim: Simulator) -> None:
    sim.generate(150, accounts=["pemkotsmg", "humasjateng"], minutes=30)
    both = sim.post(["pemkotsmg", "humasjateng"], "banjir di Kaligawe, dua akun sekaligus")["id"]
    query = "(@pemkotsmg OR @humasjateng) -is:retweet"
    pager = tweepy.Paginator(client(sim).search_recent_tweets, query, max_results=100, limit=10)
    pages = list(pager)
    got = ids_of(pages)
    assert len(pages) == 2 and len(got) == len(set(got))
    assert got.count(int(both)) == 1 and got == sorted(got, reverse=True)
    expected = {p.id for p in sim.state.posts.values() if p.mentions and not p.is_retweet}
    assert set(got) == expected
    with pytest.raises(tweepy.BadRequest):
        client(sim).search_recent_tweets(query, max_results=5)
    too_old = str((int(both) >> 22 << 22) - ((8 * 86400 * 1000) << 22))
    with pytest.raises(tweepy.BadRequest):
        client(sim).search_recent_tweets(query, since_id=too_old)


def test_late_indexed_post_sits_below_the_checkpoint(sim: Simulator) -> None:
    sim.generate(20, accounts=["pemkotsmg"], minutes=5)
    c = client(sim)
    checkpoint = poll(c)[0].meta["newest_id"]
    late = sim.post(["pemkotsmg"], "telat terindeks: sampah menumpuk", late=True, late_by_s=30)
    assert int(late["id"]) < int(checkpoint)
    assert ids_of(poll(c, since_id=checkpoint)) == []
    overlap = datetime.now(UTC) - timedelta(minutes=10)
    assert int(late["id"]) in ids_of(poll(c, start_time=overlap))


def test_post_tweet_reply_and_duplicate(sim: Simulator) -> None:
    citizen = sim.post(["pemkotsmg"], "air PDAM mati")
    sim.posting.add_consumer("k", "s")
    sim.posting.add_token("a", "b", SMG)
    c = client(sim, consumer_key="k", consumer_secret="s", access_token="a", access_token_secret="b")
    reply = c.create_tweet(text="Terima kasih, laporan diteruskan.", in_reply_to_tweet_id=citizen["id"])
    posted = sim.state.posts[int(reply.data["id"])]
    assert posted.in_reply_to_user_id == citizen["author_id"]
    assert posted.conversation_id == int(citizen["id"])
    with pytest.raises(tweepy.Forbidden, match="duplicate content"):
        c.create_tweet(text="Terima kasih, laporan diteruskan.")
    with pytest.raises(tweepy.Forbidden):
        c.create_tweet(text="balasan", in_reply_to_tweet_id="1")


def test_user_lookup(sim: Simulator) -> None:
    c = client(sim)
    user = c.get_user(username="pemkotsmg", user_fields=["verified"]).data
    assert (user.id, user.username, user.verified) == (int(SMG), "pemkotsmg", True)
    missing = c.get_user(username="tidak_ada")
    assert missing.data is None
    assert missing.errors[0]["type"] == "https://api.twitter.com/2/problems/resource-not-found"


def test_control_api_over_http(sim: Simulator) -> None:
    def call(method: str, path: str, body: object = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(sim.base_url + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=5) as resp:
            return json.load(resp)

    call("POST", "/_sim/reset", {"seed": 3})
    call("POST", "/_sim/accounts", [{"username": "dinkes_bms", "user_id": "77", "name": "Dinkes"}])
    ids = call("POST", "/_sim/generate", {"count": 12, "accounts": ["dinkes_bms"], "minutes": 5})["ids"]
    call("POST", "/_sim/faults", [{"kind": "503", "at_request": 1, "endpoint": "mentions"}])
    call("POST", "/_sim/limits", {"users": 1})
    with pytest.raises(tweepy.TwitterServerError):
        client(sim).get_users_mentions("77")
    assert len(client(sim).get_users_mentions("77", max_results=100).data) == 12 == len(ids)
    stats = call("GET", "/_sim/stats")
    assert stats["by_endpoint"] == {"mentions": 2} and stats["by_status"] == {"503": 1, "200": 1}
    assert stats["posts_served"] == 12 and stats["world"]["mentions"]["dinkes_bms"] == 12


def test_generator_is_deterministic_and_varied() -> None:
    def texts(seed: int) -> list[tuple[str, str, str]]:
        return [(d.author.username, d.text, d.kind) for d in Generator(DEFAULT_ACCOUNTS, seed).drafts(400)]

    assert texts(7) == texts(7) and texts(7) != texts(8)
    drafts = Generator(DEFAULT_ACCOUNTS, 7).drafts(400)
    kinds = {d.kind for d in drafts}
    assert "complaint" in kinds and kinds & {"praise", "greeting", "spam", "politics", "news"}
    assert len({d.category for d in drafts if d.category}) >= 10
    assert {"pii", "hostile", "slang"} <= {t for d in drafts for t in d.tags}
    handles = {a.username for a in DEFAULT_ACCOUNTS}
    assert all(set(d.to) <= handles and all(f"@{h}" in d.text for h in d.to) for d in drafts)


def test_accounts_come_from_the_agency_config() -> None:
    with open("config/agencies.yaml", encoding="utf-8") as f:
        agencies = yaml.safe_load(f)["agencies"]
    accounts = accounts_from_agencies(agencies)
    assert len(accounts) == sum(len(a.get("accounts") or []) for a in agencies)
    assert all(a.user_id.isdigit() and a.regions for a in accounts)


class StepClock:
    """Epoch seconds that move only when told: minutes of index lag, or a UTC midnight, in no time."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def stepped():
    clock = StepClock(time.time())
    sim = Simulator(seed=1, clock=clock)
    sim.start(port=0)
    yield sim, clock
    sim.stop()


def test_a_late_indexed_post_is_invisible_until_its_index_time(stepped) -> None:
    sim, clock = stepped
    late = sim.post(["pemkotsmg"], "got selokan mampet", index_lag_s=300)
    clock.t += 10
    newer = sim.post(["pemkotsmg"], "lampu jalan mati")
    c = client(sim)
    query = "(@pemkotsmg) -is:retweet"
    assert ids_of(poll(c)) == [int(newer["id"])]
    assert [int(t.id) for t in client(sim).search_recent_tweets(query).data] == [int(newer["id"])]
    clock.t += 290  # 300 s after its creation: X shows it, below the newer post
    assert ids_of(poll(c)) == [int(newer["id"]), int(late["id"])]
    assert [int(t.id) for t in client(sim).search_recent_tweets(query).data] == [
        int(newer["id"]),
        int(late["id"]),
    ]
    assert ids_of(poll(c, since_id=newer["id"])) == []  # since_id polling alone never sees it


def test_unknown_account_is_a_200_with_a_resource_not_found_error(sim: Simulator) -> None:
    resp = client(sim, return_type=requests.Response).get_users_mentions("1999999999999999999")
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"errors"}  # no data, no meta
    (err,) = body["errors"]
    assert err["type"] == "https://api.twitter.com/2/problems/resource-not-found"
    assert (err["parameter"], err["resource_id"], err["value"]) == ("id",) + ("1999999999999999999",) * 2
    assert err["resource_type"] == "user" and err["title"] and err["detail"]


def test_malformed_and_garbage_pages(sim: Simulator) -> None:
    sim.generate(5, accounts=["pemkotsmg"], minutes=5)
    raw = client(sim, return_type=requests.Response)
    sim.faults.add({"kind": "malformed", "at_request": 1, "endpoint": "mentions"})
    bad = raw.get_users_mentions(SMG).json()
    assert bad["meta"]["newest_id"] == "1.862e18" and len(bad["data"]) == 5
    sim.faults.add({"kind": "garbage", "at_request": 1, "endpoint": "mentions"})
    page = raw.get_users_mentions(SMG)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        page.json()
    assert [k for k, _, _ in sim.stats()["faults_fired"]] == ["malformed", "garbage"]


def test_posts_are_billed_once_per_utc_day(stepped) -> None:
    sim, clock = stepped
    sim.generate(30, accounts=["pemkotsmg"], minutes=5)
    c = client(sim)
    for _ in range(3):
        poll(c)
    served = sim.stats()
    assert (served["posts_served"], served["posts_billed"]) == (90, 30)
    clock.t = (clock.t // 86400 + 1) * 86400 + 1  # just past the next UTC midnight
    poll(c)
    assert sim.stats()["posts_billed"] == 60
