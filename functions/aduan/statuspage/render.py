"""Jinja2 for the status pages: autoescaped HTML, gettext from Babel, one environment per language.

Everything a citizen wrote reaches a template as a plain string and is escaped
there; nothing is marked safe. The stylesheet is inlined (one request per page)
and allowed by its hash in the Content-Security-Policy, which forbids scripts
altogether — a second wall behind the escaping.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from aduan.statuspage import i18n

_FUNCTIONS_DIR = Path(__file__).resolve().parents[2]
# Deployed, templates/ sits beside main.py; in the repository it is one level up.
TEMPLATES_DIR = next(
    (p for p in (_FUNCTIONS_DIR / "templates", _FUNCTIONS_DIR.parent / "templates") if p.is_dir()),
    _FUNCTIONS_DIR.parent / "templates",
)
CSS = "status/status.css"
FAVICON = "status/favicon.svg"
FAVICON_PATH = "/favicon.svg"


def hours_text(hours: float | None, gettext: Any) -> str:
    """A median's bucket bound in words: '≤ 8 jam', '≤ 3 hari'."""
    if hours is None:
        return "—"
    if hours == float("inf"):
        return gettext("lebih dari 60 hari")
    if hours <= 24:
        return gettext("≤ %(n)s jam") % {"n": int(hours)}
    return gettext("≤ %(n)s hari") % {"n": round(hours / 24)}


class Templates:
    def __init__(self, directory: Path = TEMPLATES_DIR) -> None:
        self.directory = directory
        self._envs: dict[str, Environment] = {}

    def env(self, language: str) -> Environment:
        if language not in self._envs:
            env = Environment(
                loader=FileSystemLoader(str(self.directory)),
                autoescape=select_autoescape(["html", "xml"]),
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            translations = i18n.translations(language)
            env.install_gettext_translations(translations, newstyle=True)
            env.globals.update(css=self.css, lang=language, favicon=FAVICON_PATH)
            env.filters["when"] = lambda m: i18n.when(m, language)
            env.filters["day"] = lambda m: i18n.day(m, language)
            env.filters["hours"] = lambda h: hours_text(h, translations.gettext)
            self._envs[language] = env
        return self._envs[language]

    def render(self, name: str, language: str, **context: Any) -> str:
        return self.env(language).get_template(name).render(**context)

    @cached_property
    def css(self) -> str:
        return (self.directory / CSS).read_text(encoding="utf-8")

    @cached_property
    def favicon(self) -> bytes:
        return (self.directory / FAVICON).read_bytes()

    @cached_property
    def csp(self) -> str:
        digest = base64.b64encode(hashlib.sha256(self.css.encode("utf-8")).digest()).decode()
        return (
            f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
