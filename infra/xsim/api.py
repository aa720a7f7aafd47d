"""X API v2 endpoints on a :class:`World`: parameters, paging, fields and error bodies.

Each handler takes the query parameters as a dict and returns ``(status, body)`` or
raises :class:`ApiError`; HTTP, auth, rate limits and faults live in ``server.py``.
Error bodies copy the real ones' shape (problem+json; 400 ``invalid-request`` with
``errors[{parameters, message}]``) so client code meets the same structures.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import datetime

from infra.xsim.state import Post, World, id_floor, iso_ms

PROBLEMS = "https://api.twitter.com/2/problems/"
ID_RE = re.compile(r"^[0-9]{1,19}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
SEARCH_WINDOW_MS = 7 * 24 * 3600 * 1000
TOKEN_PREFIX = "xs1"
QUERY_MAX_LEN = 512  # recent search without Enterprise access (x-api/posts/search/introduction.mdx)

TWEET_FIELDS = frozenset(
    [
        "attachments",
        "author_id",
        "card_uri",
        "context_annotations",
        "conversation_id",
        "created_at",
        "edit_controls",
        "edit_history_tweet_ids",
        "entities",
        "geo",
        "id",
        "in_reply_to_user_id",
        "lang",
        "non_public_metrics",
        "note_tweet",
        "organic_metrics",
        "possibly_sensitive",
        "promoted_metrics",
        "public_metrics",
        "referenced_tweets",
        "reply_settings",
        "scopes",
        "source",
        "text",
        "withheld",
    ]
)
USER_FIELDS = frozenset(
    [
        "affiliation",
        "connection_status",
        "created_at",
        "description",
        "entities",
        "id",
        "location",
        "most_recent_tweet_id",
        "name",
        "pinned_tweet_id",
        "profile_banner_url",
        "profile_image_url",
        "protected",
        "public_metrics",
        "receives_your_dm",
        "subscription_type",
        "url",
        "username",
        "verified",
        "verified_type",
        "withheld",
    ]
)
PLACE_FIELDS = frozenset(
    ["contained_within", "country", "country_code", "full_name", "geo", "id", "name", "place_type"]
)
EXPANSIONS = frozenset(
    [
        "attachments.media_keys",
        "attachments.poll_ids",
        "author_id",
        "edit_history_tweet_ids",
        "entities.mentions.username",
        "geo.place_id",
        "in_reply_to_user_id",
        "referenced_tweets.id",
        "referenced_tweets.id.author_id",
    ]
)
SHAPE_PARAMS = ("tweet.fields", "post.fields", "user.fields", "place.fields", "media.fields", "poll.fields")
SHAPE_PARAMS += ("expansions",)
MENTIONS_PARAMS = frozenset(
    ("since_id", "until_id", "max_results", "pagination_token", "start_time", "end_time")
)
SEARCH_PARAMS = frozenset(
    ("query", "since_id", "until_id", "max_results", "next_token", "pagination_token", "start_time")
    + ("end_time", "sort_order")
)


class ApiError(Exception):
    """An error response: HTTP status and the JSON body X would send."""

    def __init__(self, status: int, body: dict) -> None:
        super().__init__(f"{status} {body.get('title')}")
        self.status, self.body = status, body


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> ApiError:
    return ApiError(status, {"title": title, "type": kind, "status": status, "detail": detail})


def invalid(param: str, value: str, message: str) -> ApiError:
    return ApiError(
        400,
        {
            "errors": [{"parameters": {param: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": PROBLEMS + "invalid-request",
        },
    )


def not_found(param: str, value: str, what: str) -> dict:
    """A partial error inside a 200 body, as X sends for an unknown user."""
    return {
        "value": value,
        "detail": f"Could not find user with {what}: [{value}].",
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": param,
        "resource_id": value,
        "type": PROBLEMS + "resource-not-found",
    }


# --- parameters ---------------------------------------------------------------------
def check_known(params: dict[str, str], allowed: frozenset[str]) -> None:
    known = allowed | set(SHAPE_PARAMS)
    for name, value in params.items():
        if name not in known:
            names = ",".join(sorted(known))
            raise invalid(name, value, f"The query parameter [{name}] is not one of [{names}]")


def id_param(params: dict[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if not ID_RE.match(value):
        raise invalid(
            name, value, f"The `{name}` query parameter value [{value}] does not match ^[0-9]{{1,19}}$"
        )
    return int(value)


def time_param(params: dict[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value)
        if dt.tzinfo is None:
            raise ValueError(value)
    except ValueError:
        raise invalid(
            name, value, f"Invalid '{name}':'{value}'. '{name}' must be a valid RFC 3339 timestamp"
        ) from None
    return int(dt.timestamp() * 1000)


def max_results(params: dict[str, str], low: int, high: int, default: int) -> int:
    value = params.get("max_results", str(default))
    if not value.isdigit() or not low <= int(value) <= high:
        msg = f"The `max_results` query parameter value [{value}] is not between {low} and {high}"
        raise invalid("max_results", value, msg)
    return int(value)


def decode_token(params: dict[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        if not value.startswith(TOKEN_PREFIX):
            raise ValueError(value)
        return int(value[len(TOKEN_PREFIX) :], 36)
    except ValueError:
        raise invalid(name, value, f"The `{name}` query parameter value [{value}] is not valid") from None


def encode_token(post_id: int) -> str:
    """Opaque to clients; it carries the exclusive upper bound of the next page."""
    digits, n = "", post_id
    while n:
        n, r = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
    return TOKEN_PREFIX + (digits or "0")


@dataclass
class Shape:
    """What the caller asked to see: fields per object type and expansions."""

    tweet: set[str] = field(default_factory=lambda: {"id", "text", "edit_history_tweet_ids"})
    user: set[str] = field(default_factory=lambda: {"id", "name", "username"})
    place: set[str] = field(default_factory=lambda: {"id", "full_name"})
    expansions: set[str] = field(default_factory=set)


def parse_shape(params: dict[str, str]) -> Shape:
    shape = Shape()
    wanted = (
        ("tweet.fields", TWEET_FIELDS, shape.tweet),
        ("post.fields", TWEET_FIELDS, shape.tweet),
        ("user.fields", USER_FIELDS, shape.user),
        ("place.fields", PLACE_FIELDS, shape.place),
        ("expansions", EXPANSIONS, shape.expansions),
    )
    for name, allowed, into in wanted:
        for value in filter(None, params.get(name, "").split(",")):
            if value not in allowed:
                msg = f"The `{name}` query parameter value [{value}] is not one of [{','.join(sorted(allowed))}]"
                raise invalid(name, value, msg)
            into.add(value)
    return shape


# --- rendering ------------------------------------------------------------------------
def pick(doc: dict, fields: set[str]) -> dict:
    return {k: v for k, v in doc.items() if k in fields}


def render(world: World, posts: list[Post], shape: Shape) -> tuple[list[dict], dict]:
    """The posts as ``data`` items and the ``includes`` their expansions ask for."""
    ex = shape.expansions
    user_ids: dict[str, None] = {}
    ref_posts: dict[int, Post] = {}
    place_ids: dict[str, None] = {}
    for post in posts:
        if "author_id" in ex:
            user_ids[post.author_id] = None
        if "entities.mentions.username" in ex:
            user_ids.update(dict.fromkeys(m["id"] for m in post.mentions))
        if "in_reply_to_user_id" in ex and post.in_reply_to_user_id:
            user_ids[post.in_reply_to_user_id] = None
        if "geo.place_id" in ex and post.place_id:
            place_ids[post.place_id] = None
        if {"referenced_tweets.id", "referenced_tweets.id.author_id"} & ex:
            for _, ref_id in post.referenced:
                if ref_id in world.posts:
                    ref_posts[ref_id] = world.posts[ref_id]
    if "referenced_tweets.id.author_id" in ex:
        user_ids.update(dict.fromkeys(p.author_id for p in ref_posts.values()))
    includes: dict = {}
    users = [vars(world.users[u]) for u in user_ids if u in world.users]
    if users:
        includes["users"] = [pick(u, shape.user) for u in users]
    if ref_posts and "referenced_tweets.id" in ex:
        includes["tweets"] = [pick(p.as_json(), shape.tweet) for p in ref_posts.values()]
    places = [vars(world.places[p]) for p in place_ids if p in world.places]
    if places:
        includes["places"] = [pick(p, shape.place) for p in places]
    return [pick(p.as_json(), shape.tweet) for p in posts], includes


def timeline(world: World, ids: list[int], lo: int, hi: int | None, size: int, shape: Shape) -> dict:
    """One page of ``ids`` (ascending) in (lo, hi), newest first, with meta and next_token."""
    start = bisect.bisect_right(ids, lo)
    end = len(ids) if hi is None else bisect.bisect_left(ids, hi)
    window = ids[start:end]
    chosen = window[::-1][:size]
    if not chosen:
        return {"meta": {"result_count": 0}}
    with world.lock:
        posts = [world.posts[i] for i in chosen]
        data, includes = render(world, posts, shape)
    meta = {"newest_id": str(chosen[0]), "oldest_id": str(chosen[-1]), "result_count": len(chosen)}
    if len(window) > size:
        meta["next_token"] = encode_token(chosen[-1])
    body = {"data": data, "meta": meta}
    if includes:
        body["includes"] = includes
    return body


def bounds(params: dict[str, str], page_param: str, oldest_ms: int = 0) -> tuple[int, int | None]:
    """Exclusive id bounds; since_id beats start_time and until_id beats end_time, as on X."""
    since, until = id_param(params, "since_id"), id_param(params, "until_id")
    start, end = time_param(params, "start_time"), time_param(params, "end_time")
    lo = since if since is not None else id_floor(max(start or 0, oldest_ms)) - 1
    hi = until if until is not None else (id_floor(end) if end is not None else None)
    token = decode_token(params, page_param)
    if token is not None:
        hi = token if hi is None else min(hi, token)
    return max(lo, -1), hi


# --- endpoints ------------------------------------------------------------------------
def get_user_by_username(world: World, username: str, params: dict[str, str]) -> tuple[int, dict]:
    check_known(params, frozenset())
    if not USERNAME_RE.match(username):
        raise invalid(
            "username",
            username,
            f"The `username` query parameter value [{username}] does not match ^[A-Za-z0-9_]{{1,15}}$",
        )
    shape = parse_shape(params)
    user = world.user_by_username(username)
    if user is None:
        return 200, {"errors": [not_found("username", username, "username")]}
    return 200, {"data": pick(vars(user), shape.user)}


def get_mentions(world: World, user_id: str, params: dict[str, str]) -> tuple[int, dict]:
    check_known(params, MENTIONS_PARAMS)
    id_param({"id": user_id}, "id")
    size = max_results(params, 5, 100, 10)
    shape = parse_shape(params)
    lo, hi = bounds(params, "pagination_token")
    if user_id not in world.users:
        return 200, {"errors": [not_found("id", user_id, "id")]}  # a 200, with no data and no meta
    return 200, timeline(world, world.visible_mentions(user_id), lo, hi, size, shape)


def parse_query(query: str) -> tuple[list[str], bool, bool]:
    """The query subset Aduan uses: ``(@a OR @b …) -is:retweet -is:reply`` → (usernames, no RT, no replies)."""
    tokens = query.replace("(", " ").replace(")", " ").split()
    names, no_rt, no_reply, expect_name = [], False, False, True
    for tok in tokens:
        if tok == "-is:retweet":
            no_rt = True
        elif tok == "-is:reply":
            no_reply = True
        elif expect_name and tok.startswith("@") and USERNAME_RE.match(tok[1:]):
            names.append(tok[1:])
            expect_name = False
        elif not expect_name and tok == "OR":
            expect_name = True
        else:
            raise invalid("query", query, f"The simulator does not support [{tok}] in the query [{query}]")
    if len(query) > QUERY_MAX_LEN:
        msg = f"The `query` is {len(query)} characters long; at most {QUERY_MAX_LEN} are allowed"
        raise invalid("query", query, msg)
    if not names or expect_name:
        raise invalid("query", query, f"The `query` query parameter value [{query}] is not valid")
    return names, no_rt, no_reply


def search_recent(world: World, params: dict[str, str]) -> tuple[int, dict]:
    check_known(params, SEARCH_PARAMS)
    names, no_rt, no_reply = parse_query(params.get("query", ""))
    size = max_results(params, 10, 100, 10)
    shape = parse_shape(params)
    oldest = world.now_ms() - SEARCH_WINDOW_MS
    since = id_param(params, "since_id")
    if since is not None and since < id_floor(oldest):
        msg = f"Invalid 'since_id':'{since}'. 'since_id' must be a tweet id created after {iso_ms(oldest)}."
        raise invalid("since_id", str(since), msg)
    start = time_param(params, "start_time")
    if start is not None and start < oldest:
        msg = f"Invalid 'start_time':'{params['start_time']}'. 'start_time' must be on or after {iso_ms(oldest)}"
        raise invalid("start_time", params["start_time"], msg)
    lo, hi = bounds(params, "next_token" if "next_token" in params else "pagination_token", oldest)
    users = [u.id for u in map(world.user_by_username, names) if u]
    with world.lock:
        ids = [
            i
            for i in world.mentions_of_any(users)
            if not (no_rt and world.posts[i].is_retweet)
            and not (no_reply and world.posts[i].in_reply_to_user_id)
        ]
    return 200, timeline(world, ids, lo, hi, size, shape)


def create_post(world: World, author_id: str, body: object) -> tuple[int, dict]:
    if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"]:
        raise invalid("text", str(body)[:100], "$.text: a non-empty string is required")
    text = body["text"]
    if len(text) > 280:
        raise problem(403, "Forbidden", "Your Tweet text is too long.")
    reply = body.get("reply") or {}
    parent = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
    with world.lock:  # check and create at once: two equal posts racing must not both pass
        if world.has_text(author_id, text):
            raise problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        if parent is not None and (not ID_RE.match(str(parent)) or int(parent) not in world.posts):
            detail = "You attempted to reply to a Tweet that is deleted or not visible to you."
            raise problem(403, "Forbidden", detail)
        post = world.add_post(author_id, text, reply_to=int(parent) if parent else None)
    return 201, {"data": {"id": str(post.id), "text": post.text, "edit_history_tweet_ids": [str(post.id)]}}
