"""The e-mail: one MIME message per recipient, with headers nothing from the data can break.

Every header value passes ``header_value``: a line break in an agency's name or a
subject would otherwise let the text start a header of its own (``Bcc:``), so any
control character refuses the message instead of being silently "fixed".
"""

from __future__ import annotations

import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from typing import TYPE_CHECKING
from urllib.parse import quote

from aduan.digest.delivery import recipient_key
from aduan.unsubscribe import unsubscribe_token as unsubscribe_token
from aduan.unsubscribe import unsubscribe_url as unsubscribe_url

if TYPE_CHECKING:
    from aduan.digest.render import Rendered

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


class HeaderInjection(ValueError):
    """A header value carried a line break or another control character."""


def header_value(name: str, value: str) -> str:
    if _CONTROL.search(value):
        raise HeaderInjection(f"header {name} refused: its value contains a line break or control character")
    return value


def address(name: str, value: str) -> Address:
    """One mailbox (``Name <a@b>`` or ``a@b``), checked before the email package sees it."""
    found = getaddresses([header_value(name, value)])
    display, addr = found[0] if len(found) == 1 else ("", "")
    if addr.count("@") != 1:
        raise HeaderInjection(f"header {name} refused: {value!r} is not one e-mail address")
    user, domain = addr.split("@")
    return Address(display_name=display, username=user, domain=domain)


def message_id(agency_id: str, week: str, recipient: str, domain: str) -> str:
    """Stable per (agency, week, recipient): a resend after a crash carries the same id, so mail systems
    that deduplicate by Message-ID show it once."""
    return f"<digest.{week}.{agency_id}.{recipient_key(agency_id, week, recipient)}@{domain}>"


def unsubscribe_mailto(sender: str, agency_id: str) -> str:
    """The fallback target (RFC 2369) when no signing key makes a one-click link: a request to the sender."""
    return f"mailto:{address('From', sender).addr_spec}?subject={quote(f'unsubscribe {agency_id}')}"


def compose(
    rendered: Rendered,
    *,
    sender: str,
    recipient: str,
    agency_id: str,
    week: str,
    now: datetime,
    unsubscribe: str | None,
) -> EmailMessage:
    """multipart/alternative (text first, HTML preferred) with RFC 8058 one-click unsubscribe headers."""
    from_addr = address("From", sender)
    msg = EmailMessage()
    msg["From"] = from_addr
    msg["To"] = address("To", recipient)
    msg["Subject"] = header_value("Subject", rendered.subject)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(agency_id, week, recipient, from_addr.domain)
    msg["List-Id"] = header_value("List-Id", f"<{agency_id}.digest.aduan>")
    unsubscribe_targets = [f"<{unsubscribe_mailto(sender, agency_id)}>"]
    if unsubscribe:
        unsubscribe_targets.insert(0, f"<{header_value('List-Unsubscribe', unsubscribe)}>")
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["List-Unsubscribe"] = ", ".join(unsubscribe_targets)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return msg
