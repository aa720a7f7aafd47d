"""The simulator: an HTTP server on 127.0.0.1 speaking X API v2, driven by tests.

``Simulator`` owns the world, the faults, the rate limits and the request log; its
methods (``generate``, ``post``, ``burst``, ``faults.add`` …) drive it in-process, and
the same operations are exposed under ``/_sim/…`` for the demo and other processes.
Request pipeline: route → bearer auth → injected fault → rate limit → endpoint.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from infra.xsim import api
from infra.xsim.faults import FaultPlan, RateLimits, RequestLog, headers
from infra.xsim.generator import DEFAULT_ACCOUNTS, Account, Draft, Generator
from infra.xsim.posting import CONTROL_OPS as POSTING_CONTROL
from infra.xsim.posting import Posting
from infra.xsim.state import MENTION_RE, Place, Post, World

Reply = tuple[int, dict | bytes, dict[str, str]]
DEFAULT_AUTHOR = {"username": "warga_sim", "name": "Warga Simulasi"}
NOT_FOUND = {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}


class Simulator:
    """A stateful X API v2 simulator; ``start()`` serves it, the methods drive it."""

    def __init__(
        self,
        seed: int = 1,
        accounts: list[Account] | tuple[Account, ...] = DEFAULT_ACCOUNTS,
        clock: Callable[[], float] = time.time,
        limits: dict[str, int] | None = None,
    ) -> None:
        self.state = World(clock)
        self.faults = FaultPlan()
        self.revoked_tokens, self.forbidden_tokens = {"revoked"}, {"forbidden"}
        self._limits = limits
        self._server: ThreadingHTTPServer | None = None
        self.posting: Posting | None = None
        self.reset(seed, list(accounts))

    # --- driving the world ----------------------------------------------------------
    def reset(self, seed: int = 1, accounts: list[Account] | None = None) -> None:
        """Empties the world, faults, limits and log; same seed, same traffic afterwards."""
        self.state.reset()
        self.faults.clear()
        self.limits = RateLimits(self._limits)
        self.log = RequestLog()
        self.generator = Generator(accounts or self.generator.accounts, seed)
        self.set_accounts(self.generator.accounts)
        self.posting = Posting(self)  # POST /2/tweets: OAuth 1.0a, replies, threads, limits

    def set_accounts(self, accounts: list[Account]) -> None:
        """The agency accounts; the first one is the author of ``POST /2/tweets``."""
        self.generator.accounts = list(accounts)
        for acc in accounts:
            self.state.add_user(acc.username, acc.name or acc.username, acc.user_id, verified=True)
        self.poster_id = accounts[0].user_id
        if self.posting is not None:
            self.posting.register_local()

    def account(self, key: str) -> Account:
        for acc in self.generator.accounts:
            if key in (acc.username, acc.user_id):
                return acc
        raise KeyError(f"unknown account {key!r}")

    def generate(
        self, count: int, accounts: list[str] | None = None, minutes: float = 60, seed: int | None = None
    ) -> list[str]:
        """Creates ``count`` posts over the last ``minutes`` (but after every existing post, so
        none is indexed late), oldest first; returns their ids."""
        gen = self.generator if seed is None else Generator(self.generator.accounts, seed)
        pool = [self.account(a) for a in accounts] if accounts else None
        drafts = gen.drafts(count, pool)
        now = self.state.now_ms()
        span = min(int(minutes * 60_000), max(0, now - self.state.newest_ms - 1))
        times = sorted(now - int(gen.rng.random() * span) for _ in drafts)
        return [str(self._create(d, t).id) for d, t in zip(drafts, times, strict=True)]

    def _create(self, draft: Draft, created_ms: int) -> Post:
        author = self.state.add_user(draft.author.username, draft.author.name, draft.author.user_id)
        to = self.account(draft.to[0]).user_id
        parent_ids = self.state.visible_mentions(to)
        parent = self.state.posts[parent_ids[-1]] if draft.ref and parent_ids else None
        text, reply_to, ref = draft.text, None, None
        if parent and draft.ref == "replied_to":
            text, reply_to = f"@{self.state.users[parent.author_id].username} {text}", parent.id
        elif parent and draft.ref == "retweeted":
            text, ref = (
                f"RT @{self.state.users[parent.author_id].username}: {parent.text}",
                ("retweeted", parent.id),
            )
        elif parent:
            ref = ("quoted", parent.id)
        place = self._place(draft.place_code) if draft.place_code else None
        return self.state.add_post(
            author.id,
            text,
            created_ms=created_ms,
            lang=draft.lang,
            reply_to=reply_to,
            ref=ref,
            place_id=place,
        )

    def _place(self, regency: str) -> str:
        name = self.generator.regencies.get(regency, "Jawa Tengah")
        pid = hashlib.sha256(regency.encode()).hexdigest()[:16]
        return self.state.add_place(Place(pid, f"{name}, Jawa Tengah", name)).id

    def post(
        self,
        to: list[str],
        text: str,
        author: dict | None = None,
        late: bool = False,
        late_by_s: float = 60,
        index_lag_s: float = 0,
    ) -> dict:
        """One post to the ``to`` accounts. ``late``: its id and time are ``late_by_s`` older than the
        newest mention already visible to them, yet it appears only now. ``index_lag_s``: created now,
        visible only that much later (both are X's late indexing)."""
        accounts = [self.account(a) for a in to]
        missing = [f"@{a.username}" for a in accounts if f"@{a.username}".lower() not in text.lower()]
        a = {**DEFAULT_AUTHOR, **(author or {})}
        user = self.state.add_user(a["username"], a["name"], a.get("user_id"))
        created = None
        if late:
            newest = self.state.newest_mention_ms([acc.user_id for acc in accounts]) or self.state.now_ms()
            created = min(newest, self.state.now_ms()) - int(late_by_s * 1000)
        visible = self.state.now_ms() + int(index_lag_s * 1000) if index_lag_s else None
        post = self.state.add_post(
            user.id, " ".join([*missing, text]), created_ms=created, visible_ms=visible
        )
        return post.as_json()

    def burst(self, account: str, count: int) -> list[str]:
        """``count`` mentions of one account within the last minute (above 800, older ones vanish)."""
        return self.generate(count, accounts=[account], minutes=1)

    def stats(self) -> dict:
        """Request counters, posts served, the world's size and the faults that fired."""
        mentions = {a.username: self.state.mention_count(a.user_id) for a in self.generator.accounts}
        world = {"users": len(self.state.users), "posts": len(self.state.posts), "mentions": mentions}
        return {**self.log.stats(), "world": world, "faults_fired": list(self.faults.fired)}

    # --- serving ---------------------------------------------------------------------------
    def start(self, port: int = 0) -> str:
        """Serves on 127.0.0.1:``port`` (0 = any free port) in a thread; returns the base URL."""
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self._server.sim = self  # type: ignore[attr-defined]
        threading.Thread(target=self._server.serve_forever, args=(0.1,), name="xsim", daemon=True).start()
        return self.base_url

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("simulator not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def handle(self, method: str, target: str, auth: str, body: bytes) -> Reply | None:
        """One HTTP request → (status, JSON body, headers); ``None`` means drop the connection."""
        url = urlsplit(target)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        if url.path.startswith("/_sim/"):
            return control(self, method, url.path, body)
        if self.posting.handles(method, url.path):
            return self.posting.handle(method, target, auth, body)
        route = self._route(method, url.path, params, body)
        if route is None:
            return 404, NOT_FOUND, {}
        endpoint, accounts, call = route
        number = self.log.next_number(endpoint, accounts)
        status, doc, extra = self._serve(endpoint, accounts, call, auth, number)
        if status < 0:
            self.log.record(number, endpoint, target, 0, [])  # status 0: hung up without an answer
            return None
        data = doc.get("data") if isinstance(doc, dict) else None
        posts = [d["id"] for d in data if isinstance(d, dict) and "id" in d] if isinstance(data, list) else []
        self.log.record(number, endpoint, target, status, posts, self.state.now_ms())
        return status, doc, extra

    def _route(self, method: str, path: str, params: dict[str, str], body: bytes):
        parts = path.strip("/").split("/")
        world = self.state
        if (
            method == "GET"
            and parts[:3] == ["2", "users", "by"]
            and len(parts) == 5
            and parts[3] == "username"
        ):
            user = world.user_by_username(parts[4])
            return (
                "users",
                [user.id] if user else [],
                lambda: api.get_user_by_username(world, parts[4], params),
            )
        if method == "GET" and len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "mentions":
            return "mentions", [parts[2]], lambda: api.get_mentions(world, parts[2], params)
        if method == "GET" and parts == ["2", "tweets", "search", "recent"]:
            names = MENTION_RE.findall(params.get("query", ""))
            ids = [u.id for u in map(world.user_by_username, names) if u]
            return "search", ids, lambda: api.search_recent(world, params)
        if method == "POST" and parts == ["2", "tweets"]:
            return "post", [self.poster_id], lambda: api.create_post(world, self.poster_id, _json(body))
        return None

    def _serve(
        self, endpoint: str, accounts: list[str], call: Callable[[], tuple[int, dict]], auth: str, number: int
    ) -> tuple[int, dict | bytes, dict]:
        now = self.state.clock()
        try:
            self._authorize(auth)
        except api.ApiError as err:
            return err.status, err.body, self.limits.spend(endpoint, now, consume=False)[1]
        fault = self.faults.take(endpoint, accounts, number)
        if fault and fault.kind == "drop":
            return -1, {}, {}
        if fault and fault.kind == "slow":
            time.sleep(fault.delay_s)
        if fault and fault.kind == "503":
            err = api.problem(503, "Service Unavailable", "Service Unavailable")
            return err.status, err.body, self.limits.spend(endpoint, now, consume=False)[1]
        allowed, limit_headers = self.limits.spend(endpoint, now, consume=not (fault and fault.kind == "429"))
        if fault and fault.kind == "429":
            limit = limit_headers["x-rate-limit-limit"]
            limit_headers, allowed = headers(int(limit), 0, now + fault.reset_in_s), False
        if not allowed:
            err = api.problem(429, "Too Many Requests", "Too Many Requests")
            return err.status, err.body, limit_headers
        try:
            status, doc = call()
        except api.ApiError as err:
            status, doc = err.status, err.body
        if fault and fault.kind in CORRUPT and status == 200:
            doc = CORRUPT[fault.kind](doc)
        return status, doc, limit_headers

    def _authorize(self, auth: str) -> None:
        scheme, _, token = auth.partition(" ")
        if scheme not in ("Bearer", "OAuth") or not token or token in self.revoked_tokens:
            raise api.problem(401, "Unauthorized", "Unauthorized")
        if token in self.forbidden_tokens:
            raise api.ApiError(
                403,
                {
                    "title": "Client Forbidden",
                    "detail": "This request must be made using an approved developer account that is enrolled "
                    "in the requested endpoint.",
                    "reason": "client-not-enrolled",
                    "type": api.PROBLEMS + "client-forbidden",
                },
            )


def _bad_meta(doc: dict) -> dict:
    """The page with ``meta.newest_id`` that is no id (what a broken proxy or a bad release sends)."""
    return {**doc, "meta": {**doc.get("meta", {}), "newest_id": "1.862e18", "result_count": "banyak"}}


def _garbage(doc: dict) -> bytes:
    """A 200 whose body is not JSON (an HTML error page from something between)."""
    return b"<html><body>502 Bad Gateway</body></html>"


# Faults that let the endpoint answer and then spoil a 200.
CORRUPT: dict[str, Callable[[dict], dict | bytes]] = {"malformed": _bad_meta, "garbage": _garbage}


def _json(body: bytes) -> object:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None


def control(sim: Simulator, method: str, path: str, body: bytes) -> Reply:
    """The ``/_sim/…`` control API: the in-process methods, over HTTP."""
    arg = _json(body)
    arg = {} if arg is None else arg
    op = CONTROL.get((method, path))
    if op is None:
        return 404, {"error": f"no control operation {method} {path}"}, {}
    try:
        result = op(sim, arg)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return 400, {"error": f"{type(err).__name__}: {err}"}, {}
    return 200, result or {"ok": True}, {}


def _set_accounts(sim: Simulator, arg: list[dict]) -> None:
    sim.set_accounts([Account(a["username"], str(a["user_id"]), a.get("name", "")) for a in arg])


def _set_limits(sim: Simulator, arg: dict[str, int]) -> None:
    for endpoint, limit in arg.items():
        sim.limits.set_limit(endpoint, int(limit))


def _set_tokens(sim: Simulator, arg: dict[str, list[str]]) -> None:
    sim.revoked_tokens.update(arg.get("revoked", []))
    sim.forbidden_tokens.update(arg.get("forbidden", []))


CONTROL: dict[tuple[str, str], Callable[[Simulator, object], dict | None]] = {
    ("POST", "/_sim/reset"): lambda sim, arg: sim.reset(int(arg.get("seed", 1))),
    ("POST", "/_sim/accounts"): _set_accounts,
    ("POST", "/_sim/generate"): lambda sim, arg: {"ids": sim.generate(**arg)},
    ("POST", "/_sim/post"): lambda sim, arg: sim.post(**arg),
    ("POST", "/_sim/burst"): lambda sim, arg: {"ids": sim.burst(arg["account"], int(arg["count"]))},
    ("POST", "/_sim/faults"): lambda sim, arg: {"installed": len(sim.faults.add(*arg))},
    ("DELETE", "/_sim/faults"): lambda sim, arg: sim.faults.clear(),
    ("POST", "/_sim/limits"): _set_limits,
    ("POST", "/_sim/tokens"): _set_tokens,
    ("GET", "/_sim/stats"): lambda sim, arg: sim.stats(),
    ("GET", "/_sim/requests"): lambda sim, arg: {"requests": list(sim.log.entries)},
    **POSTING_CONTROL,
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection frees its thread

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        reply = self.server.sim.handle(method, self.path, self.headers.get("Authorization", ""), raw)  # type: ignore[attr-defined]
        if reply is None:  # injected fault: hang up without an answer
            self.close_connection = True
            return
        status, doc, extra = reply
        if isinstance(doc, bytes):  # an injected non-JSON answer
            data, content_type = doc, "text/html; charset=utf-8"
        else:
            try:
                data = json.dumps(doc, ensure_ascii=False).encode()
            except UnicodeEncodeError:  # a lone surrogate (a post cut mid-emoji) travels only as a \u escape
                data = json.dumps(doc).encode()
            problem = status >= 400 and "type" in doc
            content_type = "application/problem+json" if problem else "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the request log is in ``Simulator.log``."""
