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

# Whole-value patterns: always applied with ``fullmatch`` (``$`` with ``re.match`` accepts a trailing
# newline, which then breaks a mail header, a URL or a Firestore id at Monday's send).
AGENCY_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
X_USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")
X_USER_ID = re.compile(r"[0-9]{1,19}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
SLUG = re.compile(r"[a-z][a-z0-9_]{1,31}")
LANGUAGES = ("id", "en")
ALL_CATEGORIES = "*"
DIGEST_FREQUENCIES = ("weekly", "daily")
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
# Characters no configured string may hold: C0/C1 controls (CR, LF, TAB, NUL, DEL, NEL) and the
# Unicode line/paragraph separators and bidi/zero-width format characters, which split or disguise
# mail headers, URLs, Firestore ids and queries.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def control_character(value: str) -> str | None:
    """The problem with a string that carries a control character, or None."""
    found = _CONTROL.search(value)
    return None if found is None else f"{value!r} contains the control character U+{ord(found[0]):04X}"


def pattern_problem(value: str, pattern: re.Pattern[str]) -> str | None:
    """The problem with ``value`` unless ``pattern`` matches all of it (never just a prefix)."""
    return None if pattern.fullmatch(value) else f"{value!r} does not match {pattern.pattern}"


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
    digest_frequency: str = "weekly"
    alert_emails: tuple[str, ...] = ()  # urgent alerts; empty: the digest recipients
    webhook_url: str | None = None  # urgent alerts as signed JSON (aduan.alerts.webhook)
    supervisor: str | None = None  # escalation desk; None: derived (aduan.escalation)

    @property
    def alert_recipients(self) -> tuple[str, ...]:
        return self.alert_emails or self.recipients

    def handles(self, category: str) -> bool:
        return ALL_CATEGORIES in self.categories or category in self.categories

    def region_depth(self, place_codes: Iterable[str]) -> int | None:
        """Length of the most specific configured region containing the place, or None."""
        codes = set(place_codes)
        depths = [len(r) for r in self.regions if r in codes]
        return max(depths) if depths else None


@dataclass(frozen=True)
class AlertSettings:
    """When an agency hears of a report at once instead of in its digest."""

    cluster_size: int = 5  # a cluster reaching this many citizens alerts its agency
    disaster_desk: str | None = None  # also alerted for every urgent ``bencana`` report


@dataclass(frozen=True)
class Agencies:
    agencies: tuple[Agency, ...]
    province_desk: str
    by_id: Mapping[str, Agency] = field(repr=False, default_factory=dict)
    alerts: AlertSettings = AlertSettings()

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
    public_accounts: frozenset[str] = frozenset()  # listed in vocabulary/redaction.yaml, lower case

    @property
    def public_handles(self) -> frozenset[str]:
        """Every account public text may show: the agencies' own and the listed ones; all else is masked."""
        return self.agencies.handles | self.public_accounts


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
        problem = control_character(value) or (pattern_problem(value, pattern) if pattern else None)
        if problem:
            raise self.fail(name, problem)
        return value

    def items(self, name: str, required: bool = True) -> list[Any]:
        value = self.data.get(name)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise self.fail(name, f"must be a list, got {type(value).__name__}")
        return value

    def strings(
        self,
        name: str,
        check: Callable[[str], str | None],
        allow_empty: bool = False,
        same: Callable[[str], str] = str,
    ) -> tuple[str, ...]:
        """A list of strings, each passing ``check``; ``same`` says when two are duplicates."""
        values = self.items(name)
        if not values and not allow_empty:
            raise self.fail(name, "must not be empty")
        seen: set[str] = set()
        for value in values:
            if not isinstance(value, str):
                raise self.fail(name, f"{value!r} is not a string")
            problem = control_character(value) or check(value)
            if problem:
                raise self.fail(name, problem)
            if same(value) in seen:
                raise self.fail(name, f"has duplicates ({value!r})")
            seen.add(same(value))
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
        label = _Fields(labels, source, f"category '{slug}' label")
        for language in labels:
            if language not in LANGUAGES:
                raise label.fail(str(language), f"is not a language of {LANGUAGES}")
            label.text(language)
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
    seen_accounts: dict[str, str] = {}  # lower-case username -> agency id
    seen_user_ids: dict[str, tuple[str, str]] = {}  # X user id -> (lower-case username, agency id)
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
            if not X_USER_ID.fullmatch(account.user_id):
                raise acc.fail(
                    "user_id", f"must be the numeric X user id as a string, got {acc.data.get('user_id')!r}"
                )
            owner = seen_accounts.setdefault(account.username.lower(), agency_id)
            if owner != agency_id:
                raise acc.fail("username", f"@{account.username} is already an account of agency '{owner}'")
            if any(a.username.lower() == account.username.lower() for a in accounts):
                raise acc.fail("username", f"@{account.username} is listed twice in this agency")
            holder = seen_user_ids.setdefault(account.user_id, (account.username.lower(), agency_id))
            if holder[0] != account.username.lower():
                raise acc.fail(
                    "user_id", f"{account.user_id} is already the id of @{holder[0]} (agency '{holder[1]}')"
                )
            accounts.append(account)
        digest = _Fields(raw.get("digest", {}), source, f"agency '{agency_id}' digest")
        recipients = digest.strings(
            "recipients",
            lambda a: None if EMAIL.fullmatch(a) else f"{a!r} is not an e-mail address",
            same=str.lower,  # one inbox, whatever the case: opt-outs are kept lower-case
        )
        frequency = digest.text("frequency", default="weekly")
        if frequency not in DIGEST_FREQUENCIES:
            raise digest.fail("frequency", f"must be one of {DIGEST_FREQUENCIES}, got {frequency!r}")
        alerts = _Fields(raw.get("alerts", {}), source, f"agency '{agency_id}' alerts")
        alert_emails = alerts.strings("emails", _email_problem) if "emails" in alerts.data else ()
        webhook = alerts.text("webhook", default="") if "webhook" in alerts.data else None
        if webhook is not None:
            problem = webhook_url_problem(webhook)
            if problem:
                raise alerts.fail("webhook", problem)
        supervisor = item.text("supervisor", AGENCY_ID) if "supervisor" in raw else None
        agencies.append(
            Agency(
                id=agency_id,
                name=item.text("name"),
                language=language,
                regions=item.strings("regions", region_problem),
                categories=item.strings("categories", category_problem),
                accounts=tuple(accounts),
                recipients=recipients,
                digest_frequency=frequency,
                alert_emails=alert_emails,
                webhook_url=webhook,
                supervisor=supervisor,
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
    for agency in agencies:
        if agency.supervisor is not None and (
            agency.supervisor not in by_id or agency.supervisor == agency.id
        ):
            raise ConfigError(
                source, f"agency '{agency.id}'", "supervisor", f"{agency.supervisor!r} is not another agency"
            )
    return Agencies(tuple(agencies), desk, by_id, _alert_settings(top.data.get("alerts", {}), source, by_id))


def _alert_settings(data: Any, source: str, by_id: Mapping[str, Agency]) -> AlertSettings:
    top = _Fields(data, source, "alerts")
    size = top.data.get("cluster_size", AlertSettings.cluster_size)
    if isinstance(size, bool) or not isinstance(size, int) or not 2 <= size <= 10_000:
        raise top.fail("cluster_size", f"must be a whole number from 2 to 10000, got {size!r}")
    desk = top.text("disaster_desk", AGENCY_ID) if "disaster_desk" in top.data else None
    if desk is not None and desk not in by_id:
        raise top.fail("disaster_desk", f"{desk!r} is not the id of an agency in this file")
    return AlertSettings(cluster_size=size, disaster_desk=desk)


def _email_problem(address: str) -> str | None:
    return None if EMAIL.fullmatch(address) else f"{address!r} is not an e-mail address"


def webhook_url_problem(url: str) -> str | None:
    """An alert webhook must be https (plain http only to this machine, for the local cloud)."""
    from urllib.parse import urlsplit

    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        return f"{url!r} contains spaces or control characters"
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return None
    return f"{url!r} must be an https:// URL (http:// only on loopback)"


def parse_public_accounts(data: Any, source: str) -> frozenset[str]:
    """Validate redaction.yaml: exact X usernames only (a prefix rule would let @humasbudi through)."""
    top = _Fields(data, source, "redaction")
    unknown = sorted(set(data) - {"public_handles"})
    if unknown:
        raise top.fail(
            str(unknown[0]),
            "is not a known field (only 'public_handles'; accounts are listed exactly, prefixes are no rule)",
        )

    def problem(name: str) -> str | None:
        return None if X_USERNAME.fullmatch(name.removeprefix("@")) else f"{name!r} is not an X username"

    names = top.strings("public_handles", problem, allow_empty=True)
    lowered = [n.removeprefix("@").lower() for n in names]
    if len(set(lowered)) != len(lowered):
        raise top.fail(
            "public_handles",
            f"lists an account twice: {sorted({n for n in lowered if lowered.count(n) > 1})}",
        )
    return frozenset(lowered)


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
