"""Alerts from ``classify_mention``: after a report is filed (or found filed, on a redelivery), raise
its alert if it has one. Settings come from the environment mapping the entry point passes in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aduan import names
from aduan.alerts import policy
from aduan.config import Config, ConfigError
from aduan.logs import log

if TYPE_CHECKING:
    from aduan.alerts import send

_ON, _OFF = ("1", "on", "true", "yes", ""), ("0", "off", "false", "no")
MIN_KEY_CHARS = 32


@dataclass(frozen=True)
class AlertSettings:
    enabled: bool
    channels: policy.AlertChannels | None = None
    smtp: tuple[str, int, bool, str, str] | None = None  # host, port, starttls, user, password

    @classmethod
    def from_env(cls, env: Mapping[str, str], config: Config) -> AlertSettings:
        """Validated at start-up: alerts on (the default) need the mail settings, and a webhook key
        when any agency has a webhook."""
        raw = env.get(names.ENV_ALERTS, "").strip().lower()
        if raw not in _ON + _OFF:
            raise ConfigError("environment", names.ENV_ALERTS, "value", f"must be on or off, got {raw!r}")
        if raw in _OFF:
            return cls(False)
        from aduan.mail import MailSettings

        mail = MailSettings.from_env(env)
        webhook_key = env.get(names.ENV_WEBHOOK_SIGNING_KEY, "")
        hooked = [a.id for a in config.agencies.agencies if a.webhook_url]
        if hooked and len(webhook_key.strip()) < MIN_KEY_CHARS:
            raise ConfigError(
                "environment",
                names.ENV_WEBHOOK_SIGNING_KEY,
                "value",
                f"must be a secret of at least {MIN_KEY_CHARS} characters: agencies {hooked} have webhooks",
            )
        channels = policy.AlertChannels(mail.sender, mail.status_base_url, mail.link_key, webhook_key.strip())
        smtp = (mail.smtp_host, mail.smtp_port, mail.smtp_starttls, mail.smtp_user, mail.smtp_password)
        return cls(True, channels, smtp)


def after_filing(
    doc: Mapping[str, Any],
    joins_cluster: bool,
    config: Config,
    settings: AlertSettings,
    cluster_size: Callable[[str], int],
    adapters: Callable[[], tuple[send.Ledger, send.Mailer, send.Poster]],
    now: datetime,
) -> dict[str, Any] | None:
    """The alert outcome for a filed report, or None when it raises none. ``cluster_size`` is asked
    only when the report joined a cluster (one count read); ``adapters`` are built only for an alert.
    Raises ``send.NotDelivered`` while a channel is still worth retrying (Pub/Sub redelivers)."""
    if not settings.enabled or settings.channels is None:
        return None
    size = cluster_size(str(doc["cluster_id"])) if joins_cluster else 1
    alert = policy.alert_for(doc, size, config.agencies, now)
    if alert is None:
        return None
    from aduan.alerts import send  # Jinja2 and the CSS inliner load only when an alert goes out

    ledger, mailer, poster = adapters()
    outcome = send.deliver(alert, doc, config, settings.channels, ledger, mailer, poster, now)
    result = {"alert_id": outcome.alert_id, "reason": alert.reason, "sent": len(outcome.sent)}
    if outcome.given_up:
        log("ERROR", f"alert {outcome.alert_id}: channels given up", channels=outcome.given_up, **result)
    log("INFO", f"alert {outcome.alert_id}", skipped=outcome.skipped, **result)
    return result
