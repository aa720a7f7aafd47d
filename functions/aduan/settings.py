"""Runtime settings from the environment, validated once (the entry points pass ``os.environ`` in)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aduan import names
from aduan.config import ConfigError

SOURCE = "environment"


def _fail(var: str, problem: str) -> ConfigError:
    return ConfigError(SOURCE, var, "value", problem)


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
        project = env.get(names.ENV_PROJECT, "")
        if not project:
            raise _fail(names.ENV_PROJECT, "is required (the Google Cloud project id)")
        mode = env.get(names.ENV_FETCH_MODE, "search")
        if mode not in ("mentions", "search"):
            raise _fail(names.ENV_FETCH_MODE, f"must be 'mentions' or 'search', got {mode!r}")
        base_url = env.get(names.ENV_X_API_BASE_URL, names.X_API_DEFAULT_BASE_URL)
        if not base_url.startswith(("http://", "https://")):
            raise _fail(names.ENV_X_API_BASE_URL, f"must be an http(s) URL, got {base_url!r}")
        return cls(
            project=project,
            config_dir=Path(env.get(names.ENV_CONFIG_DIR) or default_config_dir),
            x_api_base_url=base_url,
            x_bearer_token=env.get(names.ENV_X_BEARER_TOKEN, ""),
            fetch_mode=mode,
            fetch_deadline_s=_number(env, names.ENV_FETCH_DEADLINE_S, 240.0, 5.0, 3600.0),
            mentions_topic=env.get(names.ENV_MENTIONS_TOPIC) or names.MENTIONS_TOPIC,
        )

    def require_x_token(self) -> str:
        if not self.x_bearer_token:
            raise _fail(names.ENV_X_BEARER_TOKEN, "is required to poll X (a secret from Secret Manager)")
        return self.x_bearer_token
