"""The learned part of the classifier: a sparse linear model over words and the rules' reading.

One model decides the gate and the category together: its classes are
:data:`NOT_REPORT` and the taxonomy's slugs. Its features are the post's
standardised words (word pairs were measured and dropped: same accuracy, a
third of the time and a quarter of the size), the numbers in it reduced to one
shape, and what the rules made of the post (their decision, their score per
category and per kind). Trained on the labelled base posts, the model learns
how far to trust each rule; trained on agencies' corrections as well, the words
of a deployment take over where its agencies route otherwise (issue 10).

Inference is plain Python: a post's features are looked up in two tables (one
per feature family, so no feature string is built for a word). The artifact stores
each table as its keys in one string and its rows as three little-endian integer
arrays in base64 (:func:`encode_table`): loading a two-megabyte artifact then makes
a few objects instead of a million, and a row becomes a tuple of ``(class, weight)``
pairs the first time a post uses it.
"""

from __future__ import annotations

import base64
import json
import math
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

SCHEMA = "aduan.model/1"
NOT_REPORT = "-"  # the class of every non-report post
ARTIFACT_FILE = "model.json"
SHIPPED_DIR = Path(__file__).with_name("shipped")
MAX_TOKENS = 300  # a long letter is read by the model up to here (≈ 2,000 characters)
SCORE_CAP = 4  # rule scores are bucketed 1..SCORE_CAP
FAMILIES = ("u", "r")  # words, rules


CACHE_LIMIT = 200_000  # decoded rows (and misses) an instance keeps; beyond, rows are decoded per use


class ModelError(ValueError):
    """An artifact that cannot be used; the message names the file and the field."""


class RuleReading(NamedTuple):
    """What the rules made of a post: the model's rule features come from this."""

    label: str  # NOT_REPORT or the rules' category
    kind: str
    scores: Mapping[str, float]  # lexicon feature → summed weight


class Decision(NamedTuple):
    label: str  # NOT_REPORT or a category slug
    confidence: float  # in [0, 1]


def word_features(tokens: Sequence[str]) -> set[str]:
    """The distinct words among the first MAX_TOKENS standardised tokens.

    Numbers carry no topic but vary endlessly ("RT 03", "3 bulan", "<angka>"); every
    token with a digit reads as "0", so an exporter that replaces numbers changes
    nothing. Tokens are ``[a-z0-9]+`` or "?" (normalize.words).
    """
    return {t if t.isalpha() or t == "?" else "0" for t in tokens[:MAX_TOKENS]}


def rule_features(reading: RuleReading) -> list[str]:
    """The rules' reading as feature names: decision, kind, bucketed scores."""
    out = [f"L={reading.label}", f"K={reading.kind}"]
    for name, score in reading.scores.items():
        if score > 0 and (name.startswith(("c:", "k:")) or name in ("report", "sarcasm")):
            out.append(f"{name}={min(SCORE_CAP, math.ceil(score))}")
    return out


def features(tokens: Sequence[str], reading: RuleReading | None) -> dict[str, list[str]]:
    """All features of a post by family (the training side uses this too)."""
    return {
        "u": sorted(word_features(tokens)),
        "r": rule_features(reading) if reading is not None else [],
    }


def _array(code: str, text: str) -> array:
    values = array(code)
    if values.itemsize != 4 and code != "B":
        raise ValueError(f"array type {code!r} is not 4 bytes here")
    values.frombytes(base64.b64decode(text))
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _text(code: str, values: Iterable[int]) -> str:
    data = array(code, values)
    if sys.byteorder == "big":
        data.byteswap()
    return base64.b64encode(data.tobytes()).decode("ascii")


def encode_table(rows: Mapping[str, Sequence[tuple[int, int]]]) -> dict[str, str]:
    """A feature family as stored: sorted keys joined by newlines, rows as offsets/classes/values."""
    keys = sorted(rows)
    offsets, classes, values = [0], [], []
    for key in keys:
        for c, w in rows[key]:
            classes.append(c)
            values.append(w)
        offsets.append(len(classes))
    return {
        "keys": "\n".join(keys),
        "offsets": _text("I", offsets),
        "classes": _text("B", classes),
        "values": _text("i", values),
    }


class Table:
    """One feature family: key → row of (class, weight) pairs, decoded on first use.

    The keys stay the sorted list they are stored as and are found by bisection: no
    dictionary of every key is built at load (a 10,000-correction model has ~30,000),
    and a key found once is cached, so the cost falls on the first post that uses it.
    """

    __slots__ = ("cache", "classes", "keys", "offsets", "values")

    def __init__(self, data: Mapping[str, str]) -> None:
        self.keys = data["keys"].split("\n") if data["keys"] else []
        self.offsets, self.classes = _array("I", data["offsets"]), _array("B", data["classes"])
        self.values = _array("i", data["values"])
        if len(self.offsets) != len(self.keys) + 1 or not (
            self.offsets[-1] == len(self.classes) == len(self.values)
        ):
            raise ValueError("offsets/classes/values do not fit the keys")
        self.cache: dict[str, tuple[tuple[int, int], ...]] = {}

    def row(self, key: str) -> tuple[tuple[int, int], ...]:
        row = self.cache.get(key)
        if row is None:
            i = bisect_left(self.keys, key)
            if i < len(self.keys) and self.keys[i] == key:
                a, b = self.offsets[i], self.offsets[i + 1]
                row = tuple(zip(self.classes[a:b], self.values[a:b], strict=True))
            else:
                row = ()
            if len(self.cache) < CACHE_LIMIT:
                self.cache[key] = row
        return row


class Model:
    """A loaded artifact: scores the classes of one post with no I/O."""

    def __init__(self, artifact: Mapping[str, Any], source: str = "artifact") -> None:
        if not isinstance(artifact, Mapping) or artifact.get("schema") != SCHEMA:
            raise ModelError(f"{source}: schema: expected {SCHEMA!r}")
        try:
            self.classes: tuple[str, ...] = tuple(artifact["classes"])
            weights = artifact["weights"]
            self._tables = tuple(Table(weights[family]) for family in FAMILIES)
            self._bias: list[float] = list(artifact["bias"])
            self._scale = float(artifact["scale"])
            self._prior = float(artifact["prior"])
            self.uses_rules = bool(artifact["uses_rules"])
        except (KeyError, TypeError, ValueError) as error:
            raise ModelError(f"{source}: field {error} is missing or malformed") from None
        if len(self._bias) != len(self.classes) or NOT_REPORT not in self.classes or self._scale <= 0:
            raise ModelError(f"{source}: classes/bias/scale: inconsistent")
        self._index = {label: i for i, label in enumerate(self.classes)}
        self.version = str(artifact.get("version", ""))
        self.data_sha256 = str(artifact.get("data_sha256", ""))
        self.meta = {k: v for k, v in artifact.items() if k != "weights"}

    def scores(self, tokens: Sequence[str], reading: RuleReading | None) -> list[float]:
        """Raw class scores (the order of :attr:`classes`)."""
        unigrams = word_features(tokens)
        rules = rule_features(reading) if reading is not None and self.uses_rules else ()
        totals = list(self._bias)
        rule_class = self._index.get(reading.label) if rules else None
        if rule_class is not None:
            totals[rule_class] += self._prior
        for table, keys in zip(self._tables, (unigrams, rules), strict=True):
            get, decode = table.cache.get, table.row
            for key in keys:
                row = get(key)
                if row is None:
                    row = decode(key)
                for c, w in row:
                    totals[c] += w
        return totals

    def decide(self, tokens: Sequence[str], reading: RuleReading | None) -> Decision:
        """The best class and a confidence from its lead over the runner-up."""
        totals = self.scores(tokens, reading)
        best, top, second = 0, totals[0], -math.inf
        for i in range(1, len(totals)):
            score = totals[i]
            if score > top:
                best, top, second = i, score, top
            elif score > second:
                second = score
        return Decision(self.classes[best], round(1.0 - math.exp(-(top - second) / self._scale), 3))


def load_model(path: Path) -> Model:
    """Read an artifact directory (or its ``model.json``); raises ModelError."""
    file = path / ARTIFACT_FILE if path.is_dir() else path
    try:
        data = json.loads(file.read_bytes())
    except (OSError, ValueError) as error:
        raise ModelError(f"{file}: cannot be read: {error}") from None
    return Model(data, str(file))


def model_from_bytes(blob: bytes, source: str) -> Model:
    try:
        return Model(json.loads(blob), source)
    except ValueError as error:
        if isinstance(error, ModelError):
            raise
        raise ModelError(f"{source}: not JSON: {error}") from None


def shipped_model() -> Model | None:
    """The model shipped in the source archive, or None when none was shipped."""
    if not (SHIPPED_DIR / ARTIFACT_FILE).exists():
        return None
    return load_model(SHIPPED_DIR)


def labels_of(classes: Iterable[str]) -> list[str]:
    return [NOT_REPORT, *sorted(c for c in classes if c != NOT_REPORT)]
