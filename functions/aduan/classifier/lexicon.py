"""Phrase matching: the vocabulary as one dictionary from n-gram to weighted features.

Every vocabulary file (category words, gate cues, urgency cues) is merged into a
single table, so a post is matched in one left-to-right pass, longest phrase
first, with one dictionary look-up per candidate n-gram.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import compress, count

Feature = tuple[str, float]  # (feature name, weight)


def longest_phrases(lexicon: Mapping[str, tuple[Feature, ...]]) -> dict[str, int]:
    """For each first token, the length of the longest phrase starting with it."""
    longest: dict[str, int] = {}
    for phrase in lexicon:
        tokens = phrase.split(" ")
        longest[tokens[0]] = max(longest.get(tokens[0], 1), len(tokens))
    return longest


def second_words(phrases: Iterable[str]) -> dict[str, dict[str, int]]:
    """For each first token of a longer phrase, the tokens that can follow it in one.

    JSON-ready (compiled.json stores it): each set is a dict with 1 as every value.
    """
    seconds: dict[str, dict[str, int]] = {}
    for phrase in sorted(phrases):
        if " " in phrase:
            first, second = phrase.split(" ", 2)[:2]
            seconds.setdefault(first, {})[second] = 1
    return seconds


def scan(
    tokens: Sequence[str],
    lexicon: Mapping[str, tuple[Feature, ...]],
    longest: Mapping[str, int],
    seconds: Mapping[str, Mapping[str, int]] | None = None,
) -> tuple[dict[str, float], list[str]]:
    """Sum feature weights over the phrases found in ``tokens``; also return the phrases.

    At each position the longest known phrase wins and its tokens are consumed,
    so "lampu jalan" counts for street lights and not also for roads.
    ``seconds`` (:func:`second_words` of the lexicon) only saves time: a word whose
    next word continues none of its phrases is looked up alone.
    """
    scores: dict[str, float] = {}
    found: list[str] = []
    n = len(tokens)
    end = 0  # tokens before this were consumed by a phrase
    # Only tokens that start a phrase can match; compress() finds them without a Python-level loop.
    for i in compress(count(), map(longest.__contains__, tokens)):
        if i < end:
            continue
        token = tokens[i]
        size = longest[token]
        if size > 1 and seconds is not None and (i + 1 == n or tokens[i + 1] not in seconds[token]):
            size = 1  # "di" starts phrases, but "di" then "sini" starts none of them
        if size == 1:  # most known words start no longer phrase: one look-up
            features = lexicon.get(token)
            if features:
                found.append(token)
                for name, weight in features:
                    scores[name] = scores.get(name, 0.0) + weight
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
        end = i + (size if size > 1 else 1)
    return scores, found
