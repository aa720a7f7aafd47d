"""``send_digests``: every agency's digest of the previous ISO week, sent once per recipient.

Recipients who unsubscribed (``digest_optouts``, written by the status page's one-click
link) are left out and listed as ``unsubscribed``; an agency all of whose recipients
unsubscribed is reported with ``all_unsubscribed``, not as a failure.

Reads mail settings from the environment mapping it is given (``aduan.names``) and
fails at once, naming the variable, when they are unusable. One agency's failure
is logged and reported; the others are still sent.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, Protocol

from aduan import actions, names
from aduan.config import Agency, Config, ConfigError
from aduan.digest import delivery, mime, model, render
from aduan.digest.week import IsoWeek
from aduan.logs import log
from aduan.settings import Settings, http_url, signing_key
from aduan.settings import text as env_text

SOURCE = "environment"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
SMTP_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}|\[?[0-9A-Fa-f:.]{2,45}\]?")


def _fail(var: str, problem: str) -> ConfigError:
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
            raise _fail(names.ENV_SMTP_HOST, "is required (the SMTP server that sends the digests)")
        loopback = host in LOOPBACK
        starttls_raw = env.get(names.ENV_SMTP_STARTTLS, "0" if loopback else "1").strip().lower()
        if starttls_raw not in _TRUE + _FALSE:
            raise _fail(names.ENV_SMTP_STARTTLS, f"must be true or false, got {starttls_raw!r}")
        starttls = starttls_raw in _TRUE
        if not starttls and not loopback:
            raise _fail(names.ENV_SMTP_STARTTLS, f"must be true for a non-loopback server ({host})")
        port_raw = env.get(names.ENV_SMTP_PORT, "") or ("587" if starttls else "25")
        if not re.fullmatch(r"[0-9]{1,5}", port_raw) or not 0 < int(port_raw) < 65536:
            raise _fail(names.ENV_SMTP_PORT, f"must be a TCP port number, got {port_raw!r}")
        user = env_text(env, names.ENV_SMTP_USER)
        password = env_text(env, names.ENV_SMTP_PASSWORD, hidden=True)
        if user and not password:
            raise _fail(names.ENV_SMTP_PASSWORD, f"is required when {names.ENV_SMTP_USER} is set")
        sender = env.get(names.ENV_MAIL_FROM, "") or (
            "Aduan <aduan@localhost.localdomain>" if loopback else ""
        )
        if not sender:
            raise _fail(names.ENV_MAIL_FROM, "is required, e.g. 'Aduan Jateng <aduan@jatengprov.go.id>'")
        try:
            mime.address(names.ENV_MAIL_FROM, sender)
        except mime.HeaderInjection as exc:
            raise _fail(names.ENV_MAIL_FROM, str(exc)) from None
        base_url = http_url(env, names.ENV_STATUS_BASE_URL, "the status site's public address")
        return cls(host, int(port_raw), starttls, user, password, sender, base_url, signing_key(env))


class Source(Protocol):
    """What a digest reads (``aduan.adapters.firestore_digest.FirestoreDigestSource``)."""

    reads: int

    def received(self, agency_id: str, start: datetime, end: datetime) -> list[dict]: ...

    def open_before(self, agency_id: str, before: datetime) -> list[dict]: ...

    def resolved(self, agency_id: str, start: datetime, end: datetime) -> list[dict]: ...

    def public_counts(
        self, agency_id: str, start: datetime, end: datetime, categories: Iterable[str]
    ) -> dict[str, int]: ...


def gather(
    agency: Agency, config: Config, week: IsoWeek, now: datetime, source: Source, links: model.Links
) -> model.Digest:
    """Read what the digest needs and build it: the week's reports, the previous week's counts,
    the older open backlog and the week's resolutions — each document read once."""
    previous = week.shifted(-1)
    return model.build(
        agency,
        config.taxonomy,
        week,
        now,
        links,
        week_docs=source.received(agency.id, week.start, week.end),
        previous_by_category=source.public_counts(
            agency.id, previous.start, previous.end, config.taxonomy.slugs
        ),
        open_docs=source.open_before(agency.id, week.start),
        resolved_docs=source.resolved(agency.id, week.start, week.end),
    )


def messages_for(
    agency: Agency,
    digest: model.Digest,
    mail: MailSettings,
    week: IsoWeek,
    now: datetime,
    recipients: Sequence[str] | None = None,
) -> dict[str, EmailMessage]:
    """One message per recipient (default: all the agency's); only To and the unsubscribe link differ."""
    messages = {}
    for recipient in agency.recipients if recipients is None else recipients:
        unsubscribe = (
            mime.unsubscribe_url(mail.status_base_url, mail.link_key, agency.id, recipient)
            if mail.link_key
            else None
        )
        rendered = render.render(digest, unsubscribe or mime.unsubscribe_mailto(mail.sender, agency.id))
        messages[recipient] = mime.compose(
            rendered,
            sender=mail.sender,
            recipient=recipient,
            agency_id=agency.id,
            week=str(week),
            now=now,
            unsubscribe=unsubscribe,
        )
    return messages


def html_bytes(message: EmailMessage) -> int:
    part = message.get_body(preferencelist=("html",))
    return len(part.get_content().encode()) if part is not None else 0


def links_for(mail: MailSettings, agency: Agency, now: datetime) -> model.Links:
    """Report pages always; signed action links only when a signing key is configured."""
    if not mail.link_key:
        return model.Links(mail.status_base_url)
    return model.Links(
        mail.status_base_url,
        lambda doc: actions.action_url(mail.status_base_url, mail.link_key, doc["id"], agency.id, now),
    )


def run(
    settings: Settings,
    config: Config,
    env: Mapping[str, str],
    week: str | None = None,
    now: datetime | None = None,
    transport: delivery.Transport | None = None,
    db: Any = None,
) -> dict:
    """Send every agency's digest for ``week`` (default: the previous ISO week in WIB); the run report."""
    from google.cloud import firestore

    from aduan.adapters.firestore_digest import FirestoreDigestSource, FirestoreLedger
    from aduan.adapters.firestore_optouts import FirestoreOptOuts
    from aduan.adapters.smtp import SmtpTransport

    mail = MailSettings.from_env(env)
    now = now or datetime.now(UTC)
    try:
        target = IsoWeek.parse(week) if week else IsoWeek.previous_to(now)
    except ValueError as exc:
        raise _fail("week", str(exc)) from None
    db = db or firestore.Client(project=settings.project)
    transport = transport or SmtpTransport(
        mail.smtp_host, mail.smtp_port, mail.smtp_starttls, mail.smtp_user, mail.smtp_password
    )
    ledger, run_id = FirestoreLedger(db), uuid.uuid4().hex
    report: dict[str, Any] = {
        "week": str(target),
        "run_id": run_id,
        "sent": 0,
        "unsubscribed": 0,
        "failed": 0,
        "agencies": {},
    }
    for agency in config.agencies.agencies:
        source, optouts = FirestoreDigestSource(db), FirestoreOptOuts(db)
        entry: dict[str, Any] = {"sent": [], "skipped": [], "failed": {}, "unsubscribed": [], "error": None}
        try:
            opted_out = optouts.addresses(agency.id)
            recipients = [r for r in agency.recipients if r.lower() not in opted_out]
            entry["unsubscribed"] = [r for r in agency.recipients if r.lower() in opted_out]
            # Reported, not failed: nobody is left to send to because everybody asked for that.
            entry["all_unsubscribed"] = not recipients and bool(entry["unsubscribed"])
            if recipients:
                digest = gather(agency, config, target, now, source, links_for(mail, agency, now))
                messages = messages_for(agency, digest, mail, target, now, recipients)
                outcome = delivery.deliver(agency.id, str(target), messages, ledger, transport, run_id, now)
                entry.update(
                    sent=outcome.sent,
                    skipped=outcome.skipped,
                    failed=outcome.failed,
                    new_reports=digest.new_total,
                    html_bytes=max(html_bytes(m) for m in messages.values()),
                )
        except Exception as exc:  # noqa: BLE001 - one agency's failure must not stop the others
            entry["error"] = f"{type(exc).__name__}: {exc}"[:500]
            log("ERROR", "digest failed", agency=agency.id, week=str(target), error=entry["error"])
        entry["reads"] = source.reads + optouts.reads
        report["agencies"][agency.id] = entry
        report["sent"] += len(entry["sent"])
        report["unsubscribed"] += len(entry["unsubscribed"])
        report["failed"] += len(entry["failed"]) + (entry["error"] is not None)
    log("INFO", "digests run", week=str(target), sent=report["sent"], failed=report["failed"], run_id=run_id)
    return report
