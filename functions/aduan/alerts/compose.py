"""An alert as an e-mail (text + HTML, the digest's templates and i18n) and as a webhook payload.

Only the redacted ``public_text`` of a report is ever put in an alert: a webhook
often ends in a group chat. Header values go through ``digest.mime`` so nothing a
citizen wrote can start a header of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import css_inline

from aduan import ticket
from aduan.alerts.policy import Alert
from aduan.config import Agency, Taxonomy
from aduan.digest import mime, render
from aduan.digest.delivery import recipient_key
from aduan.digest.model import one_line, place_name
from aduan.workdays import WIB

TEXT_CHARS = 600


@dataclass(frozen=True)
class AlertContent:
    reason: str
    agency_id: str
    agency_name: str
    language: str
    ticket: str
    category: str
    category_label: str
    place: str
    text: str
    cluster_size: int
    received_at: datetime
    report_url: str
    action_url: str | None


def content(
    alert: Alert,
    doc: Mapping[str, Any],
    agency: Agency,
    taxonomy: Taxonomy,
    base_url: str,
    action_url: str | None,
) -> AlertContent:
    category = str(doc.get("category") or "")
    found = taxonomy.get(category)
    code = str(doc.get("ticket", ""))
    return AlertContent(
        reason=alert.reason,
        agency_id=agency.id,
        agency_name=agency.name,
        language=agency.language,
        ticket=ticket.display(code),
        category=category,
        category_label=found.label(agency.language) if found else category,
        place=place_name(doc),
        text=one_line(str(doc.get("public_text") or ""), TEXT_CHARS),
        cluster_size=alert.cluster_size,
        received_at=doc["received_at"].astimezone(WIB),
        report_url=f"{base_url.rstrip('/')}/laporan/{code}",
        action_url=action_url,
    )


def email(alert: AlertContent, alert_id: str, sender: str, recipient: str, now: datetime) -> EmailMessage:
    env = render.environment(alert.language)
    context = {"a": alert}
    subject = env.get_template("alert_subject.txt").render(context).strip()
    html = env.get_template("alert.html").render(context, subject=subject)
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False, minify_css=True)
    from_addr = mime.address("From", sender)
    msg = EmailMessage()
    msg["From"] = from_addr
    msg["To"] = mime.address("To", recipient)
    msg["Subject"] = mime.header_value("Subject", subject)
    msg["Date"] = format_datetime(now)
    key = recipient_key(alert.agency_id, alert_id, recipient)
    msg["Message-ID"] = f"<alert.{alert_id}.{key}@{from_addr.domain}>"  # the same on a retry
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Priority"] = "1"
    msg.set_content(env.get_template("alert.txt").render(context, subject=subject), charset="utf-8")
    msg.add_alternative(inliner.inline(html), subtype="html", charset="utf-8")
    return msg


def webhook_payload(alert: AlertContent, alert_id: str) -> dict[str, Any]:
    payload = asdict(alert)
    payload["alert_id"] = alert_id
    payload["received_at"] = alert.received_at.isoformat()
    payload["schema"] = "aduan.alert/1"
    return payload
