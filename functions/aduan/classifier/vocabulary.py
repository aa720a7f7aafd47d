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

from aduan.classifier.gazetteer import compile_gazetteer
from aduan.classifier.lexicon import Feature, longest_phrases, scan, second_words
from aduan.classifier.normalize import standardise, words

COMPILER_VERSION = 4  # bump when the compiled shape or compile rules change
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
SETTINGS = (
    "report_threshold",
    "shared_topic_weight",
    "review_confidence",
    "model_review_confidence",
    "strong_score",
    "urgent_threshold",
    "analysed_chars",
)
SWITCHES = ("account_place_for_reports",)
# Feature names; categories are "c:<slug>", kinds "k:<kind>".
REPORT, SARCASM, CONTRAST, URGENT = "report", "sarcasm", "contrast", "urgent"
GATE_CUES = (REPORT, SARCASM, CONTRAST)  # gate.yaml sections that are not kinds

# Inflections generated for every vocabulary word: Indonesian and Javanese
# affixes ("sampahe", "lampune", "dijalan", "kerusakan").
_SUFFIXES = ("nya", "e", "ne", "ipun", "an", "ku", "mu", "lah", "kah")
_PREFIXES = ("di", "ke", "ter", "ber", "se", "nge")
_CIRCUMFIXES = (
    ("ke", "an"),
    ("di", "kan"),
    ("di", "i"),
    ("pe", "an"),
    ("per", "an"),
    ("di", "nya"),
    ("di", "ne"),
)


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
    seconds: Mapping[str, frozenset[str]] | None = None  # lexicon.second_words: a scan short-cut


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
    crc = zlib.crc32(str(COMPILER_VERSION).encode())
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
    """Parse and check all sources; return JSON-ready data (dicts, lists, str, numbers).

    No tuples or sets, so the cache reads back equal to a fresh compile;
    :func:`_freeze` gives the immutable shapes on both paths.
    """
    import yaml  # only here: the warm path reads the JSON cache

    def read(name: str) -> Any:
        path = config_dir / name
        try:
            with path.open(encoding="utf-8") as handle:
                return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        except (OSError, yaml.YAMLError) as error:
            raise VocabularyError(f"{path}: cannot be read: {error}") from error

    categories, fallback = _taxonomy(read("taxonomy.yaml"))
    vocab = {name: read(f"vocabulary/{name}") for name in VOCABULARY_FILES}
    slang = _mapping(vocab["slang.yaml"].get("words", {}), "slang.yaml", "words")
    for word in slang:
        if len(words(str(word))) != 1:
            raise VocabularyError(
                f"slang.yaml: words: {word!r}: one word is required (phrases belong elsewhere)"
            )
    forms = {w.lower(): " ".join(words(str(v))) for w, v in slang.items()}
    groups = _groups(vocab, categories, forms)
    lexicon = _lexicon(groups)
    known = {token for phrase in lexicon for token in phrase.split(" ")}
    keep = {str(w).lower() for w in vocab["slang.yaml"].get("keep", [])}
    forms.update(_inflections(known, forms, keep))
    places = vocab["places.yaml"]
    try:
        gazetteer = compile_gazetteer(wilayah_dir, places, known | set(forms))
    except ValueError as error:
        raise VocabularyError(f"{config_dir / 'vocabulary'}/{error}") from error
    public = _mapping(vocab["redaction.yaml"], "redaction.yaml", "redaction")
    return {
        "categories": list(categories),
        "fallback": fallback,
        "forms": _by_standard(forms),
        "lexicon": {phrase: [list(feature) for feature in features] for phrase, features in lexicon.items()},
        "longest": longest_phrases(lexicon),
        "contrast": sorted(p for p in groups[CONTRAST][CONTRAST] if " " not in p),
        "gazetteer": gazetteer,
        "settings": _settings(vocab["settings.yaml"]),
        "public_handles": sorted(str(h).lower().lstrip("@") for h in public.get("public_handles", [])),
        "public_prefixes": sorted(str(h).lower().lstrip("@") for h in public.get("public_prefixes", [])),
    }


def _taxonomy(taxonomy: Any) -> tuple[tuple[str, ...], str]:
    items = taxonomy.get("categories") if isinstance(taxonomy, dict) else None
    if not isinstance(items, list) or not items:
        raise VocabularyError("taxonomy.yaml: categories: a non-empty list is required")
    slugs, fallbacks = [], []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("slug"), str):
            raise VocabularyError(f"taxonomy.yaml: category #{number}: slug: a string is required")
        slugs.append(item["slug"])
        if item.get("fallback"):
            fallbacks.append(item["slug"])
    if len(fallbacks) != 1:
        raise VocabularyError(
            f"taxonomy.yaml: categories: exactly one needs fallback: true, found {fallbacks}"
        )
    return tuple(slugs), fallbacks[0]


def _mapping(value: Any, file: str, item: str) -> dict:
    if not isinstance(value, dict):
        raise VocabularyError(f"{file}: {item}: a mapping of 'term: value' lines is required")
    return value


def _weights(terms: Any, file: str, item: str, forms: Mapping[str, str]) -> dict[str, float]:
    """Normalise each term like a post is normalised, and check its weight."""
    out: dict[str, float] = {}
    for term, weight in _mapping(terms, file, item).items():
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise VocabularyError(f"{file}: {item}: {term!r}: weight must be a number, not {weight!r}")
        phrase = " ".join(standardise(words(str(term)), forms))
        if not phrase:
            raise VocabularyError(f"{file}: {item}: {term!r}: has no letters or digits after normalising")
        out[phrase] = max(out.get(phrase, weight), weight)
    return out


def _groups(vocab: Mapping[str, Any], categories: tuple[str, ...], forms: Mapping) -> dict[str, dict]:
    """Feature family → feature name → phrase → weight."""
    cats = _mapping(vocab["categories.yaml"], "categories.yaml", "categories")
    gate = _mapping(vocab["gate.yaml"], "gate.yaml", "kinds")
    for slug in cats:
        if slug not in categories:
            raise VocabularyError(f"categories.yaml: {slug}: not a category slug of taxonomy.yaml")
    for kind in gate:
        if kind not in GATE_CUES and kind not in KINDS:
            raise VocabularyError(f"gate.yaml: {kind}: unknown kind; use {', '.join(GATE_CUES + KINDS)}")
    return {
        "category": {f"c:{s}": _weights(t, "categories.yaml", s, forms) for s, t in cats.items()},
        "kind": {f"k:{k}": _weights(t, "gate.yaml", k, forms) for k, t in gate.items() if k in KINDS},
        **{cue: {cue: _weights(gate.get(cue, {}), "gate.yaml", cue, forms)} for cue in GATE_CUES},
        URGENT: {URGENT: _weights(vocab["urgency.yaml"], "urgency.yaml", "cues", forms)},
    }


def _lexicon(groups: Mapping[str, Mapping[str, Mapping[str, float]]]) -> dict[str, tuple[Feature, ...]]:
    """Merge all families into one phrase table.

    A phrase of one family also carries what its words mean in the other
    families ("jalan rusak" is a road phrase, and its "rusak" is a report cue),
    because matching consumes the longest phrase only.
    """
    per_family: dict[str, dict[str, list[Feature]]] = {}
    for family, names in groups.items():
        table = per_family.setdefault(family, {})
        for name, phrases in names.items():
            for phrase, weight in phrases.items():
                table.setdefault(phrase, []).append((name, weight))
    phrases = {phrase for table in per_family.values() for phrase in table}
    lexicon: dict[str, tuple[Feature, ...]] = {}
    for phrase in sorted(phrases):
        features: list[Feature] = []
        for table in per_family.values():
            if phrase in table:
                features.extend(table[phrase])
            elif " " in phrase:
                scores, _ = scan(phrase.split(" "), table, longest_phrases(table))
                features.extend(sorted(scores.items()))
        lexicon[phrase] = tuple(features)
    return lexicon


def _inflections(known: set[str], forms: Mapping[str, str], keep: set[str]) -> dict[str, str]:
    """Affixed forms of known words and slang, mapped to the base word(s)."""
    bases = {w: w for w in known if len(w) >= 3 and w.isalpha()}
    bases.update({w: v for w, v in forms.items() if len(w) >= 3 and w.isalpha() and v})
    out: dict[str, str] = {}
    for word, base in sorted(bases.items()):
        variants = [word + s for s in _SUFFIXES] + [p + word for p in _PREFIXES]
        variants += [p + word + s for p, s in _CIRCUMFIXES]
        for variant in variants:
            if len(variant) >= 5 and variant not in known and variant not in forms and variant not in keep:
                out.setdefault(variant, base)
    return out


def _by_standard(forms: Mapping[str, str]) -> dict[str, list[str]]:
    """Written words grouped by their standard form, the shape stored in the cache.

    Some 33,000 written forms share about 1,200 standard forms; storing each of
    those once makes the JSON a third smaller and quicker to read.
    """
    grouped: dict[str, list[str]] = {}
    for written, standard in forms.items():
        grouped.setdefault(standard, []).append(written)
    return grouped


def _settings(settings: Any) -> dict[str, float | bool]:
    settings = _mapping(settings, "settings.yaml", "settings")
    out = {}
    for name in SETTINGS:
        value = settings.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise VocabularyError(f"settings.yaml: {name}: a number ≥ 0 is required, not {value!r}")
        out[name] = float(value)
    for name in SWITCHES:
        value = settings.get(name)
        if not isinstance(value, bool):
            raise VocabularyError(f"settings.yaml: {name}: true or false is required, not {value!r}")
        out[name] = value
    return out


def _freeze(data: Mapping[str, Any]) -> Vocabulary:
    """Give compiled data its lookup shapes: written→standard forms, tuples.

    The tables read per token (forms, lexicon, longest) stay plain dicts: a
    read-only view costs a third more per look-up on the hot path. Nothing
    writes to them after loading.
    """
    forms = {word: standard for standard, written in data["forms"].items() for word in written}
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
        seconds=second_words(lexicon),
    )
