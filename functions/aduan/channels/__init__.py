"""Channels a citizen can reach Aduan on: one file per channel, one small interface.

Each channel has two sides:

* **inbound** — what the channel delivers (an X post and its ``includes``, a WhatsApp
  webhook body…) → the ``aduan.mention/1`` message contract (``aduan.mention.Mention``);
* **reply** — a reply for a report → the channel: ``target`` says where it goes (the post to
  answer, who else must not be notified), ``measure`` how long the channel counts a text, and
  ``send`` posts it through a *poster* adapter passed in (the core never imports one).

``send`` raises one of the errors below; ``send_replies`` maps them onto its ledger: a
``RateLimited`` delays the reply, a ``Duplicate`` means an earlier attempt was already
posted, a ``Refused`` ends it (logged), ``Transient`` and ``AuthFailed`` are retried.
A new channel (WhatsApp) is one new file here plus its poster adapter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class ChannelError(Exception):
    """Base of what a channel's ``send`` raises."""


class RateLimited(ChannelError):
    """The channel refuses more posts until ``reset_at`` (None: unknown)."""

    def __init__(self, reset_at: datetime | None, detail: str = "") -> None:
        super().__init__(f"rate limited until {reset_at.isoformat() if reset_at else 'unknown'} {detail}")
        self.reset_at = reset_at


class Duplicate(ChannelError):
    """The channel refused the text as a duplicate of a post already made: it was posted before."""


class Refused(ChannelError):
    """The channel will never take this reply (the post was deleted, the text is invalid)."""


class AuthFailed(ChannelError):
    """The account's credentials were refused: an operator must act; retried meanwhile."""


class Transient(ChannelError):
    """A timeout, a dropped connection, a 5xx: the post may or may not have been made."""


@dataclass(frozen=True)
class Target:
    """Where a reply goes on the channel."""

    account: str  # the agency account (X username, WhatsApp number id …) that answers
    in_reply_to: str  # the channel's id of the citizen's message
    exclude_user_ids: tuple[str, ...] = ()  # others the channel would notify, to leave out


class Channel(Protocol):
    name: str  # the report's ``source``
    max_length: int

    def measure(self, text: str) -> int:
        """The length of ``text`` as the channel counts it against ``max_length``."""
        ...

    def target(self, report: Mapping[str, Any], account: str, account_ids: Mapping[str, str]) -> Target:
        """Where the reply for ``report`` goes when ``account`` answers."""
        ...

    def send(self, target: Target, text: str) -> str:
        """Post ``text``; returns the channel's id of the new post."""
        ...
