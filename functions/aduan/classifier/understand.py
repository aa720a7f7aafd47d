"""The classifier: one post in, an :class:`Understanding` out, with no I/O.

Order of work: clean the text, redact it for the public, read its words once
against the merged vocabulary (category, gate and urgency cues together), then
decide report/kind, category, urgency and place from those scores.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from aduan.classifier.categorize import categorize, category_keys, topic_strength
from aduan.classifier.gate import FALLBACK_KIND, REPORT_KIND, gate
from aduan.classifier.gazetteer import Gazetteer, Place
from aduan.classifier.lexicon import scan
from aduan.classifier.model import NOT_REPORT, Model, RuleReading
from aduan.classifier.normalize import clean, handles, standardise, words
from aduan.classifier.redact import redact
from aduan.classifier.vocabulary import CONTRAST, KINDS, URGENT, Vocabulary


class Understanding(NamedTuple):
    """What Aduan needs to know about one post."""

    is_report: bool
    kind: str  # "report" or praise|greeting|question|politics|spam|news|chatter
    category: str | None  # None iff not a report
    confidence: float  # in [0, 1]: of the category for a report, of the kind otherwise
    needs_review: bool
    urgent: bool
    place: Place | None
    public_text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the place as a nested object or null)."""
        out = self._asdict()
        out["place"] = self.place.to_dict() if self.place else None
        return out


class Classifier:
    """Understands posts using a loaded :class:`Vocabulary`; safe to share across calls."""

    def __init__(
        self, vocabulary: Vocabulary, agency_handles: Iterable[str] = (), model: Model | None = None
    ) -> None:
        self._vocab = vocabulary
        self.model = model
        self._gazetteer = Gazetteer(vocabulary.gazetteer)
        self._public = frozenset(h.lower().lstrip("@") for h in agency_handles) | vocabulary.public_handles
        self._category_keys = category_keys(vocabulary.categories)
        settings = vocabulary.settings
        self._analysed = int(settings["analysed_chars"])
        self._threshold = settings["report_threshold"]
        self._shared_topic = settings["shared_topic_weight"]
        self._review = settings["review_confidence"]
        self._model_review = settings["model_review_confidence"]
        self._strong = settings["strong_score"]
        self._urgent = settings["urgent_threshold"]
        self._account_place = bool(settings["account_place_for_reports"])

    @property
    def categories(self) -> tuple[str, ...]:
        return self._vocab.categories

    @property
    def vocabulary_key(self) -> int:
        """Checksum of the vocabulary files the rule features come from (a model records it)."""
        return self._vocab.rules_key

    def with_model(self, model: Model | None) -> Classifier:
        """The same rules and places with another model (None: rules alone)."""
        twin = copy.copy(self)
        twin.model = model
        return twin

    def redact(self, text: str) -> str:
        """``text`` with personal data masked; agency and public-body handles stay."""
        return self._redact(clean(text))

    def _redact(self, text: str) -> str:
        # Only accounts listed exactly stay public (the agencies' own and redaction.yaml's); redact()
        # normalises this frozenset once and remembers it.
        return redact(text, self._public)

    def understand(self, text: str, x_place: Mapping[str, Any] | str | None = None) -> Understanding:
        """Classify one post; ``x_place`` is X's place object (or its full_name)."""
        text = clean(text if isinstance(text, str) else "")
        head = text[: self._analysed]
        raw = words(head)
        tokens, reading, margin, rule_confidence = self._rules(raw)
        scores = reading.scores
        if self.model is None:
            is_report, kind, category = reading.kind == REPORT_KIND, reading.kind, None
            if is_report:
                category, confidence = reading.label, rule_confidence
                needs_review = confidence < self._review or margin < 1
            else:
                confidence = round(min(1.0, 0.5 + margin / (2 * self._strong)), 3)
                needs_review = margin < 1
        else:
            label, confidence = self.model.decide(tokens, reading)
            is_report = label != NOT_REPORT
            category = label if is_report else None
            kind = REPORT_KIND if is_report else _non_report_kind(reading)
            # A report the rules found no category word in is reviewed whatever the model says.
            wordless = is_report and category == self._vocab.fallback and rule_confidence == 0
            needs_review = confidence < self._model_review or wordless
        fallback = is_report and self._account_place
        mentioned = handles(text)
        in_head = mentioned if len(head) == len(text) else handles(head)
        place = self._gazetteer.locate(raw, _full_name(x_place), in_head, fallback)
        public_text = self._redact(text)
        urgent = is_report and self._urgent_now(head, scores)
        return Understanding(is_report, kind, category, confidence, needs_review, urgent, place, public_text)

    def _urgent_now(self, head: str, scores: Mapping[str, float]) -> bool:
        """Urgency: the quick sum of cues must pass, then the clause reading must confirm it."""
        if scores.get(URGENT, 0.0) < self._urgent:
            return False
        from aduan.classifier.urgency import urgent_now  # most posts never need it: not on the cold path

        vocab = self._vocab
        return urgent_now(head, vocab.forms, vocab.lexicon, vocab.longest, vocab.contrast, self._urgent)

    def rule_reading(self, text: str) -> tuple[list[str], RuleReading]:
        """The standardised tokens of ``text`` and what the rules make of it (training reads this)."""
        tokens, reading, _, _ = self._rules(words(clean(text)[: self._analysed]))
        return tokens, reading

    def _rules(self, raw: list[str]) -> tuple[list[str], RuleReading, float, float]:
        """Tokens, the rules' reading, the gate's margin and the rules' category confidence."""
        vocab = self._vocab
        tokens = standardise(raw, vocab.forms)
        scores, _ = scan(tokens, vocab.lexicon, vocab.longest, vocab.seconds)
        topic = topic_strength(scores, self._category_keys)
        tail = _after_contrast(tokens, vocab) if CONTRAST in scores else None
        kind, margin = gate(scores, topic, self._threshold, self._shared_topic, tail)
        label, confidence = NOT_REPORT, 0.0
        if kind == REPORT_KIND:
            label, confidence = categorize(scores, self._category_keys, vocab.fallback, self._strong)
        return tokens, RuleReading(label, kind, scores), margin, confidence


def _non_report_kind(reading: RuleReading) -> str:
    """The kind of a post the model rejected: the rules' kind, else their strongest non-report cue."""
    if reading.kind != REPORT_KIND:
        return reading.kind
    strength, kind = max((reading.scores.get(f"k:{k}", 0.0), k) for k in KINDS)
    return kind if strength > 0 else FALLBACK_KIND


def _after_contrast(tokens: list[str], vocab: Vocabulary) -> dict[str, float]:
    """Scores of the words after the last contrast word ("tapi", "namun")."""
    contrasts = vocab.contrast
    last = next((i for i in range(len(tokens) - 1, -1, -1) if tokens[i] in contrasts), len(tokens))
    return scan(tokens[last + 1 :], vocab.lexicon, vocab.longest, vocab.seconds)[0]


def _full_name(x_place: Mapping[str, Any] | str | None) -> str | None:
    if isinstance(x_place, str):
        return x_place
    if isinstance(x_place, Mapping):
        name = x_place.get("full_name")
        return clean(name) if isinstance(name, str) else None
    return None
