"""The classifier: one post in, an :class:`Understanding` out, with no I/O.

Order of work: clean the text, redact it for the public, read its words once
against the merged vocabulary (category, gate and urgency cues together), then
decide report/kind, category, urgency and place from those scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from aduan.classifier.categorize import categorize, topic_strength
from aduan.classifier.gate import REPORT_KIND, gate
from aduan.classifier.gazetteer import Gazetteer, Place
from aduan.classifier.lexicon import Feature, scan
from aduan.classifier.normalize import clean, handles, standardise, words
from aduan.classifier.redact import redact
from aduan.classifier.vocabulary import CONTRAST, URGENT, Vocabulary


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

    def __init__(self, vocabulary: Vocabulary, agency_handles: Iterable[str] = ()) -> None:
        self._vocab = vocabulary
        self._gazetteer = Gazetteer(vocabulary.gazetteer)
        self._public = frozenset(h.lower().lstrip("@") for h in agency_handles) | vocabulary.public_handles
        settings = vocabulary.settings
        self._analysed = int(settings["analysed_chars"])
        self._threshold = settings["report_threshold"]
        self._shared_topic = settings["shared_topic_weight"]
        self._review = settings["review_confidence"]
        self._strong = settings["strong_score"]
        self._urgent = settings["urgent_threshold"]
        self._account_place = bool(settings["account_place_for_reports"])

    def redact(self, text: str) -> str:
        """``text`` with personal data masked; agency and public-body handles stay."""
        return redact(clean(text), self._public)

    def understand(self, text: str, x_place: Mapping[str, Any] | str | None = None) -> Understanding:
        """Classify one post; ``x_place`` is X's place object (or its full_name)."""
        text = clean(text if isinstance(text, str) else "")
        head = text[: self._analysed]
        raw = words(head)
        vocab = self._vocab
        tokens = standardise(raw, vocab.forms)
        scores, _ = scan(tokens, vocab.lexicon, vocab.longest)
        topic = topic_strength(scores, vocab.categories)
        tail = _after_contrast(tokens, vocab) if CONTRAST in scores else None
        kind, margin = gate(scores, topic, self._threshold, self._shared_topic, tail)
        is_report = kind == REPORT_KIND
        fallback = is_report and self._account_place
        place = self._gazetteer.locate(raw, _full_name(x_place), handles(head), fallback)
        public_text = redact(text, self._public)
        if not is_report:
            confidence = round(min(1.0, 0.5 + margin / (2 * self._strong)), 3)
            return Understanding(False, kind, None, confidence, margin < 1, False, place, public_text)
        category, confidence = categorize(scores, vocab.categories, vocab.fallback, self._strong)
        urgent = scores.get(URGENT, 0.0) >= self._urgent
        needs_review = confidence < self._review or margin < 1
        return Understanding(True, kind, category, confidence, needs_review, urgent, place, public_text)


def _after_contrast(tokens: list[str], vocab: Vocabulary) -> dict[str, float]:
    """Scores of the words after the last contrast word ("tapi", "namun")."""
    contrasts = (i for i, token in enumerate(tokens) if _is_contrast(vocab.lexicon.get(token, ())))
    last = max(contrasts, default=len(tokens))
    return scan(tokens[last + 1 :], vocab.lexicon, vocab.longest)[0]


def _is_contrast(features: tuple[Feature, ...]) -> bool:
    return any(name == CONTRAST for name, _ in features)


def _full_name(x_place: Mapping[str, Any] | str | None) -> str | None:
    if isinstance(x_place, str):
        return x_place
    if isinstance(x_place, Mapping):
        name = x_place.get("full_name")
        return clean(name) if isinstance(name, str) else None
    return None
