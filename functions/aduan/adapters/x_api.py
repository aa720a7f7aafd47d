"""The X API v2 through tweepy: mentions timelines and recent search, as ``ingest.XSource``.

Every answer is checked before the core sees it: whatever X (or something between) sends that
is not a page this client understands becomes ``Unexpected`` with a reason, and a 200 whose
``errors`` say the polled account does not exist becomes ``UnknownAccount``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import requests
import tweepy

from aduan.adapters.x_transport import point_session_at
from aduan.ingest import (
    AuthFailed,
    Page,
    Query,
    RateLimited,
    Rejected,
    Transient,
    Unexpected,
    UnknownAccount,
)

TWEET_FIELDS = [
    "created_at",
    "lang",
    "author_id",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "entities",
    "geo",
]
EXPANSIONS = ["author_id", "geo.place_id"]
USER_FIELDS = ["username", "name"]
PLACE_FIELDS = ["full_name", "geo", "country_code"]
ID_RE = re.compile(r"^[0-9]{1,19}$")
INCLUDES = ("users", "places", "tweets", "media", "polls", "topics")


class XApi:
    """tweepy for the request and its errors; the page itself is parsed and checked here."""

    def __init__(
        self, bearer_token: str, base_url: str | None, timeout_s: float = 10.0, page_size: int = 100
    ) -> None:
        self.client = tweepy.Client(
            bearer_token=bearer_token, return_type=requests.Response, wait_on_rate_limit=False
        )
        point_session_at(self.client.session, base_url, timeout_s)
        self.page_size = page_size

    def page(self, query: Query, since_id: int | None, until_id: int | None, token: str | None) -> Page:
        common = dict(
            since_id=since_id,
            until_id=until_id,
            max_results=self.page_size,
            tweet_fields=TWEET_FIELDS,
            expansions=EXPANSIONS,
            user_fields=USER_FIELDS,
            place_fields=PLACE_FIELDS,
            user_auth=False,
        )
        try:
            if query.kind == "mentions":
                response = self.client.get_users_mentions(query.target, pagination_token=token, **common)
            else:
                response = self.client.search_recent_tweets(query.target, next_token=token, **common)
        except tweepy.TooManyRequests as exc:
            raise RateLimited(_reset_time(exc.response)) from None
        except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
            raise AuthFailed(
                f"HTTP {exc.response.status_code}: {'; '.join(exc.api_messages) or exc}"
            ) from None
        except tweepy.BadRequest as exc:
            raise Rejected("; ".join(exc.api_messages) or str(exc)) from None
        except tweepy.TwitterServerError as exc:
            raise Transient(f"HTTP {exc.response.status_code}") from None
        except tweepy.HTTPException as exc:  # 404, 409, 3xx …: not an answer this client knows
            raise Unexpected(f"HTTP {exc.response.status_code}: {_short(exc.response.text)}") from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise Transient(type(exc).__name__) from None
        except (requests.RequestException, tweepy.TweepyException, ValueError) as exc:
            raise Unexpected(f"{type(exc).__name__}: {_short(str(exc))}") from None
        return parse_page(response, query)


def parse_page(response: requests.Response, query: Query) -> Page:
    """A 200 answer as a ``Page``, or ``Unexpected``/``UnknownAccount`` saying what is wrong with it."""
    try:
        body = response.json()
    except ValueError:
        raise Unexpected(f"the answer is not JSON: {_short(response.text)}") from None
    if not isinstance(body, dict):
        raise Unexpected(f"the answer is a JSON {type(body).__name__}, not an object")
    _check_errors(body.get("errors", []), query)
    posts = body.get("data", [])
    if not isinstance(posts, list) or not all(isinstance(p, dict) for p in posts):
        raise Unexpected("`data` is not a list of posts")
    ids = [_id(p.get("id"), "data[].id") for p in posts]
    if any(not isinstance(p.get("text"), str) for p in posts):
        raise Unexpected("a post has no `text`")
    meta = body.get("meta", {})
    if not isinstance(meta, dict):
        raise Unexpected("`meta` is not an object")
    newest = _id(meta["newest_id"], "meta.newest_id") if meta.get("newest_id") is not None else None
    oldest = _id(meta["oldest_id"], "meta.oldest_id") if meta.get("oldest_id") is not None else None
    if ids and (newest, oldest) != (max(ids), min(ids)):
        raise Unexpected(f"meta.newest_id/oldest_id {newest}/{oldest} do not bound the posts sent")
    token = meta.get("next_token")
    if token is not None and (not isinstance(token, str) or not token):
        raise Unexpected(f"meta.next_token is not a token: {token!r}")
    includes = body.get("includes", {})
    if not isinstance(includes, dict) or not all(
        isinstance(includes.get(k, []), list) and all(isinstance(x, dict) for x in includes.get(k, []))
        for k in INCLUDES
    ):
        raise Unexpected("`includes` is not an object of lists of objects")
    remaining, reset = _rate_headers(response)
    return Page(posts, includes, newest, oldest, token, rate_remaining=remaining, rate_reset=reset)


def _check_errors(errors: Any, query: Query) -> None:
    """Partial errors in a 200 are about one resource each; one about the polled user means X does
    not know the account (or no longer shows it), which must not pass for an empty timeline."""
    if not isinstance(errors, list) or not all(isinstance(e, dict) for e in errors):
        raise Unexpected("`errors` is not a list of objects")
    for err in errors:
        about = str(err.get("resource_id") or err.get("value") or "")
        if query.kind == "mentions" and err.get("parameter") == "id" and about == query.target:
            kind = str(err.get("type", "")).rsplit("/", 1)[-1] or "error"
            raise UnknownAccount(f"{err.get('title', 'error')} ({kind}): {err.get('detail', '')}".strip())


def _id(value: Any, where: str) -> int:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise Unexpected(f"{where} is not an X id: {_short(repr(value))}")
    return int(value)


def _rate_headers(response: requests.Response) -> tuple[int | None, datetime | None]:
    remaining = response.headers.get("x-rate-limit-remaining", "")
    return (int(remaining) if remaining.isdecimal() else None), _reset_time(response)


def _reset_time(response: requests.Response | None) -> datetime | None:
    reset = response.headers.get("x-rate-limit-reset", "") if response is not None else ""
    return datetime.fromtimestamp(int(reset), UTC) if reset.isdecimal() and len(reset) <= 12 else None


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
