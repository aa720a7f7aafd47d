"""The ``aduan.mention/1`` message: one citizen post on the ``mentions`` topic.

Built here from an X API v2 post (plus the response's ``includes``) by the
fetcher, and parsed back here by the classifier, so both sides share one
definition of the contract in DESIGN.md.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from aduan.names import MESSAGE_SCHEMA

MAX_TEXT_CHARS = 25_000  # X allows 25,000 characters for long posts; anything bigger is not a post
MAX_MESSAGE_BYTES = 256 * 1024
MAX_DEPTH = 16  # the contract nests 3 deep; Firestore refuses maps deeper than 20
MAX_INT_DIGITS = 20  # an id is a string; a number beyond int64 is no field of the contract
SOURCE = re.compile(r"[a-z0-9]{1,32}")  # x, whatsapp, web, open311: the report id's prefix
SOURCE_ID = re.compile(r"[A-Za-z0-9._:=+-]{1,128}")  # becomes a Firestore id, a URL and log field


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """Replace lone UTF-16 surrogates (a post cut mid-emoji; a ``\\ud83d`` escape in JSON) with U+FFFD.

    JSON may carry them, but UTF-8 — Pub/Sub data, Firestore strings — cannot: left in, one such
    post would make every poll cycle (or every delivery) fail on it.
    """
    return _LONE_SURROGATE.sub("\ufffd", text)


class PoisonMessage(ValueError):
    """A message that can never be processed, however often it is redelivered."""


@dataclass(frozen=True)
class Author:
    id: str
    username: str
    name: str


@dataclass(frozen=True)
class Mention:
    source: str
    source_id: str
    url: str
    text: str
    lang: str | None
    created_at: str
    author: Author
    to_accounts: tuple[str, ...]
    conversation_id: str | None
    in_reply_to_user_id: str | None
    referenced: tuple[dict[str, str], ...]
    place: dict[str, Any] | None
    fetched_at: str
    # Every user the post mentions (ids): a reply must not notify the others (exclude_reply_user_ids).
    mentioned_user_ids: tuple[str, ...] = ()
    schema: str = MESSAGE_SCHEMA
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def report_id(self) -> str:
        """The Firestore id of the report this post becomes: one per post, whatever the redelivery."""
        return f"{self.source}-{self.source_id}"

    def to_message(self) -> tuple[bytes, dict[str, str]]:
        """Pub/Sub data and attributes."""
        body = asdict(self)
        body.pop("extra")
        body["to_accounts"] = list(self.to_accounts)
        body["referenced"] = list(self.referenced)
        body["mentioned_user_ids"] = list(self.mentioned_user_ids)
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return data, {"source": self.source, "source_id": self.source_id, "schema": self.schema}


def from_x_post(
    post: Mapping[str, Any], includes: Mapping[str, Any], polled: set[str], fetched_at: str
) -> Mention:
    """A Mention from an X API v2 post; ``polled`` holds the lower-case usernames Aduan polls."""
    users = {u["id"]: u for u in includes.get("users", ())}
    places = {p["id"]: p for p in includes.get("places", ())}
    author_raw = users.get(post.get("author_id", ""), {})
    author = Author(
        id=str(post.get("author_id", "")),
        username=clean(str(author_raw.get("username", ""))),
        name=clean(str(author_raw.get("name", ""))),
    )
    mentioned = [m.get("username", "") for m in post.get("entities", {}).get("mentions", ())]
    to_accounts = tuple(dict.fromkeys(u.lower() for u in mentioned if u.lower() in polled))
    place = None
    place_id = (post.get("geo") or {}).get("place_id")
    if place_id:
        raw = places.get(place_id, {})
        place = {"full_name": raw.get("full_name"), "geo": raw.get("geo")}
    handle = author.username or "i"
    return Mention(
        source="x",
        source_id=str(post["id"]),
        url=f"https://x.com/{handle}/status/{post['id']}",
        text=clean(str(post.get("text", ""))),
        lang=post.get("lang"),
        created_at=str(post.get("created_at", fetched_at)),
        author=author,
        to_accounts=to_accounts,
        conversation_id=post.get("conversation_id"),
        in_reply_to_user_id=post.get("in_reply_to_user_id"),
        referenced=tuple({"type": r["type"], "id": str(r["id"])} for r in post.get("referenced_tweets", ())),
        place=place,
        fetched_at=fetched_at,
        mentioned_user_ids=tuple(
            dict.fromkeys(str(m["id"]) for m in post.get("entities", {}).get("mentions", ()) if m.get("id"))
        ),
    )


def _require(
    body: Mapping[str, Any], name: str, kind: type | tuple[type, ...], optional: bool = False
) -> Any:
    if name not in body or body[name] is None:
        if optional:
            return None
        raise PoisonMessage(f"missing field '{name}'")
    value = body[name]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise PoisonMessage(
            f"field '{name}' must be {getattr(kind, '__name__', kind)}, got {type(value).__name__}"
        )
    return value


def _clean_tree(value: Any, depth: int = 0) -> Any:
    """Surrogates cleaned throughout; refused beyond ``MAX_DEPTH`` (bounded recursion)."""
    if depth > MAX_DEPTH:
        raise PoisonMessage(f"data nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k): _clean_tree(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_tree(v, depth + 1) for v in value]
    return value


def _no_constant(name: str) -> Any:
    raise PoisonMessage(f"data holds {name}, which is not JSON")


def _finite_float(digits: str) -> float:
    value = float(digits)
    if math.isinf(value):
        raise PoisonMessage(f"data holds a number beyond float range ({digits[:20]}…)")
    return value


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise PoisonMessage(f"data holds a {len(digits)}-digit number")
    return int(digits)


def _load(data: bytes) -> Any:
    """JSON, or PoisonMessage for every way hostile bytes make ``json.loads`` raise: invalid UTF-8,
    bad syntax, nesting beyond the interpreter's stack (RecursionError), NaN/Infinity, huge numbers."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PoisonMessage(f"data is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        return json.loads(
            text, parse_constant=_no_constant, parse_int=_bounded_int, parse_float=_finite_float
        )
    except json.JSONDecodeError as exc:
        raise PoisonMessage(f"data is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise PoisonMessage(f"data nests deeper than {MAX_DEPTH} levels") from None


def _author(body: Mapping[str, Any]) -> Author:
    raw = _require(body, "author", dict)
    values = {name: raw.get(name, "") for name in ("id", "username", "name")}
    wrong = [name for name, value in values.items() if not isinstance(value, str)]
    if wrong:
        raise PoisonMessage(f"field 'author.{wrong[0]}' must be str, got {type(values[wrong[0]]).__name__}")
    return Author(**values)


def _time(body: Mapping[str, Any], name: str) -> str:
    """An ISO 8601 time that converts to UTC (an offset can push year 1 or 9999 out of range)."""
    value = _require(body, name, str)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise PoisonMessage(f"field '{name}' is not an ISO 8601 time in range: {value[:40]!r}") from None
    return value


def parse_message(data: bytes) -> Mention:
    """Validate a ``mentions`` message; raises PoisonMessage with the reason when it never can be."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise PoisonMessage(f"message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    body = _load(data)
    if not isinstance(body, dict):
        raise PoisonMessage(f"data must be a JSON object, got {type(body).__name__}")
    body = _clean_tree(body)
    schema = _require(body, "schema", str)
    if schema != MESSAGE_SCHEMA:
        raise PoisonMessage(f"unknown schema {schema[:60]!r} (expected {MESSAGE_SCHEMA})")
    text = _require(body, "text", str)
    if len(text) > MAX_TEXT_CHARS:
        raise PoisonMessage(f"text of {len(text)} characters exceeds {MAX_TEXT_CHARS}")
    source_id = _require(body, "source_id", str)
    source = _require(body, "source", str)
    if not SOURCE.fullmatch(source):
        raise PoisonMessage(f"field 'source' {source[:40]!r} does not match {SOURCE.pattern}")
    if not SOURCE_ID.fullmatch(source_id):
        raise PoisonMessage(f"field 'source_id' {source_id[:40]!r} does not match {SOURCE_ID.pattern}")
    author = _author(body)
    to_accounts = _require(body, "to_accounts", list)
    if not all(isinstance(a, str) for a in to_accounts):
        raise PoisonMessage("field 'to_accounts' must be a list of strings")
    referenced = _require(body, "referenced", list, optional=True) or []
    place = _require(body, "place", dict, optional=True)
    known = {f for f in Mention.__dataclass_fields__ if f != "extra"}
    return Mention(
        source=source,
        source_id=source_id,
        url=_require(body, "url", str),
        text=text,
        lang=_require(body, "lang", str, optional=True),
        created_at=_time(body, "created_at"),
        author=author,
        to_accounts=tuple(a.lower() for a in to_accounts),
        conversation_id=_require(body, "conversation_id", str, optional=True),
        in_reply_to_user_id=_require(body, "in_reply_to_user_id", str, optional=True),
        referenced=tuple(r for r in referenced if isinstance(r, dict)),
        place=place,
        fetched_at=_time(body, "fetched_at"),
        mentioned_user_ids=tuple(
            str(u)
            for u in (_require(body, "mentioned_user_ids", list, optional=True) or [])
            if isinstance(u, str)
        ),
        extra={k: v for k, v in body.items() if k not in known},
    )
