"""Report or not: weighing problem cues and topic words against non-report cues."""

from __future__ import annotations

from collections.abc import Mapping

from aduan.classifier.vocabulary import KINDS, REPORT

REPORT_KIND = "report"
FALLBACK_KIND = "chatter"


def gate(scores: Mapping[str, float], topic: float, threshold: float) -> tuple[str, float]:
    """The post's kind and the margin of that decision (small = unsure).

    A report needs problem cues or topic words adding up to ``threshold`` and
    more than the strongest non-report kind's cues.
    """
    evidence = scores.get(REPORT, 0.0) + topic
    strength, kind = max((scores.get(f"k:{k}", 0.0), k) for k in KINDS)
    if evidence >= threshold and evidence > strength:
        return REPORT_KIND, evidence - max(strength, threshold - 1)
    if strength > 0:
        return kind, strength - evidence
    return FALLBACK_KIND, threshold - evidence
