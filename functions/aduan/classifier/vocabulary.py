"""Loading the administrator-editable data files into one immutable vocabulary.

Sources: ``config/taxonomy.yaml``, ``config/vocabulary/*.yaml`` and the wilayah
CSVs. Compiling them takes longer than the 50 ms warm-up budget allows (PyYAML
alone takes ~14 ms to import), so the compiled form is cached as UTF-8 JSON in
``compiled.json`` next to this module, keyed by a checksum of every source. JSON,
not marshal: Terraform's archive reads text files only, and the format must not
depend on the Python version that wrote it.
A stale or missing cache is never wrong, only slower: the sources are then
compiled in memory. Rebuild it after editing with::

    cd functions && python -m aduan.classifier
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from aduan.classifier.lexicon import Feature

COMPILER_VERSION = 7  # bump when the compiled shape or compile rules change
# Bump with COMPILER_VERSION only when a compile rule changes what the rule scores mean: a trained
# model records rules_key, and a new cache shape alone (5: the "seconds" tables) leaves it valid.
RULES_VERSION = 5  # 5: vowel-less and stemmed shapes (shapes.py)
CACHE_PATH = Path(__file__).with_name("compiled.json")
WILAYAH_DIR = Path(__file__).resolve().parent.parent / "data" / "wilayah"
VOCABULARY_FILES = (
    "categories.yaml",
    "gate.yaml",
    "urgency.yaml",
    "slang.yaml",
    "places.yaml",
    "redaction.yaml",
    "settings.yaml",
)
WILAYAH_FILES = ("regencies.csv", "districts.csv", "villages.csv")
KINDS = ("praise", "greeting", "question", "politics", "spam", "news", "chatter")
# Feature names; categories are "c:<slug>", kinds "k:<kind>".
REPORT, SARCASM, CONTRAST, URGENT = "report", "sarcasm", "contrast", "urgent"
GATE_CUES = (REPORT, SARCASM, CONTRAST)  # gate.yaml sections that are not kinds


class VocabularyError(ValueError):
    """A data file is wrong; the message names the file, the item and the field."""


class Vocabulary(NamedTuple):
    """Everything the classifier knows, compiled; immutable after loading."""

    categories: tuple[str, ...]
    fallback: str
    forms: Mapping[str, str]  # written word → standard word(s), space-separated
    lexicon: Mapping[str, tuple[Feature, ...]]
    longest: Mapping[str, int]
    gazetteer: Mapping[str, Any]
    settings: Mapping[str, float | bool]
    public_handles: frozenset[str]
    public_prefixes: tuple[str, ...]
    contrast: frozenset[str] = frozenset()  # one-word "but"s (gate.yaml: contrast)
    key: int = 0  # source_key of the files it was compiled from
    rules_key: int = 0  # rules_key: of the files the model's rule features come from (a model records it)
    seconds: Mapping[str, Mapping[str, int]] | None = None  # lexicon.second_words: a scan short-cut


def load_vocabulary(config_dir: Path, wilayah_dir: Path = WILAYAH_DIR) -> Vocabulary:
    """Read the compiled cache if it matches the sources, else compile them."""
    key = source_key(config_dir, wilayah_dir)
    data = _read_cache(key)
    if data is None:
        data = compile_sources(config_dir, wilayah_dir)
    return _freeze(data)._replace(key=key, rules_key=rules_key(config_dir))


def source_key(config_dir: Path, wilayah_dir: Path = WILAYAH_DIR) -> int:
    """Checksum of every source file and of the compiler's version."""
    crc = zlib.crc32(str(COMPILER_VERSION).encode())
    paths = [config_dir / "taxonomy.yaml"] + [config_dir / "vocabulary" / f for f in VOCABULARY_FILES]
    for path in paths + [wilayah_dir / f for f in WILAYAH_FILES]:
        crc = zlib.crc32(path.read_bytes(), zlib.crc32(path.name.encode(), crc))
    return crc


RULE_FILES = ("categories.yaml", "gate.yaml", "urgency.yaml", "slang.yaml", "settings.yaml")


def rules_key(config_dir: Path) -> int:
    """Checksum of what the rules' scores depend on (not places, not redaction): a trained
    model's rule features mean the same while this is unchanged."""
    crc = zlib.crc32(str(RULES_VERSION).encode())
    for path in [config_dir / "taxonomy.yaml"] + [config_dir / "vocabulary" / f for f in RULE_FILES]:
        crc = zlib.crc32(path.read_bytes(), zlib.crc32(path.name.encode(), crc))
    return crc


def write_cache(config_dir: Path, wilayah_dir: Path = WILAYAH_DIR, path: Path = CACHE_PATH) -> None:
    """Compile the sources and store them where :func:`load_vocabulary` looks first."""
    cache = {"key": source_key(config_dir, wilayah_dir), "data": compile_sources(config_dir, wilayah_dir)}
    text = json.dumps(cache, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


def _read_cache(key: int, path: Path = CACHE_PATH) -> dict | None:
    try:
        cached = json.loads(path.read_bytes())
    except (OSError, ValueError):  # missing, unreadable or not JSON: compile instead
        return None
    return cached["data"] if isinstance(cached, dict) and cached.get("key") == key else None


def compile_sources(config_dir: Path, wilayah_dir: Path = WILAYAH_DIR) -> dict:
    """Parse and check all sources; return JSON-ready data (see :mod:`aduan.classifier.compiler`)."""
    from aduan.classifier.compiler import compile_sources as compile_all  # only on a stale cache

    return compile_all(config_dir, wilayah_dir)


def _freeze(data: Mapping[str, Any]) -> Vocabulary:
    """Give compiled data its lookup shapes: written→standard forms, tuples.

    The tables read per token (forms, lexicon, longest) stay plain dicts: a
    read-only view costs a third more per look-up on the hot path. Nothing
    writes to them after loading.
    """
    forms = {word: standard for standard, written in data["forms"].items() for word in written.split(" ")}
    lexicon = {phrase: tuple(map(tuple, features)) for phrase, features in data["lexicon"].items()}
    return Vocabulary(
        categories=tuple(data["categories"]),
        fallback=data["fallback"],
        forms=forms,
        lexicon=lexicon,
        longest=data["longest"],
        gazetteer=MappingProxyType(data["gazetteer"]),
        settings=MappingProxyType(data["settings"]),
        public_handles=frozenset(data["public_handles"]),
        public_prefixes=tuple(data["public_prefixes"]),
        contrast=frozenset(data["contrast"]),
        seconds=data["seconds"],
    )
