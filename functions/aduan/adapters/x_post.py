"""Posting on X as an agency account: tweepy's ``Client.create_tweet`` with user-context OAuth 1.0a.

Each account that answers citizens has its own access token and secret (Secret Manager,
one pair per account, see ``names.reply_token_envs``) under Aduan's app consumer key;
posting never uses the bearer token (it is app-only and X refuses posts with it).
tweepy's errors are mapped onto the channel errors ``send_replies`` understands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
import tweepy

from aduan import channels, names
from aduan.adapters.x_transport import point_session_at
from aduan.config import ConfigError

SOURCE = "environment"
# Reset headers X sends with a 429: the 15-minute window, and the 24-hour per-user / per-app caps.
RESET_HEADERS = ("x-rate-limit-reset", "x-user-limit-24hour-reset", "x-app-limit-24hour-reset")


@dataclass(frozen=True)
class XCredentials:
    consumer_key: str
    consumer_secret: str
    tokens: Mapping[str, tuple[str, str]]  # lower-case username → (access token, access token secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str], usernames: list[str]) -> XCredentials:
        """The app's consumer pair and each answering account's token pair; a missing one stops start-up."""
        values = {}
        for var in (names.ENV_X_CONSUMER_KEY, names.ENV_X_CONSUMER_SECRET):
            if not env.get(var):
                raise ConfigError(SOURCE, var, "value", "is required to post replies (a secret)")
            values[var] = env[var]
        tokens = {}
        for username in usernames:
            token_var, secret_var = names.reply_token_envs(username)
            for var in (token_var, secret_var):
                if not env.get(var):
                    raise ConfigError(
                        SOURCE, var, "value", f"is required: @{username} has replies enabled (a secret)"
                    )
            tokens[username.lower()] = (env[token_var], env[secret_var])
        return cls(values[names.ENV_X_CONSUMER_KEY], values[names.ENV_X_CONSUMER_SECRET], tokens)


class XPoster:
    """One tweepy client per account (created on first use), all pointed at ``base_url``."""

    def __init__(self, credentials: XCredentials, base_url: str | None, timeout_s: float = 10.0) -> None:
        self.credentials, self.base_url, self.timeout_s = credentials, base_url, timeout_s
        self._clients: dict[str, tweepy.Client] = {}

    def _client(self, account: str) -> tweepy.Client:
        key = account.lower()
        if key not in self._clients:
            token = self.credentials.tokens.get(key)
            if token is None:
                raise channels.AuthFailed(f"no access token for @{account}")
            client = tweepy.Client(
                consumer_key=self.credentials.consumer_key,
                consumer_secret=self.credentials.consumer_secret,
                access_token=token[0],
                access_token_secret=token[1],
                return_type=dict,
                wait_on_rate_limit=False,
            )
            point_session_at(client.session, self.base_url, self.timeout_s)
            self._clients[key] = client
        return self._clients[key]

    def create_reply(self, account: str, text: str, in_reply_to: str, exclude_user_ids: list[str]) -> str:
        client = self._client(account)
        try:
            body = client.create_tweet(
                text=text,
                in_reply_to_tweet_id=in_reply_to,
                exclude_reply_user_ids=exclude_user_ids or None,
                user_auth=True,
            )
        except tweepy.TooManyRequests as exc:
            raise channels.RateLimited(reset_time(exc.response), "; ".join(exc.api_messages)) from None
        except tweepy.Forbidden as exc:
            detail = "; ".join(exc.api_messages) or str(exc)
            if "duplicate content" in detail.lower():
                raise channels.Duplicate(detail) from None
            kind = _problem_type(exc.response)
            if kind.endswith(("client-forbidden", "oauth1-permissions")):
                raise channels.AuthFailed(f"HTTP 403: {detail}") from None
            raise channels.Refused(f"HTTP 403: {detail}") from None
        except tweepy.Unauthorized as exc:
            raise channels.AuthFailed(f"HTTP 401: {'; '.join(exc.api_messages) or exc}") from None
        except tweepy.BadRequest as exc:
            raise channels.Refused(f"HTTP 400: {'; '.join(exc.api_messages) or exc}") from None
        except tweepy.TwitterServerError as exc:
            raise channels.Transient(f"HTTP {exc.response.status_code}") from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise channels.Transient(type(exc).__name__) from None
        return str(body["data"]["id"])


def reset_time(response: requests.Response | None) -> datetime | None:
    """When posting may resume: the latest reset among the limits that are spent."""
    if response is None:
        return None
    headers = response.headers
    resets = []
    for name in RESET_HEADERS:
        value = headers.get(name, "")
        remaining = headers.get(name.replace("-reset", "-remaining"), "0")
        if value.isdigit() and remaining.strip() in ("0", ""):
            resets.append(int(value))
    return datetime.fromtimestamp(max(resets), UTC) if resets else None


def _problem_type(response: requests.Response | None) -> str:
    try:
        return str(response.json().get("type", "")) if response is not None else ""
    except ValueError:
        return ""
