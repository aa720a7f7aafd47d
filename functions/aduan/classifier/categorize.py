"""Choosing a report's category from the weighted category words it contains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def categorize(
    scores: Mapping[str, float], categories: Sequence[str], fallback: str, strong: float
) -> tuple[str, float]:
    """The best-scoring category and a confidence in [0, 1].

    Confidence grows with the winner's score (certain at ``strong``) and with
    its lead over the runner-up; a report with no category word gets the
    fallback category at zero confidence, so it is reviewed.
    """
    ranked = sorted(
        ((scores.get(f"c:{slug}", 0.0), -order, slug) for order, slug in enumerate(categories)), reverse=True
    )
    top, _, slug = ranked[0]
    if top <= 0:
        return fallback, 0.0
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    lead = top / (top + max(second, 0.0))
    return slug, round(min(1.0, top / strong) * lead, 3)


def topic_strength(scores: Mapping[str, float], categories: Sequence[str]) -> float:
    """The highest category score: how clearly the post talks about a public matter."""
    return max((scores.get(f"c:{slug}", 0.0) for slug in categories), default=0.0)
