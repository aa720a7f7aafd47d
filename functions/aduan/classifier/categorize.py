"""Choosing a report's category from the weighted category words it contains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def category_keys(categories: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """(score name, slug) per category, in taxonomy order: built once, read per post."""
    return tuple((f"c:{slug}", slug) for slug in categories)


def categorize(
    scores: Mapping[str, float], keys: Sequence[tuple[str, str]], fallback: str, strong: float
) -> tuple[str, float]:
    """The best-scoring category and a confidence in [0, 1].

    Confidence grows with the winner's score (certain at ``strong``) and with
    its lead over the runner-up; a report with no category word gets the
    fallback category at zero confidence, so it is reviewed. Ties go to the
    category listed first.
    """
    top, second, slug = 0.0, 0.0, fallback
    for key, name in keys:
        score = scores.get(key, 0.0)
        if score > top:
            top, second, slug = score, top, name
        elif score > second:
            second = score
    if top <= 0:
        return fallback, 0.0
    lead = top / (top + second)
    return slug, round(min(1.0, top / strong) * lead, 3)


def topic_strength(scores: Mapping[str, float], keys: Sequence[tuple[str, str]]) -> float:
    """The highest category score: how clearly the post talks about a public matter."""
    return max((scores.get(key, 0.0) for key, _ in keys), default=0.0)
