"""Shared by the digest tests: a small agency configuration and a reader for the mail's two parts."""

from __future__ import annotations

import re
from dataclasses import replace
from email.message import EmailMessage
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from aduan.adapters.config_files import load_config
from aduan.config import Agencies, Agency, Config

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def base_config() -> Config:
    return load_config(ROOT / "config")


def config_with(*agencies: Agency) -> Config:
    base = base_config()
    return replace(base, agencies=Agencies(agencies, agencies[0].id, {a.id: a for a in agencies}))


def agency(agency_id: str = "kota-magelang", **fields) -> Agency:
    found = base_config().agencies.get("kota-magelang")
    assert found is not None
    return replace(found, **{"id": agency_id, "recipients": (f"{agency_id}@example.go.id",), **fields})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.skip += tag in ("style", "title")

    def handle_endtag(self, tag) -> None:
        self.skip -= tag in ("style", "title")

    def handle_data(self, data) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    """What a reader sees of the HTML part, whitespace collapsed."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a received digest; both must exist."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "the digest must have a text and an HTML part"
    return text.get_content(), html.get_content()


def figures(text: str) -> dict[str, int]:
    """The headline figures ("12 laporan baru") as the reader sees them."""
    found = {}
    for label in ("laporan baru", "masih terbuka", "lewat tenggat", "selesai minggu ini"):
        match = re.search(r"([\d.]+) " + label, text)
        assert match, f"no figure for {label!r}"
        found[label] = int(match[1].replace(".", ""))
    return found
