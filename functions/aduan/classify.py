"""Command-line classifier for administrators.

    cd functions && python -m aduan.classify [--config DIR] [--model DIR | --published | --rules-only] < posts.jsonl

Reads JSON Lines ``{"id": …, "text": …, "place"?: {"full_name": …}}`` and writes
one JSON line per input line, in order: ``id, is_report, kind, category,
confidence, needs_review, place, urgent, public_text``. A line that is not such
an object gets ``{"line": N, "error": "…"}`` and the rest go on. ``--model`` is an
artifact directory from ``python -m aduan.train``; ``--published`` loads the model
``models/current`` names (what new ``classify_mention`` instances load); without
either, the model shipped in the source archive.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from aduan.classifier import SHIPPED, Classifier, ModelError, load_classifier, load_model

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config"


def agency_handles(config_dir: Path) -> frozenset[str]:
    """The X usernames of config/agencies.yaml: public accounts, never masked."""
    import yaml

    path = config_dir / "agencies.yaml"
    if not path.exists():
        return frozenset()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return frozenset(
        str(account["username"]).lower()
        for agency in data.get("agencies", []) or []
        for account in agency.get("accounts", []) or []
        if isinstance(account, dict) and account.get("username")
    )


def classify_lines(lines: Iterable[str], classifier: Classifier) -> Iterator[dict[str, Any]]:
    """One result (or error) object per non-blank input line, in order."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            post = json.loads(line)
        except ValueError as error:
            yield {"line": number, "error": f"not JSON: {error}"}
            continue
        if not isinstance(post, dict) or not isinstance(post.get("text"), str):
            yield {"line": number, "error": 'expected an object with a string "text"'}
            continue
        place = post.get("place")
        if place is not None and not isinstance(place, dict | str):
            yield {"line": number, "error": '"place" must be an object with "full_name", or null'}
            continue
        yield {"id": post.get("id"), **classifier.understand(post["text"], place).to_dict()}


def _published():
    import os

    from google.cloud import firestore

    from aduan import names
    from aduan.adapters.firestore_models import FirestoreModels
    from aduan.models import load_published

    project = os.environ.get(names.ENV_PROJECT) or None
    return load_published(FirestoreModels(firestore.Client(project=project))) or SHIPPED


def main(argv: list[str] | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m aduan.classify", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, help="config directory (default: %(default)s)"
    )
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--model", type=Path, help="model artifact directory (default: the shipped model)")
    choice.add_argument("--rules-only", action="store_true", help="no model: the vocabulary's rules alone")
    choice.add_argument(
        "--published",
        action="store_true",
        help="the model models/current names in Firestore (GOOGLE_CLOUD_PROJECT), as classify_mention loads it",
    )
    args = parser.parse_args(argv)
    try:
        if args.published:
            model = _published()
        else:
            model = None if args.rules_only else load_model(args.model) if args.model else SHIPPED
    except ModelError as error:
        parser.error(str(error))
    classifier = load_classifier(args.config, agency_handles(args.config), model)
    for result in classify_lines(stdin, classifier):
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
