"""Agency and taxonomy configuration: parsed and validated once, at start-up.

A mistake in ``config/`` must stop the function before it touches a post, with a
message an administrator can act on: the file, the item and the field.
Parsing is pure (it takes already-loaded YAML); ``aduan.adapters.config_files``
reads the files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
X_USERNAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")
X_USER_ID = re.compile(r"^[0-9]{1,19}$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
SLUG = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
LANGUAGES = ("id", "en")
ALL_CATEGORIES = "*"


class ConfigError(ValueError):
    """Configuration that cannot be used; the message names file, item and field."""

    def __init__(self, source: str, item: str, field_name: str, problem: str) -> None:
        self.source, self.item, self.field_name, self.problem = source, item, field_name, problem
        super().__init__(f"{source}: {item}: field '{field_name}': {problem}")


@dataclass(frozen=True)
class Category:
    slug: str
    labels: Mapping[str, str]
    covers: str
    fallback: bool = False

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["id"]


@dataclass(frozen=True)
class Taxonomy:
    categories: tuple[Category, ...]

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(c.slug for c in self.categories)

    @property
    def fallback(self) -> str:
        return next(c.slug for c in self.categories if c.fallback)

    def get(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)


@dataclass(frozen=True)
class Account:
    username: str
    user_id: str
    replies: ReplyPolicy | None = None  # None: Aduan never answers from this account


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    language: str
    regions: tuple[str, ...]
    categories: tuple[str, ...]  # ("*",) for all
    accounts: tuple[Account, ...]
    recipients: tuple[str, ...]

    def handles(self, category: str) -> bool:
        return ALL_CATEGORIES in self.categories or category in self.categories

    def region_depth(self, place_codes: Iterable[str]) -> int | None:
        """Length of the most specific configured region containing the place, or None."""
        codes = set(place_codes)
        depths = [len(r) for r in self.regions if r in codes]
        return max(depths) if depths else None


@dataclass(frozen=True)
class Agencies:
    agencies: tuple[Agency, ...]
    province_desk: str
    by_id: Mapping[str, Agency] = field(repr=False, default_factory=dict)

    def get(self, agency_id: str) -> Agency | None:
        return self.by_id.get(agency_id)

    @property
    def accounts(self) -> tuple[tuple[Agency, Account], ...]:
        return tuple((a, acc) for a in self.agencies for acc in a.accounts)

    @property
    def handles(self) -> frozenset[str]:
        """Lower-case usernames of every agency account (these are never redacted)."""
        return frozenset(acc.username.lower() for _, acc in self.accounts)


@dataclass(frozen=True)
class Config:
    taxonomy: Taxonomy
    agencies: Agencies


class _Fields:
    """Typed access to one mapping, raising ConfigError that names where it failed."""

    def __init__(self, data: Any, source: str, item: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(source, item, "(item)", f"must be a mapping, got {type(data).__name__}")
        self.data, self.source, self.item = data, source, item

    def fail(self, name: str, problem: str) -> ConfigError:
        return ConfigError(self.source, self.item, name, problem)

    def text(self, name: str, pattern: re.Pattern[str] | None = None, default: str | None = None) -> str:
        value = self.data.get(name, default)
        if value is None:
            raise self.fail(name, "is required")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, f"must be a non-empty string, got {value!r}")
        if pattern is not None and not pattern.match(value):
            raise self.fail(name, f"{value!r} does not match {pattern.pattern}")
        return value

    def items(self, name: str, required: bool = True) -> list[Any]:
        value = self.data.get(name)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise self.fail(name, f"must be a list, got {type(value).__name__}")
        return value

    def strings(
        self, name: str, check: Callable[[str], str | None], allow_empty: bool = False
    ) -> tuple[str, ...]:
        values = self.items(name)
        if not values and not allow_empty:
            raise self.fail(name, "must not be empty")
        for value in values:
            problem = check(value) if isinstance(value, str) else f"{value!r} is not a string"
            if problem:
                raise self.fail(name, problem)
        if len(set(values)) != len(values):
            raise self.fail(name, "has duplicates")
        return tuple(values)


def parse_taxonomy(data: Any, source: str) -> Taxonomy:
    top = _Fields(data, source, "taxonomy")
    categories: list[Category] = []
    for n, raw in enumerate(top.items("categories")):
        item = _Fields(raw, source, f"category #{n + 1}")
        slug = item.text("slug", SLUG)
        item.item = f"category '{slug}'"
        labels = raw.get("label")
        if not isinstance(labels, dict) or not isinstance(labels.get("id"), str):
            raise item.fail("label", "must be a mapping with at least an 'id' (Bahasa Indonesia) label")
        fallback = raw.get("fallback", False)
        if not isinstance(fallback, bool):
            raise item.fail("fallback", "must be true or false")
        categories.append(Category(slug, dict(labels), str(raw.get("covers", "")), fallback))
    slugs = [c.slug for c in categories]
    if not categories:
        raise top.fail("categories", "must not be empty")
    if len(set(slugs)) != len(slugs):
        raise top.fail("categories", f"duplicate slugs: {sorted({s for s in slugs if slugs.count(s) > 1})}")
    if sum(c.fallback for c in categories) != 1:
        raise top.fail("categories", "exactly one category must have 'fallback: true'")
    return Taxonomy(tuple(categories))


def parse_agencies(
    data: Any, source: str, taxonomy: Taxonomy, known_regions: Callable[[str], bool]
) -> Agencies:
    """Validate agencies.yaml; ``known_regions`` says whether a BPS code exists."""
    top = _Fields(data, source, "agencies file")
    agencies: list[Agency] = []
    seen_ids: set[str] = set()
    seen_accounts: dict[str, str] = {}
    for n, raw in enumerate(top.items("agencies")):
        item = _Fields(raw, source, f"agency #{n + 1}")
        agency_id = item.text("id", AGENCY_ID)
        item.item = f"agency '{agency_id}'"
        if agency_id in seen_ids:
            raise item.fail("id", "is used by another agency")
        seen_ids.add(agency_id)
        language = item.text("language", default="id")
        if language not in LANGUAGES:
            raise item.fail("language", f"must be one of {LANGUAGES}, got {language!r}")

        def region_problem(code: str) -> str | None:
            return (
                None if known_regions(code) else f"{code!r} is not a Central Java BPS code in the gazetteer"
            )

        def category_problem(slug: str) -> str | None:
            ok = slug == ALL_CATEGORIES or slug in taxonomy.slugs
            return None if ok else f"{slug!r} is not a category in taxonomy.yaml"

        accounts = []
        for m, raw_acc in enumerate(item.items("accounts", required=False)):
            acc = _Fields(raw_acc, source, f"agency '{agency_id}' account #{m + 1}")
            account = Account(
                acc.text("username", X_USERNAME), str(acc.data.get("user_id", "")), parse_reply_policy(acc)
            )
            if not X_USER_ID.match(account.user_id):
                raise acc.fail(
                    "user_id", f"must be the numeric X user id as a string, got {acc.data.get('user_id')!r}"
                )
            owner = seen_accounts.setdefault(account.username.lower(), agency_id)
            if owner != agency_id:
                raise acc.fail("username", f"@{account.username} is already an account of agency '{owner}'")
            accounts.append(account)
        digest = _Fields(raw.get("digest", {}), source, f"agency '{agency_id}' digest")
        recipients = digest.strings(
            "recipients", lambda a: None if EMAIL.match(a) else f"{a!r} is not an e-mail address"
        )
        agencies.append(
            Agency(
                id=agency_id,
                name=item.text("name"),
                language=language,
                regions=item.strings("regions", region_problem),
                categories=item.strings("categories", category_problem),
                accounts=tuple(accounts),
                recipients=recipients,
            )
        )
    if not agencies:
        raise top.fail("agencies", "must not be empty")
    desk = top.text("province_desk")
    by_id = {a.id: a for a in agencies}
    if desk not in by_id:
        raise top.fail("province_desk", f"{desk!r} is not the id of an agency in this file")
    if not by_id[desk].handles(taxonomy.fallback) or ALL_CATEGORIES not in by_id[desk].categories:
        raise top.fail("province_desk", f"agency {desk!r} must handle all categories ('*')")
    return Agencies(tuple(agencies), desk, by_id)


# --- replies: per-account opt-in to answering citizens on X ---------------------------------------

REPLY_BUDGET_MAX = 100_000  # X bills each post created; a typo of a few zeros must not pass


@dataclass(frozen=True)
class ReplyPolicy:
    """``replies: {enabled: true, daily_budget: 300}`` under an account in agencies.yaml."""

    enabled: bool
    daily_budget: int  # posts per UTC day from this account (X bills per post, per UTC day)


def parse_reply_policy(acc: _Fields) -> ReplyPolicy | None:
    raw = acc.data.get("replies")
    if raw is None:
        return None
    item = _Fields(raw, acc.source, f"{acc.item} replies")
    unknown = sorted(set(raw) - {"enabled", "daily_budget"})
    if unknown:
        raise item.fail(unknown[0], "is not a replies setting (enabled, daily_budget)")
    enabled = raw.get("enabled", False)
    if not isinstance(enabled, bool):
        raise item.fail("enabled", f"must be true or false, got {enabled!r}")
    budget = raw.get("daily_budget", 300)
    if not isinstance(budget, int) or isinstance(budget, bool) or not 1 <= budget <= REPLY_BUDGET_MAX:
        raise item.fail(
            "daily_budget", f"must be a whole number from 1 to {REPLY_BUDGET_MAX}, got {budget!r}"
        )
    return ReplyPolicy(enabled, budget) if enabled else None


def reply_account(agencies: Agencies, to_accounts: Iterable[str]) -> Account | None:
    """The account that answers a post: the first one it mentioned whose replies are enabled."""
    by_name = {acc.username.lower(): acc for _, acc in agencies.accounts}
    for name in to_accounts:
        acc = by_name.get(str(name).lower())
        if acc is not None and acc.replies is not None:
            return acc
    return None


def account_ids(agencies: Agencies) -> dict[str, str]:
    """Agency usernames (lower case) → numeric X user ids."""
    return {acc.username.lower(): acc.user_id for _, acc in agencies.accounts}
