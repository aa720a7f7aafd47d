"""Mail settings from the environment, shared by the digests and the urgent alerts.

Kept apart from the digest's rendering so ``classify_mention`` can check them at
start-up without importing Jinja2, Babel and the CSS inliner on its cold path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from aduan import names
from aduan.config import ConfigError
from aduan.digest import mime
from aduan.settings import http_url, signing_key
from aduan.settings import text as env_text

SOURCE = "environment"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
SMTP_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}|\[?[0-9A-Fa-f:.]{2,45}\]?")


def fail(var: str, problem: str) -> ConfigError:
    return ConfigError(SOURCE, var, "value", problem)


@dataclass(frozen=True)
class MailSettings:
    smtp_host: str
    smtp_port: int
    smtp_starttls: bool
    smtp_user: str
    smtp_password: str
    sender: str
    status_base_url: str
    link_key: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MailSettings:
        """Every mail setting, checked before the first send: a bad one fails the instance's start,
        naming the variable, instead of failing (or silently degrading) Monday's digests."""
        host = env_text(env, names.ENV_SMTP_HOST, pattern=SMTP_HOST)
        if not host:
            raise fail(names.ENV_SMTP_HOST, "is required (the SMTP server that sends the digests)")
        loopback = host in LOOPBACK
        starttls_raw = env.get(names.ENV_SMTP_STARTTLS, "0" if loopback else "1").strip().lower()
        if starttls_raw not in _TRUE + _FALSE:
            raise fail(names.ENV_SMTP_STARTTLS, f"must be true or false, got {starttls_raw!r}")
        starttls = starttls_raw in _TRUE
        if not starttls and not loopback:
            raise fail(names.ENV_SMTP_STARTTLS, f"must be true for a non-loopback server ({host})")
        port_raw = env.get(names.ENV_SMTP_PORT, "") or ("587" if starttls else "25")
        if not re.fullmatch(r"[0-9]{1,5}", port_raw) or not 0 < int(port_raw) < 65536:
            raise fail(names.ENV_SMTP_PORT, f"must be a TCP port number, got {port_raw!r}")
        user = env_text(env, names.ENV_SMTP_USER)
        password = env_text(env, names.ENV_SMTP_PASSWORD, hidden=True)
        if user and not password:
            raise fail(names.ENV_SMTP_PASSWORD, f"is required when {names.ENV_SMTP_USER} is set")
        sender = env.get(names.ENV_MAIL_FROM, "") or (
            "Aduan <aduan@localhost.localdomain>" if loopback else ""
        )
        if not sender:
            raise fail(names.ENV_MAIL_FROM, "is required, e.g. 'Aduan Jateng <aduan@jatengprov.go.id>'")
        try:
            mime.address(names.ENV_MAIL_FROM, sender)
        except mime.HeaderInjection as exc:
            raise fail(names.ENV_MAIL_FROM, str(exc)) from None
        base_url = http_url(env, names.ENV_STATUS_BASE_URL, "the status site's public address")
        return cls(host, int(port_raw), starttls, user, password, sender, base_url, signing_key(env))
