"""Render a digest to a subject, an HTML part and a plain-text part, in the agency's language.

Templates are Jinja2 with the i18n extension: message ids are Bahasa Indonesia and
``templates/digest/en.yaml`` translates them, so a missing translation falls back to
Indonesian instead of failing. Autoescape is on for HTML; the text part is plain
text, and everything a citizen wrote reaches it as one line (``model.one_line``).
CSS is inlined (css-inline) because Gmail and Outlook drop most ``<style>`` rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import css_inline
import yaml
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from aduan.digest.model import Digest

# Gmail clips a message whose HTML is larger than 102 KB; stay under with room to spare.
HTML_BUDGET_BYTES = 100_000
LOCALES = {"id": "id_ID", "en": "en_GB"}


def templates_dir() -> Path:
    """Deployed, ``templates/`` sits beside the package; in the repository, at its root."""
    package_root = Path(__file__).resolve().parents[2]
    for candidate in (package_root / "templates", package_root.parent / "templates"):
        if (candidate / "digest").is_dir():
            return candidate
    raise FileNotFoundError(f"no templates/digest beside {package_root}")


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


@lru_cache(maxsize=4)
def catalog(language: str) -> Mapping[str, str]:
    """Translations from Indonesian message ids; empty for Indonesian itself."""
    if language == "id":
        return {}
    with (templates_dir() / "digest" / f"{language}.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


@lru_cache(maxsize=4)
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir() / "digest"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    messages = catalog(language)
    locale = LOCALES[language]

    def gettext(message: str) -> str:
        return messages.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        # The templates avoid plurals ("%(n)s laporan" reads the same for any n in Indonesian).
        return gettext(singular if n == 1 else plural)

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = lambda n: format_decimal(n, locale=locale)
    env.filters["day"] = lambda d, fmt="d MMM": format_date(d, fmt, locale=locale)
    env.filters["signed"] = lambda n: (
        "±0" if n == 0 else ("+" if n > 0 else "−") + format_decimal(abs(n), locale=locale)
    )
    env.filters["decimal"] = lambda x: format_decimal(round(x, 1), locale=locale)
    return env


def _week_range(digest: Digest) -> tuple[date, date]:
    return digest.week.first_day, digest.week.last_day


def render(digest: Digest, unsubscribe: str | None = None, queue: str | None = None) -> Rendered:
    """Subject, inlined HTML and text of one digest for one recipient: only the footer's ``unsubscribe``
    link (that recipient's one-click URL, or a mailto) and the ``queue`` link (that recipient's signed
    work-queue URL, when links are signed) differ between an agency's recipients."""
    env = environment(digest.language)
    first, last = _week_range(digest)
    context = {
        "d": digest,
        "first": first,
        "last": last,
        "lang": digest.language,
        "unsubscribe": unsubscribe,
        "queue": queue,
    }
    # Only the template's own surrounding whitespace goes: a line break from the data must reach
    # ``mime.header_value`` and be refused there, not be quietly joined into the subject.
    subject = env.get_template("subject.txt").render(context).strip()
    html = env.get_template("digest.html").render(context, subject=subject)
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False, minify_css=True)
    text = env.get_template("digest.txt").render(context, subject=subject)
    return Rendered(subject=subject, html=inliner.inline(html), text=text)
