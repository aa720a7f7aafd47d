"""``send_digests``: every agency's digest of the previous ISO week (or, for agencies that chose
daily digests, of yesterday), sent once per recipient. The scheduler calls it every morning: weekly
digests go out on Mondays, daily ones every day.

Recipients who unsubscribed (``digest_optouts``, written by the status page's one-click
link) are left out and listed as ``unsubscribed``; an agency all of whose recipients
unsubscribed is reported with ``all_unsubscribed``, not as a failure.

Reads mail settings from the environment mapping it is given (``aduan.names``) and
fails at once, naming the variable, when they are unusable. One agency's failure
is logged and reported; the others are still sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, Protocol

from aduan import actions, escalation
from aduan.config import Agency, Config
from aduan.digest import delivery, mime, model, render
from aduan.digest.week import Day, IsoWeek, Period
from aduan.logs import log
from aduan.mail import MailSettings, fail
from aduan.settings import Settings


class Source(Protocol):
    """What a digest reads (``aduan.adapters.firestore_digest.FirestoreDigestSource``)."""

    reads: int

    def received(self, agency_id: str, start: datetime, end: datetime) -> list[dict]: ...

    def open_before(self, agency_id: str, before: datetime) -> list[dict]: ...

    def resolved(self, agency_id: str, start: datetime, end: datetime) -> list[dict]: ...

    def public_counts(
        self, agency_id: str, start: datetime, end: datetime, categories: Iterable[str]
    ) -> dict[str, int]: ...

    def reopened(self, agency_id: str, start: datetime, end: datetime) -> list[dict]: ...

    def overdue(self, agency_id: str, now: datetime, limit: int) -> list[dict]: ...


ESCALATION_READ_LIMIT = 200  # per supervised agency: the digest lists 15, the status site the rest


def escalated(agency: Agency, config: Config, now: datetime, source: Source) -> list[dict]:
    """Overdue reports of the agencies this desk supervises that have climbed as far as it."""
    supervised = escalation.supervised(config.agencies, agency.id)
    docs = [d for other in supervised for d in source.overdue(other, now, ESCALATION_READ_LIMIT)]
    return escalation.escalated_to(agency.id, config.agencies, docs, now)


def gather(
    agency: Agency, config: Config, week: Period, now: datetime, source: Source, links: model.Links
) -> model.Digest:
    """Read what the digest needs and build it: the period's reports, the previous period's counts,
    the older open backlog, the period's resolutions and reopenings, and what was escalated to this
    desk — each document read once."""
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
        reopened_docs=source.reopened(agency.id, week.start, week.end),
        escalated_docs=escalated(agency, config, now, source),
        agency_names={a.id: a.name for a in config.agencies.agencies},
        public_handles=config.public_handles,
    )


def messages_for(
    agency: Agency,
    digest: model.Digest,
    mail: MailSettings,
    week: Period,
    now: datetime,
    recipients: Sequence[str] | None = None,
) -> dict[str, EmailMessage]:
    """One message per recipient (default: all the agency's); only To, the unsubscribe link and the
    work-queue link (signed per recipient, 14 days) differ."""
    messages = {}
    for recipient in agency.recipients if recipients is None else recipients:
        unsubscribe = (
            mime.unsubscribe_url(mail.status_base_url, mail.link_key, agency.id, recipient)
            if mail.link_key
            else None
        )
        queue = (
            actions.queue_url(mail.status_base_url, mail.link_key, agency.id, recipient, now)
            if mail.link_key
            else None
        )
        rendered = render.render(
            digest, unsubscribe or mime.unsubscribe_mailto(mail.sender, agency.id), queue
        )
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


def due_periods(config: Config, now: datetime, week: str | None, day: str | None) -> dict[str, Period]:
    """Which agency gets which period's digest on this run. An explicit ``week`` (``2026-W48``) sends the
    weekly agencies that week, an explicit ``day`` (``2026-11-30``) the daily agencies that day; with
    neither, daily agencies get yesterday's and weekly agencies last week's — on Mondays (WIB) only."""
    try:
        target_week = IsoWeek.parse(week) if week else None
        target_day = Day.parse(day) if day else None
    except ValueError as exc:
        raise fail("day" if day and not week else "week", str(exc)) from None
    explicit = target_week is not None or target_day is not None
    if not explicit:
        target_day = Day.previous_to(now)
        target_week = IsoWeek.previous_to(now) if Day.containing(now).day.weekday() == 0 else None
    due: dict[str, Period] = {}
    for agency in config.agencies.agencies:
        period = target_day if agency.digest_frequency == "daily" else target_week
        if period is not None:
            due[agency.id] = period
    return due


def run(
    settings: Settings,
    config: Config,
    env: Mapping[str, str],
    week: str | None = None,
    now: datetime | None = None,
    transport: delivery.Transport | None = None,
    db: Any = None,
    day: str | None = None,
) -> dict:
    """Send every agency's digest that is due (``due_periods``); the run report."""
    from google.cloud import firestore

    from aduan.adapters.firestore_digest import FirestoreDigestSource, FirestoreLedger
    from aduan.adapters.firestore_optouts import FirestoreOptOuts
    from aduan.adapters.smtp import SmtpTransport

    mail = MailSettings.from_env(env)
    now = now or datetime.now(UTC)
    periods = due_periods(config, now, week, day)
    db = db or firestore.Client(project=settings.project)
    transport = transport or SmtpTransport(
        mail.smtp_host, mail.smtp_port, mail.smtp_starttls, mail.smtp_user, mail.smtp_password
    )
    ledger, run_id = FirestoreLedger(db), uuid.uuid4().hex
    weeks = sorted({str(p) for p in periods.values() if p.kind == "weekly"})
    days = sorted({str(p) for p in periods.values() if p.kind == "daily"})
    report: dict[str, Any] = {
        "week": weeks[0] if weeks else None,
        "day": days[0] if days else None,
        "run_id": run_id,
        "sent": 0,
        "unsubscribed": 0,
        "failed": 0,
        "agencies": {},
    }
    for agency in config.agencies.agencies:
        target = periods.get(agency.id)
        if target is None:
            continue
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
    log(
        "INFO",
        "digests run",
        week=report["week"],
        day=report["day"],
        sent=report["sent"],
        failed=report["failed"],
        run_id=run_id,
    )
    return report
