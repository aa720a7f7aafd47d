"""``POST /2/tweets`` on the simulator: user-context OAuth 1.0a, replies, threads, limits.

What X does and client code must cope with, checked the way X checks it:

* **OAuth 1.0a** (RFC 5849 §3.4; X's "Creating a signature"): the signature base string is
  ``METHOD&enc(base URL)&enc(sorted, encoded oauth_* and query parameters)`` (a JSON body is
  not signed), HMAC-SHA1 keyed by ``enc(consumer secret)&enc(token secret)``; the timestamp
  must be within 5 minutes and a nonce is accepted once. tweepy signs the public URL
  (``https://api.twitter.com/2/tweets``) before its session adapter sends it here, so both
  public hosts are accepted as the signed base URL. The post's author is the token's user.
  An app-only bearer token gets X's 403 ``unsupported-authentication``.
* **Body** (OpenAPI ``TweetCreateRequest``): ``text``; ``reply`` allows only
  ``in_reply_to_tweet_id`` and ``exclude_reply_user_ids`` (the latter needs the former).
  The text is weighed as twitter-text does (URLs 23, code points outside the light
  ranges 2) and may not pass 280. The same text twice from one author is refused with
  X's 403 "duplicate content".
* **Threads**: a reply joins its parent's conversation and, like X's auto-populated reply
  metadata, starts with the parent's author and the users the parent mentioned — minus
  ``exclude_reply_user_ids`` — so it shows up in their mentions (and in search), and a
  citizen's reply to an agency's reply reaches the agency's mentions like a real one.
* **Limits**: a 15-minute window per user, 24-hour caps per user and per app; a 429 carries
  ``x-rate-limit-*`` and ``x-user-limit-24hour-*`` / ``x-app-limit-24hour-*`` headers.
  ``storm(n)`` makes the next ``n`` posts answer 429.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from infra.xsim import api
from infra.xsim.state import Post

PATH = "/2/tweets"
SIGNED_HOSTS = ("https://api.twitter.com", "https://api.x.com")
CLOCK_SKEW_S = 300
MAX_WEIGHT = 280
URL_WEIGHT = 23
# twitter-text v3 configuration: (first, last, weight); every other code point weighs 2.
LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_AUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')
WINDOW_S = 15 * 60
DAY_S = 24 * 3600
UNSUPPORTED_AUTH = {
    "title": "Unsupported Authentication",
    "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
    "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
    "type": api.PROBLEMS + "unsupported-authentication",
    "status": 403,
}
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."


def enc(value: str) -> str:
    """RFC 3986 percent-encoding as OAuth 1.0a requires (only unreserved characters kept)."""
    return quote(value, safe="-._~")


def weigh(text: str) -> int:
    """twitter-text's weighted length, written independently of the client's counter."""
    total, pos = 0, 0
    for m in _URL.finditer(text):
        total += sum(_code_weight(c) for c in text[pos : m.start()]) + URL_WEIGHT
        pos = m.end()
    return total + sum(_code_weight(c) for c in text[pos:])


def _code_weight(ch: str) -> int:
    cp = ord(ch)
    return 1 if any(lo <= cp <= hi for lo, hi in LIGHT) else 2


def local_credentials(accounts) -> dict[str, str]:
    """Deterministic credentials for the local cloud: the app's consumer pair and, per account,
    an access token pair — as the environment ``send_replies`` reads (``aduan.names``)."""
    from aduan import names

    env = {names.ENV_X_CONSUMER_KEY: "aduan-local-app", names.ENV_X_CONSUMER_SECRET: _secret("app")}
    for acc in accounts:
        token_var, secret_var = names.reply_token_envs(acc.username)
        env[token_var] = f"{acc.user_id}-{acc.username.lower()}"
        env[secret_var] = _secret(acc.username.lower())
    return env


def _secret(label: str) -> str:
    return hashlib.sha256(f"xsim-local-{label}".encode()).hexdigest()[:40]


@dataclass
class Limits:
    per_user_15min: int = 100
    per_user_24h: int = 10_000
    per_app_24h: int = 50_000


@dataclass
class _Window:
    length_s: int
    start: float = 0.0
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.start + self.length_s:
            self.start, self.used = now, 0


@dataclass
class Posting:
    """The posting side of a :class:`~infra.xsim.server.Simulator` (``sim.posting``)."""

    sim: object
    consumers: dict[str, str] = field(default_factory=dict)  # consumer key → secret
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # token → (secret, user id)
    limits: Limits = field(default_factory=Limits)
    on_created: Callable[[dict], None] | None = None  # tests: e.g. crash the poster before it hears 201

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.created: list[dict] = []  # every post made through POST /2/tweets, in order
            self.refused: list[dict] = []  # every refusal: status, reason
            self._nonces: set[tuple[str, str, str]] = set()
            self._windows: dict[tuple[str, str], _Window] = {}
            self._storm = 0
            self._storm_reset_s = 60.0
        self.register_local()

    # --- credentials ------------------------------------------------------------------------
    def register_local(self) -> None:
        """Credentials of ``local_credentials`` for the simulator's accounts."""
        from aduan import names

        accounts = self.sim.generator.accounts  # type: ignore[attr-defined]
        env = local_credentials(accounts)
        self.add_consumer(env[names.ENV_X_CONSUMER_KEY], env[names.ENV_X_CONSUMER_SECRET])
        for acc in accounts:
            token_var, secret_var = names.reply_token_envs(acc.username)
            self.add_token(env[token_var], env[secret_var], acc.user_id)

    def add_consumer(self, key: str, secret: str) -> None:
        self.consumers[key] = secret

    def add_token(self, token: str, secret: str, user_id: str) -> None:
        self.tokens[token] = (secret, user_id)

    def storm(self, count: int, reset_in_s: float = 60.0) -> None:
        """The next ``count`` posts are refused with 429 (reset ``reset_in_s`` from then)."""
        with self._lock:
            self._storm, self._storm_reset_s = int(count), float(reset_in_s)

    # --- request ------------------------------------------------------------------------------
    def handles(self, method: str, path: str) -> bool:
        return method == "POST" and path == PATH

    def handle(self, method: str, target: str, auth: str, body: bytes) -> tuple[int, dict, dict[str, str]]:
        sim = self.sim
        url = urlsplit(target)
        number = sim.log.next_number("post", [])  # type: ignore[attr-defined]
        try:
            user_id = self._verify(method, url.path, url.query, auth)
            limit_headers = self._spend(user_id)
            status, doc = self._create(user_id, body)
        except api.ApiError as err:
            status, doc, limit_headers = err.status, err.body, getattr(err, "headers", {})
            with self._lock:
                self.refused.append({"status": status, "detail": doc.get("detail") or doc.get("title")})
        sim.log.record(number, "post", target, status, [])  # type: ignore[attr-defined]
        return status, doc, limit_headers

    def _verify(self, method: str, path: str, query: str, auth: str) -> str:
        scheme, _, rest = auth.partition(" ")
        if scheme == "Bearer":
            raise api.ApiError(403, dict(UNSUPPORTED_AUTH))
        if scheme != "OAuth":
            raise api.problem(401, "Unauthorized", "Unauthorized")
        params = {k: unquote(v) for k, v in _AUTH_PARAM.findall(rest)}
        required = ("oauth_consumer_key", "oauth_token", "oauth_signature", "oauth_nonce", "oauth_timestamp")
        if any(not params.get(k) for k in required) or params.get("oauth_signature_method") != "HMAC-SHA1":
            raise api.problem(401, "Unauthorized", "Unauthorized")
        consumer_secret = self.consumers.get(params["oauth_consumer_key"])
        token = self.tokens.get(params["oauth_token"])
        if consumer_secret is None or token is None:
            raise api.problem(401, "Unauthorized", "Unauthorized")
        now = time.time()  # the signer's wall clock (a benchmark may shift the world's clock)
        if (
            not params["oauth_timestamp"].isdigit()
            or abs(now - int(params["oauth_timestamp"])) > CLOCK_SKEW_S
        ):
            raise api.problem(401, "Unauthorized", "Unauthorized")
        signed = [(k, v) for k, v in params.items() if k.startswith("oauth_") and k != "oauth_signature"]
        signed += parse_qsl(query, keep_blank_values=True)
        normalized = "&".join(f"{k}={v}" for k, v in sorted((enc(k), enc(v)) for k, v in signed))
        key = f"{enc(consumer_secret)}&{enc(token[0])}".encode()
        expected = [
            base64.b64encode(
                hmac.new(
                    key, f"{method}&{enc(host + path)}&{enc(normalized)}".encode(), hashlib.sha1
                ).digest()
            ).decode()
            for host in SIGNED_HOSTS
        ]
        if not any(hmac.compare_digest(params["oauth_signature"], e) for e in expected):
            raise api.problem(401, "Unauthorized", "Unauthorized")
        nonce = (params["oauth_consumer_key"], params["oauth_nonce"], params["oauth_timestamp"])
        with self._lock:
            if nonce in self._nonces:
                raise api.problem(401, "Unauthorized", "Unauthorized")
            self._nonces.add(nonce)
        return token[1]

    def _spend(self, user_id: str) -> dict[str, str]:
        now = self.sim.state.clock()  # type: ignore[attr-defined]
        with self._lock:
            windows = {
                "x-rate-limit": (self._window(("15min", user_id), WINDOW_S, now), self.limits.per_user_15min),
                "x-user-limit-24hour": (self._window(("day", user_id), DAY_S, now), self.limits.per_user_24h),
                "x-app-limit-24hour": (self._window(("app", ""), DAY_S, now), self.limits.per_app_24h),
            }
            spent = [name for name, (w, limit) in windows.items() if w.used >= limit]
            stormy = self._storm > 0
            if not spent and not stormy:
                for w, _ in windows.values():
                    w.used += 1
            headers = {}
            for name, (w, limit) in windows.items():
                headers[f"{name}-limit"] = str(limit)
                headers[f"{name}-remaining"] = str(max(0, limit - w.used))
                headers[f"{name}-reset"] = str(int(w.start + w.length_s))
            if stormy:
                self._storm -= 1
                headers["x-rate-limit-remaining"] = "0"
                headers["x-rate-limit-reset"] = str(int(now + self._storm_reset_s))
        if spent or stormy:
            err = api.problem(429, "Too Many Requests", "Too Many Requests")
            err.headers = headers  # type: ignore[attr-defined]
            raise err
        return headers

    def _window(self, key: tuple[str, str], length_s: int, now: float) -> _Window:
        w = self._windows.setdefault(key, _Window(length_s, now))
        w.roll(now)
        return w

    def _create(self, author_id: str, raw: bytes) -> tuple[int, dict]:
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise api.invalid("body", str(raw[:100]), "The request body is not valid JSON")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise api.invalid("text", str(text)[:100], "$.text: a non-empty string is required")
        reply = body.get("reply")
        parent_id, exclude = None, set()
        if reply is not None:
            if not isinstance(reply, dict) or set(reply) - {"in_reply_to_tweet_id", "exclude_reply_user_ids"}:
                raise api.invalid("reply", json.dumps(reply)[:100], "$.reply: unexpected properties")
            parent_id = reply.get("in_reply_to_tweet_id")
            ids = reply.get("exclude_reply_user_ids", [])
            if not isinstance(ids, list) or not all(isinstance(i, str) and api.ID_RE.match(i) for i in ids):
                raise api.invalid("reply", str(ids)[:100], "$.reply.exclude_reply_user_ids: user ids")
            if ids and parent_id is None:
                raise api.invalid(
                    "reply", str(ids)[:100], "exclude_reply_user_ids requires in_reply_to_tweet_id"
                )
            if not isinstance(parent_id, str) or not api.ID_RE.match(parent_id):
                raise api.invalid("reply", str(parent_id)[:40], "$.reply.in_reply_to_tweet_id: a post id")
            exclude = set(ids)
        if weigh(text) > MAX_WEIGHT:
            raise api.problem(
                403,
                "Forbidden",
                "Your Tweet text is too long. For more information on how Twitter determines text length "
                "see https://github.com/twitter/twitter-text.",
            )
        post = self.create(author_id, text, parent_id, exclude)
        return 201, {
            "data": {"id": str(post.id), "text": post.text, "edit_history_tweet_ids": [str(post.id)]}
        }

    # --- the world ---------------------------------------------------------------------------
    def create(
        self, author_id: str, text: str, parent_id: str | None = None, exclude: set[str] = frozenset()
    ) -> Post:
        """A post (a reply when ``parent_id``) by ``author_id``; raises ApiError as X would refuse it."""
        world = self.sim.state  # type: ignore[attr-defined]
        with world.lock:  # check and create at once: two equal posts racing must not both pass
            if world.has_text(author_id, text):
                raise api.problem(403, "Forbidden", DUPLICATE)
            parent = world.posts.get(int(parent_id)) if parent_id else None
            if parent_id and parent is None:
                detail = "You attempted to reply to a Tweet that is deleted or not visible to you."
                raise api.problem(403, "Forbidden", detail)
            full = text
            if parent is not None:
                notified = [parent.author_id] + [m["id"] for m in parent.mentions]
                handles = dict.fromkeys(
                    world.users[u].username
                    for u in notified
                    if u != author_id and (u == parent.author_id or u not in exclude) and u in world.users
                )
                full = " ".join([*(f"@{h}" for h in handles), text])
            post = world.add_post(author_id, full, reply_to=parent.id if parent else None)
            world._texts.add((author_id, text))
            record = {
                "id": str(post.id),
                "author_id": author_id,
                "text": text,
                "in_reply_to": parent_id,
                "conversation_id": str(post.conversation_id or post.id),
                "mentions": [m["id"] for m in post.mentions],
                "at": time.time(),
            }
        with self._lock:
            self.created.append(record)
        if self.on_created is not None:
            self.on_created(record)
        return post

    def reply(self, author: dict, in_reply_to: str, text: str) -> dict:
        """A citizen's reply in a thread (``author``: username, name, optional user_id)."""
        world = self.sim.state  # type: ignore[attr-defined]
        user = world.add_user(
            author["username"], author.get("name", author["username"]), author.get("user_id")
        )
        return self.create(user.id, text, in_reply_to).as_json()

    def by_author(self, key: str) -> list[dict]:
        with self._lock:
            return [p for p in self.created if p["author_id"] == key]


def _created(sim, arg) -> dict:
    author = arg.get("author_id") if isinstance(arg, dict) else None
    with sim.posting._lock:
        posts = [p for p in sim.posting.created if author in (None, p["author_id"])]
    return {"posts": posts, "refused": list(sim.posting.refused)}


CONTROL_OPS: dict[tuple[str, str], Callable] = {
    ("GET", "/_sim/posts"): _created,
    ("POST", "/_sim/reply"): lambda sim, arg: sim.posting.reply(
        arg["author"], str(arg["in_reply_to"]), arg["text"]
    ),
    ("POST", "/_sim/storm"): lambda sim, arg: sim.posting.storm(
        int(arg["count"]), float(arg.get("reset_in_s", 60))
    ),
    ("POST", "/_sim/post_limits"): lambda sim, arg: vars(sim.posting.limits).update(
        {k: int(v) for k, v in arg.items() if k in vars(sim.posting.limits)}
    ),
}
