"""Runtime settings from the environment, validated once (the entry points pass ``os.environ`` in)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aduan import names
from aduan.config import ConfigError, control_character

SOURCE = "environment"
MIN_KEY_LENGTH = 32  # the link-signing key (HMAC-SHA256): at least 32 characters of secret
PROJECT_ID = re.compile(r"(?:[a-z0-9.-]{1,63}:)?[a-z][a-z0-9-]{0,62}")
TOPIC_ID = re.compile(r"[A-Za-z][A-Za-z0-9._~%+-]{2,254}")
HTTP_URL = re.compile(r"https?://[^\s/?#@]+(/[^\s?#]*)?")
_WHITESPACE = re.compile(r"\s")


def _fail(var: str, problem: str) -> ConfigError:
    return ConfigError(SOURCE, var, "value", problem)


def text(
    env: Mapping[str, str],
    var: str,
    default: str = "",
    pattern: re.Pattern[str] | None = None,
    hidden: bool = False,
) -> str:
    """A variable's value (or ``default``), refused when it carries a control character (a trailing
    newline from ``echo``: it would break the header, URL or id it reaches) or does not match all of
    ``pattern``. ``hidden``: a secret, never repeated in the message."""
    value = env.get(var) or default
    problem = control_character(value)
    if problem is None and pattern is not None and value and not pattern.fullmatch(value):
        problem = f"{value!r} does not match {pattern.pattern}"
    if problem:
        raise _fail(
            var, "contains a control character (a trailing newline from echo?)" if hidden else problem
        )
    return value


def http_url(env: Mapping[str, str], var: str, what: str, default: str = "") -> str:
    """An absolute http(s) URL without query, fragment or credentials; returned without a final '/'."""
    value = env.get(var) or default
    if not HTTP_URL.fullmatch(value):
        raise _fail(var, f"must be {what}, an http(s) URL, got {value!r}")
    return value.rstrip("/")


def secret(env: Mapping[str, str], var: str, what: str, min_length: int = 1) -> str:
    """A secret that reaches an HTTP header or an HMAC: no whitespace (a trailing newline from
    ``echo`` included), no control characters, at least ``min_length`` characters."""
    value = env.get(var, "")
    if not value:
        raise _fail(var, f"is required: {what}")
    if _WHITESPACE.search(value) or control_character(value):
        raise _fail(var, "contains whitespace or a control character (a trailing newline from echo?)")
    if len(value) < min_length:
        raise _fail(var, f"must be a secret of at least {min_length} characters, got {len(value)}: {what}")
    return value


def signing_key(env: Mapping[str, str]) -> str:
    """The link-signing key both send_digests and status_page need; refused at start-up when unusable,
    so no digest carries action links the status page would refuse."""
    return secret(
        env,
        names.ENV_LINK_SIGNING_KEY,
        "the random key that signs digest links (from Secret Manager, see docs/deploy.md)",
        MIN_KEY_LENGTH,
    )


def _number(env: Mapping[str, str], var: str, default: float, low: float, high: float) -> float:
    raw = env.get(var, "")
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise _fail(var, f"must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise _fail(var, f"must be between {low} and {high}, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    project: str
    config_dir: Path
    x_api_base_url: str
    x_bearer_token: str
    fetch_mode: str
    fetch_deadline_s: float
    mentions_topic: str

    @classmethod
    def from_env(cls, env: Mapping[str, str], default_config_dir: Path) -> Settings:
        project = text(env, names.ENV_PROJECT, pattern=PROJECT_ID)
        if not project:
            raise _fail(names.ENV_PROJECT, "is required (the Google Cloud project id)")
        mode = env.get(names.ENV_FETCH_MODE, "search")
        if mode not in ("mentions", "search"):
            raise _fail(names.ENV_FETCH_MODE, f"must be 'mentions' or 'search', got {mode!r}")
        return cls(
            project=project,
            config_dir=Path(text(env, names.ENV_CONFIG_DIR) or default_config_dir),
            x_api_base_url=http_url(
                env, names.ENV_X_API_BASE_URL, "the X API's address", names.X_API_DEFAULT_BASE_URL
            ),
            x_bearer_token=env.get(names.ENV_X_BEARER_TOKEN, ""),
            fetch_mode=mode,
            fetch_deadline_s=_number(env, names.ENV_FETCH_DEADLINE_S, 240.0, 5.0, 3600.0),
            mentions_topic=text(env, names.ENV_MENTIONS_TOPIC, names.MENTIONS_TOPIC, TOPIC_ID),
        )

    def require_x_token(self) -> str:
        return secret(
            {names.ENV_X_BEARER_TOKEN: self.x_bearer_token},
            names.ENV_X_BEARER_TOKEN,
            "the bearer token to poll X (a secret from Secret Manager)",
        )
