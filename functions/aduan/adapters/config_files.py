"""Read ``config/`` from disk and hand it to the pure parsers in ``aduan.config``."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from aduan.config import Config, ConfigError, parse_agencies, parse_public_accounts, parse_taxonomy

WILAYAH_DIR = Path(__file__).resolve().parent.parent / "data" / "wilayah"
PROVINCE_CODE = "33"


def read_yaml(path: Path) -> Any:
    """YAML through libyaml when available (cold start), with errors that name the file."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.load(f, Loader=loader)  # noqa: S506 - SafeLoader family only
    except FileNotFoundError:
        raise ConfigError(str(path), "(file)", "(file)", "does not exist") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "(file)", "(syntax)", str(exc).replace("\n", " ")) from None


@lru_cache(maxsize=1)
def region_codes(wilayah_dir: Path = WILAYAH_DIR) -> frozenset[str]:
    """Every BPS code of the province, its kabupaten/kota, kecamatan and desa."""
    codes = {PROVINCE_CODE}
    for name in ("regencies.csv", "districts.csv", "villages.csv"):
        with (wilayah_dir / name).open(encoding="utf-8", newline="") as f:
            codes.update(row[0] for row in csv.reader(f) if row and row[0].isdigit())
    return frozenset(codes)


def load_config(config_dir: Path) -> Config:
    """Load and validate the whole configuration; raises ConfigError naming file, item, field."""
    taxonomy_path = config_dir / "taxonomy.yaml"
    agencies_path = config_dir / "agencies.yaml"
    taxonomy = parse_taxonomy(read_yaml(taxonomy_path), str(taxonomy_path))
    codes = region_codes()
    agencies = parse_agencies(read_yaml(agencies_path), str(agencies_path), taxonomy, codes.__contains__)
    redaction_path = config_dir / "vocabulary" / "redaction.yaml"
    public = parse_public_accounts(read_yaml(redaction_path), str(redaction_path))
    return Config(taxonomy=taxonomy, agencies=agencies, public_accounts=public)
