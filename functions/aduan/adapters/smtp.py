"""SMTP transport (``aduan.digest.delivery.Transport``): STARTTLS and login in production, plain on loopback."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    starttls: bool
    user: str = ""
    password: str = ""
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if not self.starttls and self.host not in LOOPBACK:
            raise ValueError(
                f"SMTP to {self.host} without STARTTLS would send mail and passwords in clear text"
            )

    def send(self, message: EmailMessage) -> None:
        """One connection per message: a digest run sends few, and a failure stays with its message."""
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)
