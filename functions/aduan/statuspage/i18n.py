"""Bahasa Indonesia by default, English on request: language choice, catalogues and dates.

Message ids are the Indonesian text itself, so Indonesian needs no catalogue;
``locale/en/LC_MESSAGES/messages.po`` holds the English. It is compiled in
memory with Babel when an instance starts (a few milliseconds), so there is
no build step and no binary ``.mo`` in the repository to drift from the ``.po``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from aduan.workdays import WIB

DEFAULT = "id"
LANGUAGES = ("id", "en")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def choose(query: Mapping[str, str], accept_language: str | None) -> str:
    """``?lang=`` wins; then the browser's Accept-Language; else Bahasa Indonesia."""
    asked = (query.get("lang") or "").lower()
    if asked in LANGUAGES:
        return asked
    accepted = parse_accept_header(accept_language or "", LanguageAccept)
    return accepted.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> NullTranslations:
    if language == DEFAULT:
        return NullTranslations()
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def when(moment: datetime | None, language: str) -> str:
    """A time as people in Central Java read it: WIB, day month year."""
    if moment is None:
        return ""
    return format_datetime(moment, "d MMM yyyy, HH.mm", tzinfo=WIB, locale=language) + " WIB"


def day(moment: date, language: str) -> str:
    return format_date(moment, "d MMM yyyy", locale=language)
