"""Training and judging the classifier's model: pure code shared by the CLI and the scheduled job.

Training set = base posts + agencies' corrections. A correction replaces any base
post with the same id or the same text (the agency's reading wins), counts
:data:`CORRECTION_WEIGHT` times and is a *local* example: the perceptron learns a
deployment-local copy of its features (learn.train_perceptron), so a deployment
that routes unlike the base data is learned from its corrections without the base
posts pulling it back. The artifact records the SHA-256 of
exactly what it was trained on and its scores on the held-out posts.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from aduan.classifier import Classifier
from aduan.classifier.learn import LEARNERS, Example, class_list
from aduan.classifier.model import NOT_REPORT, Model, features
from aduan.train_data import Post, digest

# 1, 2, 4, 8 tried on a pool-validation split, as the pool is and relabelled the way another deployment
# routes: 2 is the one that beats TF-IDF + LinearSVC at 100, 300, 1,000 and 2,000 corrections in both.
CORRECTION_WEIGHT = 2
SCORE_METRIC = "label_accuracy"  # what publication compares: share of posts with gate and category right


def _text_key(text: str) -> str:
    return " ".join(text.lower().split())


class Sample(NamedTuple):
    """A post as trained on: how often it counts, and whether it is the deployment's own."""

    post: Post
    weight: int
    correction: bool


def training_set(base: Sequence[Post], corrections: Sequence[Post]) -> list[Sample]:
    """Base posts not superseded by a correction, then the corrections."""
    ids = {c.id for c in corrections}
    texts = {_text_key(c.text) for c in corrections}
    kept = [Sample(p, 1, False) for p in base if p.id not in ids and _text_key(p.text) not in texts]
    return kept + [Sample(c, CORRECTION_WEIGHT, True) for c in corrections]


def examples(classifier: Classifier, samples: Sequence[Sample], use_rules: bool = True) -> list[Example]:
    out = []
    for post, weight, correction in samples:
        tokens, reading = classifier.rule_reading(post.text)
        feats = features(tokens, reading if use_rules else None)
        out.append(Example(feats, post.label, weight, post.id, correction))
    return out


def fit(
    classifier: Classifier,
    posts: Sequence[Sample],
    learner: str = "perceptron",
    use_rules: bool = True,
) -> dict[str, Any]:
    """A model artifact (without metadata) trained on ``posts``."""
    classes = class_list(classifier.categories)
    return LEARNERS[learner](examples(classifier, posts, use_rules), classes, uses_rules=use_rules)


def predict_labels(classifier: Classifier, texts: Sequence[str]) -> list[str]:
    out = []
    for text in texts:
        u = classifier.understand(text)
        out.append(u.category if u.is_report else NOT_REPORT)
    return out


def _f1(gold: Sequence[str], pred: Sequence[str], label: str) -> float:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
    wrong = sum(1 for g, p in zip(gold, pred, strict=True) if (g == label) != (p == label))
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def metrics(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float | int | None]:
    """Gate precision/recall, category accuracy and macro-F1 on true reports, label accuracy."""
    pairs = list(zip(gold, pred, strict=True))
    reports = [(g, p) for g, p in pairs if g != NOT_REPORT]
    flagged = sum(p != NOT_REPORT for _, p in pairs)
    hits = sum(p != NOT_REPORT for _, p in reports)
    classes = sorted({g for g, _ in reports})
    report_gold = [g for g, _ in reports]
    report_pred = [p for _, p in reports]

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "posts": len(pairs),
        "reports": len(reports),
        "gate_precision": ratio(hits, flagged),
        "gate_recall": ratio(hits, len(reports)),
        "category_accuracy": ratio(sum(g == p for g, p in reports), len(reports)),
        "category_macro_f1": (
            round(sum(_f1(report_gold, report_pred, c) for c in classes) / len(classes), 4)
            if classes
            else None
        ),
        SCORE_METRIC: ratio(sum(g == p for g, p in pairs), len(pairs)),
    }


def evaluate(classifier: Classifier, posts: Sequence[Post]) -> dict[str, float | int | None]:
    return metrics([p.label for p in posts], predict_labels(classifier, [p.text for p in posts]))


def artifact_text(artifact: Mapping[str, Any]) -> str:
    """The artifact as stored: compact JSON, keys sorted (the same training gives the same bytes)."""
    return json.dumps(artifact, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def not_worse(gold: Sequence[str], candidate: Sequence[str], current: Sequence[str]) -> dict[str, Any]:
    """Whether the candidate's held-out labels are no worse than the current model's.

    Paired on the same posts: ``lost`` = posts the current model gets right and the
    candidate wrong, ``gained`` the reverse. Worse means losing more than gaining by
    more than chance explains (McNemar's test at 95 %: lost − gained > 1.96·√(lost + gained)),
    so retraining on a few corrections — which moves a perceptron's decisions on a post
    or two either way — is not refused for noise, and a model that really got worse is.
    """
    lost = sum(g == c and g != n for g, n, c in zip(gold, candidate, current, strict=True))
    gained = sum(g == n and g != c for g, n, c in zip(gold, candidate, current, strict=True))
    worse = lost - gained > 1.96 * math.sqrt(lost + gained)
    return {"lost": lost, "gained": gained, "not_worse": not worse}


def build_artifact(
    classifier: Classifier,
    base: Sequence[Post],
    corrections: Sequence[Post],
    heldout: Sequence[Post],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    learner: str = "perceptron",
) -> dict[str, Any]:
    """Train on base + corrections, score on ``heldout``, and return the versioned artifact."""
    started = time.perf_counter()
    posts = training_set(base, corrections)
    artifact = fit(classifier, posts, learner)
    seconds = time.perf_counter() - started
    sha = digest(posts)
    created = now()
    artifact.update(
        version=f"{created.strftime('%Y%m%dT%H%M%SZ')}-{sha[:10]}",
        created_at=created.isoformat().replace("+00:00", "Z"),
        data_sha256=sha,
        trained_on={"base_posts": len(base), "corrections": len(corrections), "examples": len(posts)},
        vocabulary_key=classifier.vocabulary_key,
        training_s=round(seconds, 2),
    )
    artifact["heldout"] = evaluate(classifier.with_model(Model(artifact)), heldout) if heldout else {}
    return artifact
