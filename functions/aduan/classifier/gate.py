"""Report or not: weighing problem cues and topic words against non-report cues."""

from __future__ import annotations

from collections.abc import Mapping

from aduan.classifier.vocabulary import KINDS, REPORT, SARCASM

REPORT_KIND = "report"
FALLBACK_KIND = "chatter"
PRAISE = "praise"
QUESTION = "question"
# Kinds that talk about public services as much as reports do: a thank-you for
# the Samsat, a question about the puskesmas, news of a flood. Against their
# cues, topic words are weak evidence of a problem.
TOPIC_KINDS = frozenset({PRAISE, QUESTION, "news"})
_KIND_KEYS = tuple((kind, f"k:{kind}") for kind in KINDS)


def gate(
    scores: Mapping[str, float],
    topic: float,
    threshold: float,
    shared_topic_weight: float = 1.0,
    after_contrast: Mapping[str, float] | None = None,
) -> tuple[str, float]:
    """The post's kind and the margin of that decision (small = unsure).

    A report needs problem cues or topic words adding up to ``threshold`` and
    more than the strongest non-report kind's cues; against praise, question
    and news cues the topic words count ``shared_topic_weight`` times. A
    defect metaphor ("jalannya kayak kolam ikan") is sarcasm: its praise words
    count for the report, not against it. ``after_contrast`` scores the words
    after the last "tapi"/"namun": a problem there and no praise means the
    thanks before it were courtesy and the problem is still open. A question that
    names a public service's topic asks that service for something: a report.
    """
    problem = scores.get(REPORT, 0.0)
    irony = scores.get(SARCASM, 0.0)
    kinds = {kind: scores.get(key, 0.0) for kind, key in _KIND_KEYS}
    if irony > 0:
        problem += irony + kinds[PRAISE]
        kinds[PRAISE] = 0.0
    if after_contrast and after_contrast.get(REPORT, 0.0) > after_contrast.get(f"k:{PRAISE}", 0.0):
        kinds[PRAISE] = 0.0
    strength, kind = max((weight, k) for k, weight in kinds.items())
    if kind == QUESTION and topic > 0:
        # A request for information or procedure about a public service is a report of
        # that service (LAPOR!'s "permintaan informasi"): its question cues ask for action.
        problem += strength
        kinds[QUESTION] = 0.0
        strength, kind = max((weight, k) for k, weight in kinds.items())
    weighed = problem + topic * (shared_topic_weight if kind in TOPIC_KINDS and strength > 0 else 1.0)
    if problem + topic >= threshold and weighed > strength:
        return REPORT_KIND, weighed - max(strength, threshold - 1)
    if strength > 0:
        return kind, strength - weighed
    return FALLBACK_KIND, threshold - problem - topic
