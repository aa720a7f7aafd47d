"""Phrase matching: the vocabulary as one dictionary from n-gram to weighted features.

Every vocabulary file (category words, gate cues, urgency cues) is merged into a
single table, so a post is matched in one left-to-right pass, longest phrase
first, with one dictionary look-up per candidate n-gram.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Feature = tuple[str, float]  # (feature name, weight)


def longest_phrases(lexicon: Mapping[str, tuple[Feature, ...]]) -> dict[str, int]:
    """For each first token, the length of the longest phrase starting with it."""
    longest: dict[str, int] = {}
    for phrase in lexicon:
        tokens = phrase.split(" ")
        longest[tokens[0]] = max(longest.get(tokens[0], 1), len(tokens))
    return longest


def scan(
    tokens: Sequence[str],
    lexicon: Mapping[str, tuple[Feature, ...]],
    longest: Mapping[str, int],
) -> tuple[dict[str, float], list[str]]:
    """Sum feature weights over the phrases found in ``tokens``; also return the phrases.

    At each position the longest known phrase wins and its tokens are consumed,
    so "lampu jalan" counts for street lights and not also for roads.
    """
    scores: dict[str, float] = {}
    found: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        size = longest.get(token, 0)
        if size == 1:  # most known words start no longer phrase: one look-up
            features = lexicon.get(token)
            if features:
                found.append(token)
                for name, weight in features:
                    scores[name] = scores.get(name, 0.0) + weight
            i += 1
            continue
        if size > n - i:
            size = n - i
        while size > 0:
            phrase = token if size == 1 else " ".join(tokens[i : i + size])
            features = lexicon.get(phrase)
            if features:
                found.append(phrase)
                for name, weight in features:
                    scores[name] = scores.get(name, 0.0) + weight
                break
            size -= 1
        i += size if size > 1 else 1
    return scores, found
