"""The X API v2 through tweepy: mentions timelines and recent search, as ``ingest.XSource``."""

from __future__ import annotations

from datetime import UTC, datetime

import requests
import tweepy

from aduan.adapters.x_transport import point_session_at
from aduan.ingest import AuthFailed, Page, Query, RateLimited, Rejected, Transient

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


class XApi:
    """Raw-dict tweepy client; maps tweepy's errors onto the ingest core's three kinds."""

    def __init__(
        self, bearer_token: str, base_url: str | None, timeout_s: float = 10.0, page_size: int = 100
    ) -> None:
        self.client = tweepy.Client(bearer_token=bearer_token, return_type=dict, wait_on_rate_limit=False)
        point_session_at(self.client.session, base_url, timeout_s)
        self.page_size = page_size

    def page(
        self,
        query: Query,
        since_id: int | None,
        until_id: int | None,
        start_time: datetime | None,
        token: str | None,
    ) -> Page:
        common = dict(
            since_id=since_id,
            until_id=until_id,
            start_time=start_time,
            max_results=self.page_size,
            tweet_fields=TWEET_FIELDS,
            expansions=EXPANSIONS,
            user_fields=USER_FIELDS,
            place_fields=PLACE_FIELDS,
            user_auth=False,
        )
        try:
            if query.kind == "mentions":
                body = self.client.get_users_mentions(query.target, pagination_token=token, **common)
            else:
                body = self.client.search_recent_tweets(query.target, next_token=token, **common)
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
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise Transient(type(exc).__name__) from None
        meta = body.get("meta", {})
        return Page(
            posts=body.get("data", []),
            includes=body.get("includes", {}),
            newest_id=int(meta["newest_id"]) if meta.get("newest_id") else None,
            oldest_id=int(meta["oldest_id"]) if meta.get("oldest_id") else None,
            next_token=meta.get("next_token"),
        )


def _reset_time(response: requests.Response) -> datetime | None:
    reset = response.headers.get("x-rate-limit-reset") if response is not None else None
    return datetime.fromtimestamp(int(reset), UTC) if reset and reset.isdigit() else None
