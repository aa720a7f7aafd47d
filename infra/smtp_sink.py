"""A local SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message as ``.eml`` and ``.html``.

Tests run it in-process (``SmtpSink``), the demo as a command:

    python -m infra.smtp_sink --port 8025 --out build/mail

``fail_next`` makes it answer the next N messages with a temporary failure (451),
the way a real server does when it is overloaded, to test retries.
"""

from __future__ import annotations

import argparse
import re
import signal
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


class SinkHandler:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.messages: list[EmailMessage] = []
        self.fail_next = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return "451 4.3.0 Temporary failure, try again later"
            message = message_from_bytes(envelope.content, policy=policy.default)
            self.messages.append(message)
            number = len(self.messages)
        stem = self.out / f"{number:04d}-{_safe(envelope.rcpt_tos[0] if envelope.rcpt_tos else 'unknown')}"
        stem.with_suffix(".eml").write_bytes(envelope.content)
        html = message.get_body(preferencelist=("html",))
        if html is not None:
            stem.with_suffix(".html").write_text(html.get_content(), encoding="utf-8")
        return "250 OK"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80]


class SmtpSink:
    """Start with ``with SmtpSink(port, out) as sink:``; ``sink.messages`` holds what arrived."""

    def __init__(self, port: int, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.handler = SinkHandler(out)
        self.controller = Controller(self.handler, hostname=HOST, port=port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def fail_next(self, count: int) -> None:
        with self.handler.lock:
            self.handler.fail_next = count

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    with SmtpSink(args.port, args.out):
        print(f"SMTP sink on {HOST}:{args.port}, saving to {args.out.resolve()}", flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})


if __name__ == "__main__":
    main()
