"""Quality of the post classifier on a labelled file (tests/data/labelled/LABELLING.md).

Prints aggregate metrics as JSON: report gate precision/recall, kind accuracy,
category accuracy and macro-F1 on true reports, per-class F1, place accuracy
(kabupaten/kota exact; kecamatan), urgency precision/recall and redaction
recall per kind of personal data.

    .venv/bin/python infra/eval_classifier.py tests/data/labelled/dev.jsonl [--errors]
        [--model DIR | --rules-only]

Without ``--model`` the shipped model is used (with the rules, as in production).

``--errors`` also lists the misread posts, and is refused for the held-out
file: nobody tunes on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "functions"))

from aduan.classifier import SHIPPED, Classifier, load_classifier, load_model  # noqa: E402
from aduan.classify import agency_handles  # noqa: E402


def _ratio(hit: int, total: int) -> float | None:
    return round(hit / total, 4) if total else None


def _f1(gold: Sequence[Any], pred: Sequence[Any], label: Any) -> float:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
    return round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0


def _pr(gold: Sequence[bool], pred: Sequence[bool]) -> dict[str, float | None]:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    return {"precision": _ratio(tp, sum(pred)), "recall": _ratio(tp, sum(gold))}


def evaluate(rows: Sequence[dict], classifier: Classifier) -> tuple[dict[str, Any], list[dict]]:
    """Metrics over ``rows`` and the per-post comparisons they come from."""
    results = []
    for row in rows:
        x_place = {"full_name": row["x_place"], "geo": None} if row.get("x_place") else None
        u = classifier.understand(row["text"], x_place)
        results.append((row, u))
    reports = [(r, u) for r, u in results if r["is_report"]]
    gold_cat = [r["category"] for r, _ in reports]
    pred_cat = [u.category for _, u in reports]
    classes = sorted(set(gold_cat))
    per_class = {c: _f1(gold_cat, pred_cat, c) for c in classes}
    with_regency = [(r, u) for r, u in results if r["regency"]]
    with_district = [(r, u) for r, u in results if r["district"]]
    placed = [(r, u) for r, u in results if u.place]
    pii: dict[str, Counter] = {}
    for row, u in results:
        for item in row["pii"]:
            counts = pii.setdefault(item["kind"], Counter())
            counts["total"] += 1
            counts["masked"] += item["value"] not in u.public_text
    metrics = {
        "posts": len(results),
        "reports": len(reports),
        "gate": _pr([r["is_report"] for r, _ in results], [u.is_report for _, u in results]),
        "kind_accuracy": _ratio(sum(r["kind"] == u.kind for r, u in results), len(results)),
        "category_accuracy": _ratio(
            sum(g == p for g, p in zip(gold_cat, pred_cat, strict=True)), len(reports)
        ),
        "category_macro_f1": round(sum(per_class.values()) / len(per_class), 4) if per_class else None,
        "category_f1": per_class,
        "category_accuracy_when_gated": _ratio(
            sum(r["category"] == u.category for r, u in reports if u.is_report),
            sum(u.is_report for _, u in reports),
        ),
        "place": {
            "regency_accuracy": _ratio(
                sum(u.place is not None and u.place.regency_code == r["regency"] for r, u in with_regency),
                len(with_regency),
            ),
            "district_accuracy": _ratio(
                sum(u.place is not None and u.place.district_code == r["district"] for r, u in with_district),
                len(with_district),
            ),
            "regency_precision": _ratio(
                sum(u.place.regency_code == r["regency"] for r, u in placed), len(placed)
            ),
        },
        "urgency": _pr([r["urgent"] for r, _ in results], [u.urgent for _, u in results]),
        "redaction_recall": {kind: _ratio(c["masked"], c["total"]) for kind, c in sorted(pii.items())},
    }
    details = [
        {
            "id": r["id"],
            "text": r["text"],
            "gold": [r["kind"], r["category"], r["regency"], r["district"], r["urgent"]],
            "pred": [
                u.kind,
                u.category,
                u.place and u.place.regency_code,
                u.place and u.place.district_code,
                u.urgent,
            ],
            "public_text": u.public_text,
        }
        for r, u in results
    ]
    return metrics, details


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def misread(details: Iterable[dict]) -> list[dict]:
    return [d for d in details if d["gold"] != d["pred"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled", type=Path)
    parser.add_argument("--config", type=Path, default=ROOT / "config")
    parser.add_argument(
        "--errors", action="store_true", help="list misread posts (not for the held-out file)"
    )
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--model", type=Path, help="model artifact directory (default: the shipped model)")
    choice.add_argument("--rules-only", action="store_true", help="the vocabulary's rules without a model")
    args = parser.parse_args()
    if args.errors and "heldout" in args.labelled.name:
        parser.error("--errors is not allowed on the held-out file")
    model = None if args.rules_only else load_model(args.model) if args.model else SHIPPED
    classifier = load_classifier(args.config, agency_handles(args.config), model)
    metrics, details = evaluate(read_rows(args.labelled), classifier)
    print(json.dumps(metrics, indent=1))
    if args.errors:
        for d in misread(details):
            print(json.dumps(d, ensure_ascii=False))


if __name__ == "__main__":
    main()
