"""Training the classifier's model in plain Python (no numpy, no scikit-learn).

Two learners share one example shape and are compared in docs/classification.md:
an averaged multiclass perceptron (the one shipped: best held-out accuracy with
rule features, sparse weights, seconds to train) and multinomial naive Bayes
(one counting pass; kept as the measured alternative). Both return the JSON
artifact that :class:`aduan.classifier.model.Model` reads.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any, NamedTuple

from aduan.classifier.model import FAMILIES, NOT_REPORT, SCHEMA, encode_table

QUANTUM = 100  # weights are stored as integers: round(weight × QUANTUM)
MIN_COUNT = 2  # a feature seen in fewer training posts is dropped (size, noise)
# An update unless the gold class leads the runner-up by more than this. 8 came from dev folds
# with the base data alone; 48 measured best on a pool-validation split once corrections were in
# play (margins 8–96 tried: at 0/100/300/1,000/2,000 corrections +1 to +2 points over 8).
MARGIN = 48.0
LOCAL = "+"  # prefix of a feature's deployment-local copy while training (merged before storing)
# Only features in fewer than this share of the training posts get a local copy. Corrections are
# no random sample (agencies correct what went wrong, often one kind of post): local copies of
# common words ("di", "sudah", "mohon") would learn that kind and pull every post towards it.
# Measured with 40 posts of one category rerouted: all features 94 % of unseen such posts follow
# and the rest fall from 0.861 to 0.665 label accuracy; below 10 %: 98.5 % follow, the rest 0.855.
LOCAL_MAX_SHARE = 0.10
# Perceptrons averaged into one model, each reading the posts in its own order: one perceptron's
# decisions on borderline posts depend on the order it met them. Three measured on the
# pool-validation split: +0.6 to +1.2 points at 300/1,000/2,000 corrections, for 3× the training time
# (five: no further gain).
RUNS = 3
# Runs × posts a training may take (about 1.7 s per thousand on this machine): a large training set
# gets fewer runs, so base data + 10,000 corrections (~15,000 posts, one run) trains within a minute.
RUN_POSTS_BUDGET = 24_000
PRUNE = 1.0  # averaged weights below one update are dropped: a sixth of the rows, same accuracy on dev folds
# Head start of the rules' decision, in perceptron updates (dev folds, then a pool-validation split).
RULE_PRIOR = 24.0


class Example(NamedTuple):
    """One training post: its features by family, its class and how often it counts.

    ``local`` marks a deployment's own post (an agency's correction): the perceptron gives
    each of its features a second, deployment-local weight besides the shared one.
    """

    features: Mapping[str, Sequence[str]]
    label: str
    weight: int = 1
    key: str = ""  # the post's id: fixes its place in each epoch's order
    local: bool = False


def _keys(example: Example, rare: Set[str] = frozenset()) -> list[str]:
    """The example's feature keys; a local example adds a local copy of those in ``rare``."""
    keys = [f"{family}\x00{key}" for family in FAMILIES for key in example.features.get(family, ())]
    if example.local and rare:
        keys += [LOCAL + key for key in keys if key in rare]
    return keys


def _frequent(examples: Sequence[Example], rare: Set[str] = frozenset()) -> set[str]:
    counts: dict[str, int] = {}
    for example in examples:
        for key in _keys(example, rare):
            counts[key] = counts.get(key, 0) + example.weight
    return {key for key, n in counts.items() if n >= MIN_COUNT}


def _rare(examples: Sequence[Example]) -> set[str]:
    """Keys found in fewer than LOCAL_MAX_SHARE of the posts: the ones that may have local copies."""
    if not any(e.local for e in examples):
        return set()
    posts: dict[str, int] = {}
    for example in examples:
        for key in _keys(example):
            posts[key] = posts.get(key, 0) + 1
    limit = LOCAL_MAX_SHARE * len(examples)
    return {key for key, n in posts.items() if n < limit}


def train_perceptron(
    examples: Sequence[Example],
    classes: Sequence[str],
    epochs: int = 10,
    seed: int = 7,
    prior: float = RULE_PRIOR,
    uses_rules: bool = True,
    margin: float = MARGIN,
    runs: int | None = None,
) -> dict[str, Any]:
    """Averaged multiclass perceptron; an example of weight w moves the weights w times as far.

    With ``uses_rules``, the rules' decision adds ``prior`` to its class before any
    learned weight, so the model starts as the rules and words must earn the right
    to overrule them; without, the model reads the words alone. An update happens
    unless the gold class leads by more than ``margin``. ``runs`` perceptrons, each
    reading the posts in its own order, are averaged into one (default: RUNS, fewer for
    a training set beyond RUN_POSTS_BUDGET).

    A ``local`` example (a correction) trains a local copy of each of its less common
    features (LOCAL_MAX_SHARE) as well as the shared one, and base posts never see the
    local copies: where an agency routes unlike the base data, the local weights carry
    its reading and the base posts cannot pull it back (the feature-copy idea of
    Daumé III, "Frustratingly easy domain adaptation", 2007). Every post the deployed
    model reads is the deployment's, so each local weight is added to its shared one
    before storing: inference reads one table as before.
    """
    prior = prior if uses_rules else 0.0
    if runs is None:
        runs = max(1, min(RUNS, RUN_POSTS_BUDGET // max(1, len(examples))))
    index = {c: i for i, c in enumerate(classes)}
    rare = _rare(examples)
    keep = _frequent(examples, rare)
    data = [
        ([k for k in _keys(e, rare) if k in keep], index[e.label], _rule_class(e, index), float(e.weight))
        for e in examples
    ]
    order_keys = [e.key for e in examples]
    averaged: dict[str, dict[int, float]] = {}
    mean_bias = [0.0] * len(classes)
    for run in range(runs):
        weights, bias = _perceptron_run(data, order_keys, len(classes), epochs, seed + run, prior, margin)
        for key, row in weights.items():
            merged = averaged.setdefault(key.removeprefix(LOCAL), {})
            for c, w in row.items():
                merged[c] = merged.get(c, 0.0) + w / runs
        mean_bias = [m + b / runs for m, b in zip(mean_bias, bias, strict=True)]
    params = {"epochs": epochs, "prior": prior, "margin": margin, "runs": runs}
    pairs = [([k for k in keys if not k.startswith(LOCAL)], gold) for keys, gold, _, _ in data]
    return _artifact(
        averaged, mean_bias, classes, pairs, "averaged-perceptron", params, prior, uses_rules, PRUNE
    )


def _perceptron_run(
    data: Sequence[tuple[list[str], int, int | None, float]],
    order_keys: Sequence[str],
    n_classes: int,
    epochs: int,
    seed: int,
    prior: float,
    margin: float,
) -> tuple[dict[str, dict[int, float]], list[float]]:
    """One averaged perceptron over ``data`` (keys, gold, rule class, weight): its weights and bias."""
    weights: dict[str, dict[int, float]] = {}
    totals: dict[str, dict[int, float]] = {}  # Σ step × update, for averaging
    bias = [0.0] * n_classes
    bias_totals = [0.0] * n_classes
    step = 1
    for epoch in range(epochs):
        # Each example's place in an epoch comes from a hash of its key, not from a shuffle of
        # the whole list: adding a few corrections leaves the order of the others as it was,
        # so a retrained model differs from the last one only where the new data pulls it.
        salt = f"{seed}:{epoch}:"
        order = sorted(range(len(data)), key=lambda i: zlib.crc32((salt + order_keys[i]).encode()))
        for i in order:
            keys, gold, rule_class, size = data[i]
            scores = list(bias)
            if rule_class is not None:
                scores[rule_class] += prior
            for key in keys:
                row = weights.get(key)
                if row:
                    for c, w in row.items():
                        scores[c] += w
            gold_score, scores[gold] = scores[gold], float("-inf")
            guess = max(range(len(scores)), key=scores.__getitem__)
            if scores[guess] + margin >= gold_score:
                for c, delta in ((gold, size), (guess, -size)):
                    bias[c] += delta
                    bias_totals[c] += delta * step
                    timed = delta * step
                    for key in keys:
                        row = weights.setdefault(key, {})
                        row[c] = row.get(c, 0.0) + delta
                        acc = totals.setdefault(key, {})
                        acc[c] = acc.get(c, 0.0) + timed
            step += 1
    averaged = {key: {c: w - totals[key][c] / step for c, w in row.items()} for key, row in weights.items()}
    return averaged, [b - t / step for b, t in zip(bias, bias_totals, strict=True)]


def _rule_class(example: Example, index: Mapping[str, int]) -> int | None:
    for name in example.features.get("r", ()):
        if name.startswith("L="):
            return index.get(name[2:])
    return None


def train_naive_bayes(
    examples: Sequence[Example], classes: Sequence[str], alpha: float = 0.3, uses_rules: bool = True
) -> dict:
    """Multinomial naive Bayes over binary features, as log-probability weights."""
    index = {c: i for i, c in enumerate(classes)}
    keep = _frequent(examples)
    counts: dict[str, list[float]] = {}
    per_class = [alpha * len(keep)] * len(classes)
    docs = [1.0] * len(classes)
    data = []
    for example in examples:
        c = index[example.label]
        keys = [k for k in _keys(example) if k in keep]
        data.append((keys, c))
        docs[c] += example.weight
        for key in keys:
            counts.setdefault(key, [0.0] * len(classes))[c] += example.weight
            per_class[c] += example.weight
    log_norm = [math.log(n) for n in per_class]
    # Weights relative to the feature's mean log-probability keep the rows sparse-ish.
    weights = {}
    for key, row in counts.items():
        logs = [math.log(n + alpha) - log_norm[c] for c, n in enumerate(row)]
        mean = sum(logs) / len(logs)
        weights[key] = {c: v - mean for c, v in enumerate(logs)}
    total_docs = sum(docs)
    bias = [math.log(d / total_docs) for d in docs]
    return _artifact(weights, bias, classes, data, "naive-bayes", {"alpha": alpha}, 0.0, uses_rules)


def _artifact(
    weights: Mapping[str, Mapping[int, float]],
    bias: Sequence[float],
    classes: Sequence[str],
    data: Sequence[tuple[list[str], int]],
    learner: str,
    params: Mapping[str, Any],
    prior: float,
    uses_rules: bool,
    prune: float = 0.5 / QUANTUM,
) -> dict[str, Any]:
    rows: dict[str, dict[str, list[tuple[int, int]]]] = {family: {} for family in FAMILIES}
    for key, row in weights.items():
        family, name = key.split("\x00", 1)
        kept = [(c, round(w * QUANTUM)) for c, w in sorted(row.items()) if abs(w) >= prune]
        if kept:
            rows[family][name] = kept
    bias_q = [round(b * QUANTUM, 2) for b in bias]
    prior_q = round(prior * QUANTUM, 2)
    return {
        "schema": SCHEMA,
        "learner": learner,
        "params": dict(params),
        "classes": list(classes),
        "bias": bias_q,
        "prior": prior_q,
        "scale": _lead_scale(rows, bias_q, prior_q, list(classes), data),
        "uses_rules": uses_rules,
        "weights": {family: encode_table(table) for family, table in rows.items()},
    }


def _lead_scale(
    rows: Mapping[str, Mapping[str, Sequence[tuple[int, int]]]],
    bias: Sequence[float],
    prior: float,
    classes: list[str],
    data: Sequence[tuple[list[str], int]],
) -> float:
    """The median lead of the winning class on training posts: confidence 1 - e^-1 there."""
    leads = []
    for keys, _ in data[:: max(1, len(data) // 2000)]:
        scores = list(bias)
        rule = next((k for k in keys if k.startswith("r\x00L=")), None)
        if rule is not None and rule[4:] in classes:
            scores[classes.index(rule[4:])] += prior
        for key in keys:
            family, name = key.split("\x00", 1)
            for c, w in rows[family].get(name, ()):
                scores[c] += w
        top, second = sorted(scores, reverse=True)[:2]
        leads.append(top - second)
    leads.sort()
    return round(max(1.0, leads[len(leads) // 2] if leads else 1.0), 2)


def class_list(categories: Iterable[str]) -> list[str]:
    """The model's classes: not-a-report first, then the taxonomy's slugs in order."""
    return [NOT_REPORT, *categories]


LEARNERS = {"perceptron": train_perceptron, "naive-bayes": train_naive_bayes}
