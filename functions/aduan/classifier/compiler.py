"""Compiling the data files into the form ``compiled.json`` caches (vocabulary.py loads it).

Imported only when that cache is stale or being rebuilt: the warm path never parses
this module, which matters where no bytecode is cached (each cold start compiles the
source of every module it imports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aduan.classifier.gazetteer import _LEVEL_LENGTHS, OUTSIDE, _is_city
from aduan.classifier.lexicon import Feature, longest_phrases, scan, second_words
from aduan.classifier.normalize import standardise, words
from aduan.classifier.shapes import shapes
from aduan.classifier.vocabulary import (
    CONTRAST,
    GATE_CUES,
    KINDS,
    URGENT,
    VOCABULARY_FILES,
    WILAYAH_DIR,
    VocabularyError,
)

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


def compile_sources(config_dir: Path, wilayah_dir: Path = WILAYAH_DIR) -> dict:
    """Parse and check all sources; return JSON-ready data (dicts, lists, str, numbers).

    No tuples or sets, so the cache reads back equal to a fresh compile;
    ``vocabulary._freeze`` gives the immutable shapes on both paths.
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
    place_tokens = {token for name in gazetteer["index"] for token in name.split(" ")}
    meaning = {
        phrase: frozenset(name for name, _ in features if name.startswith(("c:", "k:")))
        for phrase, features in lexicon.items()
    }
    taken = known | set(forms) | keep | place_tokens
    forms.update(shapes(known | set(forms.values()), forms, taken, meaning))
    public = _mapping(vocab["redaction.yaml"], "redaction.yaml", "redaction")
    return {
        "categories": list(categories),
        "fallback": fallback,
        "forms": _by_standard(forms),
        "lexicon": {phrase: [list(feature) for feature in features] for phrase, features in lexicon.items()},
        "longest": longest_phrases(lexicon),
        "seconds": second_words(lexicon),
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


def _by_standard(forms: Mapping[str, str]) -> dict[str, str]:
    """Written words grouped by their standard form, the shape stored in the cache.

    Some 38,000 written forms share about 1,300 standard forms; storing each of
    those once, its written words as one space-separated string (every written form
    is one token), makes the JSON a third smaller and five times quicker to parse
    than lists of strings.
    """
    grouped: dict[str, list[str]] = {}
    for written, standard in forms.items():
        grouped.setdefault(standard, []).append(written)
    return {standard: " ".join(written) for standard, written in grouped.items()}


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


def compile_gazetteer(wilayah_dir: Path, places: Mapping[str, Any], common_words: Iterable[str]) -> dict:
    """Build the index as JSON-ready data (cached as JSON) from the CSVs and places.yaml."""
    import csv  # only when compiling; the warm path reads the cache

    names: dict[str, str] = {}
    index: dict[str, list[str]] = {}

    def add(name: str, code: str) -> None:
        key = " ".join(words(name))
        if key:
            index.setdefault(key, [])
            if code not in index[key]:
                index[key].append(code)

    for file in ("regencies.csv", "districts.csv", "villages.csv"):
        with (wilayah_dir / file).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code, name = row["id"].strip(), row["name"].strip()
                names[code] = name.title()
                if len(code) == 4:
                    kind, bare = name.split(" ", 1)
                    forms = ["kota " + bare] if kind == "KOTA" else ["kabupaten " + bare, "kab " + bare]
                    for form in [bare, *forms]:
                        add(form, code)
                else:
                    add(name, code)
                    if "(" in name:  # "KARANGDUWUR (BEDONO)": either name alone
                        for part in name.replace(")", "").split("("):
                            add(part, code)
                    if " " in name:  # "GUNUNG PATI" is often written "gunungpati"
                        add(name.replace(" ", ""), code)
    for key, codes in list(index.items()):  # "wonosobo kota": the capital kecamatan
        regencies = [c for c in codes if len(c) == 4 and not _is_city(c)]
        capitals = [c for c in codes if len(c) == 7 and c[:4] in regencies]
        if len(capitals) == 1 and " " not in key:
            index[f"{key} kota"] = index[f"kota {key}"] = capitals
    for alias, codes in places.get("aliases", {}).items():
        codes = [codes] if isinstance(codes, str) else list(codes)
        for code in codes:
            if code not in names:
                raise ValueError(f"places.yaml: aliases: {alias!r}: unknown BPS code {code!r}")
        index[" ".join(words(alias))] = codes
    for name in places.get("outside", []):
        index[" ".join(words(name))] = [OUTSIDE]
    accounts = {}
    for account, code in places.get("accounts", {}).items():
        if code not in names:
            raise ValueError(f"places.yaml: accounts: {account!r}: unknown BPS code {code!r}")
        accounts[account.lower().lstrip("@")] = code
    generic = {" ".join(words(w)) for w in places.get("not_places", [])}
    generic |= {key for key in index if " " not in key and (len(key) <= 3 or key in common_words)}
    generic -= {" ".join(words(alias)) for alias in places.get("aliases", {})}
    levels = {
        " ".join(words(word)): level for level, ws in places.get("level_words", {}).items() for word in ws
    }
    for level in levels.values():
        if level not in _LEVEL_LENGTHS:
            raise ValueError(f"places.yaml: level_words: unknown level {level!r}")
    codes = sorted(names)
    first: dict[str, int] = {}  # first token of a name → tokens in the longest such name
    for key in index:
        head, size = key.split(" ", 1)[0], key.count(" ") + 1
        first[head] = max(first.get(head, 0), size)
    return {
        "first": first,
        "seconds": second_words(index),
        "codes": codes,
        "names": [names[c] for c in codes],
        "index": {key: " ".join(codes) for key, codes in index.items()},
        "generic": sorted(generic & set(index)),
        "accounts": accounts,
        "street_words": sorted({" ".join(words(w)) for w in places.get("street_words", [])}),
        "direction_words": sorted({" ".join(words(w)) for w in places.get("direction_words", [])}),
        "levels": levels,
    }
