"""Retrain the classifier's model from the base data and agencies' corrections (admin CLI).

    cd functions && python -m aduan.train --corrections corrections.jsonl [MORE.jsonl …] --out DIR

Corrections are JSON Lines ``{"id", "text", "is_report", "category"}`` (what
``python -m aduan.corrections export`` writes). Trains on the labelled base and
pool posts plus the corrections, prints the held-out evaluation of the rules
alone and of the new model as JSON, and writes ``DIR/model.json``. Use it with
``python -m aduan.classify --model DIR``; to ship it, ``--out aduan/classifier/shipped``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aduan.classifier import load_classifier
from aduan.classifier.model import ARTIFACT_FILE
from aduan.classify import DEFAULT_CONFIG, agency_handles
from aduan.train_data import (
    BASE,
    DEFAULT_LABELLED,
    HELDOUT,
    POOL,
    DataError,
    labelled_splits,
    read_corrections,
)
from aduan.training import artifact_text, build_artifact, evaluate


def write_artifact(artifact: dict, out: Path) -> Path:
    """``out/model.json``."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / ARTIFACT_FILE
    path.write_text(artifact_text(artifact), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aduan.train", description=__doc__.splitlines()[0])
    parser.add_argument("--corrections", type=Path, nargs="*", default=[], metavar="FILE")
    parser.add_argument("--out", type=Path, required=True, help="directory for model.json")
    parser.add_argument("--labelled", type=Path, default=DEFAULT_LABELLED, help="labelled posts folder")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    args = parser.parse_args(argv)
    rules = load_classifier(args.config, agency_handles(args.config), model=None)
    try:
        parts = labelled_splits(args.labelled, rules.categories)
        corrections = read_corrections(args.corrections, rules.categories)
    except (OSError, DataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    artifact = build_artifact(rules, parts[BASE] + parts[POOL], corrections, parts[HELDOUT])
    path = write_artifact(artifact, args.out)
    report = {
        "version": artifact["version"],
        "data_sha256": artifact["data_sha256"],
        "trained_on": artifact["trained_on"],
        "training_s": artifact["training_s"],
        "heldout": {"rules": evaluate(rules, parts[HELDOUT]), "model": artifact["heldout"]},
        "artifact": str(path),
        "bytes": path.stat().st_size,
    }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
