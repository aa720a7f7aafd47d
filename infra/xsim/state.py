"""The simulated X world: users, places and posts, indexed the way the API reads them.

Post ids are snowflakes built from the creation time, so ordering by id is ordering
by time, as on X. X indexes some posts late (seconds, at times minutes): such a post
has its id from its creation but becomes visible to the mentions timeline and search
only at ``visible_ms``, after newer posts. That is what makes ``since_id`` polling lose
posts unless the poller re-reads a look-back below its checkpoint.
All access goes through one lock because the HTTP server is multi-threaded.
"""

from __future__ import annotations

import bisect
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

TWEPOCH_MS = 1288834974657  # X's snowflake epoch (2010-11-04T01:42:54.657Z)
MENTIONS_VISIBLE = 800  # the mentions timeline only shows the 800 newest
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{1,15})")


def iso_ms(epoch_ms: int) -> str:
    """X's timestamp format, always with milliseconds (tweepy's parser requires them)."""
    dt = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def id_floor(epoch_ms: int) -> int:
    """The smallest snowflake that can be created at ``epoch_ms``."""
    return max(0, epoch_ms - TWEPOCH_MS) << 22


def id_time_ms(post_id: int) -> int:
    return (post_id >> 22) + TWEPOCH_MS


@dataclass
class User:
    id: str
    username: str
    name: str
    created_at: str = "2015-06-01T00:00:00.000Z"
    description: str = ""
    location: str = ""
    verified: bool = False
    protected: bool = False


@dataclass
class Place:
    id: str
    full_name: str
    name: str
    country: str = "Indonesia"
    country_code: str = "ID"
    place_type: str = "city"


@dataclass
class Post:
    id: int
    text: str
    author_id: str
    created_ms: int
    lang: str = "in"
    conversation_id: int = 0
    in_reply_to_user_id: str | None = None
    referenced: list[tuple[str, int]] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    place_id: str | None = None
    visible_ms: int = 0  # when X's index shows it (its creation, or later for a late-indexed post)

    @property
    def is_retweet(self) -> bool:
        return any(kind == "retweeted" for kind, _ in self.referenced)

    def as_json(self) -> dict:
        """Every field the simulator knows; the API layer keeps only the requested ones."""
        doc: dict = {
            "id": str(self.id),
            "text": self.text,
            "edit_history_tweet_ids": [str(self.id)],
            "author_id": self.author_id,
            "created_at": iso_ms(self.created_ms),
            "lang": self.lang,
            "conversation_id": str(self.conversation_id or self.id),
        }
        if self.in_reply_to_user_id:
            doc["in_reply_to_user_id"] = self.in_reply_to_user_id
        if self.referenced:
            doc["referenced_tweets"] = [{"type": k, "id": str(i)} for k, i in self.referenced]
        if self.mentions:
            doc["entities"] = {"mentions": [dict(m) for m in self.mentions]}
        if self.place_id:
            doc["geo"] = {"place_id": self.place_id}
        return doc


class World:
    """Users, places and posts, plus the per-user mention index (ids ascending)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.users: dict[str, User] = {}
            self._by_username: dict[str, str] = {}
            self.places: dict[str, Place] = {}
            self.posts: dict[int, Post] = {}
            self._mentions: dict[str, list[int]] = {}
            self._unindexed: list[Post] = []  # created, not yet visible (late indexing)
            self._seq: dict[int, int] = {}
            self.newest_ms = 0  # creation time of the newest post
            self._texts: set[tuple[str, str]] = set()  # (author id, text): X refuses duplicates

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    # --- users and places -------------------------------------------------------
    def add_user(self, username: str, name: str, user_id: str | None = None, **extra) -> User:
        """Adds a user, or returns the existing one with that username (case-insensitive)."""
        with self.lock:
            known = self._by_username.get(username.lower())
            if known:
                return self.users[known]
            uid = user_id or str(10**15 + len(self.users))
            user = User(id=uid, username=username, name=name, **extra)
            self.users[uid] = user
            self._by_username[username.lower()] = uid
            return user

    def user_by_username(self, username: str) -> User | None:
        with self.lock:
            uid = self._by_username.get(username.lower())
            return self.users.get(uid) if uid else None

    def add_place(self, place: Place) -> Place:
        with self.lock:
            return self.places.setdefault(place.id, place)

    # --- posts ------------------------------------------------------------------
    def _new_id(self, created_ms: int) -> int:
        seq = self._seq.get(created_ms, 0)
        self._seq[created_ms] = seq + 1
        return id_floor(created_ms) | (seq & 0x3FFFFF)

    def _mention_entities(self, text: str) -> list[dict]:
        found = []
        for m in MENTION_RE.finditer(text):
            uid = self._by_username.get(m.group(1).lower())
            if uid:
                user = self.users[uid]
                found.append({"start": m.start(), "end": m.end(), "username": user.username, "id": uid})
        return found

    def newest_mention_ms(self, user_ids: Iterable[str]) -> int | None:
        with self.lock:
            newest = [self._mentions[u][-1] for u in user_ids if self._mentions.get(u)]
            return id_time_ms(max(newest)) if newest else None

    def add_post(
        self,
        author_id: str,
        text: str,
        *,
        created_ms: int | None = None,
        lang: str = "in",
        reply_to: int | None = None,
        ref: tuple[str, int] | None = None,
        place_id: str | None = None,
        visible_ms: int | None = None,
    ) -> Post:
        """Creates a post, visible from ``visible_ms`` (default: now). ``created_ms`` in the past, or
        ``visible_ms`` in the future, makes it a late-indexed one."""
        with self.lock:
            created = self.now_ms() if created_ms is None else created_ms
            post = Post(id=self._new_id(created), text=text, author_id=author_id, created_ms=created)
            post.lang, post.place_id = lang, place_id
            post.visible_ms = self.now_ms() if visible_ms is None else visible_ms
            post.mentions = self._mention_entities(text)
            parent = self.posts.get(reply_to) if reply_to else None
            if parent:
                post.referenced.append(("replied_to", parent.id))
                post.in_reply_to_user_id = parent.author_id
                post.conversation_id = parent.conversation_id or parent.id
            if ref and ref[1] in self.posts:
                post.referenced.append(ref)
            self.posts[post.id] = post
            self.newest_ms = max(self.newest_ms, created)
            self._texts.add((author_id, text))
            if post.visible_ms > self.now_ms():
                self._unindexed.append(post)
            else:
                self._index(post)
            return post

    def _index(self, post: Post) -> None:
        for uid in {m["id"] for m in post.mentions}:
            bisect.insort(self._mentions.setdefault(uid, []), post.id)

    def _index_due(self) -> None:
        """Makes visible the late-indexed posts whose time has come (called before every read)."""
        now = self.now_ms()
        due = [p for p in self._unindexed if p.visible_ms <= now]
        if due:
            self._unindexed = [p for p in self._unindexed if p.visible_ms > now]
            for post in due:
                self._index(post)

    def has_text(self, author_id: str, text: str) -> bool:
        """X refuses a post whose text repeats one of the author's own posts."""
        with self.lock:
            return (author_id, text) in self._texts

    def visible_mentions(self, user_id: str) -> list[int]:
        """Ids (ascending) of the mentions the API still shows: the 800 newest."""
        with self.lock:
            self._index_due()
            return list(self._mentions.get(user_id, [])[-MENTIONS_VISIBLE:])

    def mentions_of_any(self, user_ids: Iterable[str]) -> list[int]:
        """Ids (ascending) of posts mentioning any of the users, each post once."""
        with self.lock:
            self._index_due()
            return sorted({pid for u in user_ids for pid in self._mentions.get(u, [])})

    def mention_count(self, user_id: str) -> int:
        with self.lock:
            self._index_due()
            return len(self._mentions.get(user_id, []))
