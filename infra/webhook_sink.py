"""A local receiver for agencies' alert webhooks: checks each signature the way an agency's system
would (``aduan.alerts.webhook.verify``) and keeps what arrived. Tests run it in-process; the demo too.

Loopback only. ``fail_next`` answers the next N deliveries with 503, to test retries.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aduan.alerts import webhook

HOST = "127.0.0.1"
MAX_BODY = 64 * 1024


class WebhookSink:
    """``with WebhookSink(port, keys) as sink:``; ``keys`` maps the URL path (``/kota-magelang``) to the
    agency's webhook key; ``sink.deliveries`` holds verified payloads, ``sink.refused`` the rest."""

    def __init__(self, port: int, keys: dict[str, str]) -> None:
        self.keys = keys
        self.deliveries: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, MAX_BODY))
                status = sink.receive(self.path, dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer((HOST, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def receive(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503
            key = self.keys.get(path)
            try:
                if key is None:
                    raise webhook.BadSignature(f"no key for {path}")
                webhook.verify(key, headers.get(webhook.SIGNATURE_HEADER, ""), body, datetime.now(UTC))
            except webhook.BadSignature as exc:
                self.refused.append(str(exc))
                return 401
            payload = json.loads(body)
            payload["_delivery"] = headers.get(webhook.DELIVERY_HEADER)
            payload["_path"] = path
            payload["_received_at"] = datetime.now(UTC).isoformat()
            self.deliveries.append(payload)
            return 204

    def __enter__(self) -> WebhookSink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
