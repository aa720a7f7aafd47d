"""Agencies' corrections as training data: ``python -m aduan.corrections export [--out FILE]``.

Reads ``corrections/{report_id}`` (docs/contracts.md) from Firestore
(``GOOGLE_CLOUD_PROJECT``; ``FIRESTORE_EMULATOR_HOST`` locally) and writes JSON Lines
``{"id", "text", "is_report", "category"}`` — the input of ``python -m aduan.train
--corrections``. A document that cannot be a training line (no text, an unknown
category) is skipped and named on stderr with the reason. The texts are private:
keep the file where the reports' original texts may be.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from aduan import names


def export_lines(
    documents: Iterable[tuple[str, dict[str, Any]]],
    categories: Sequence[str],
    skipped: Callable[[str, str], None] = lambda doc_id, reason: None,
) -> Iterator[dict[str, Any]]:
    """One export line per usable correction document (id order is the source's)."""
    for doc_id, doc in documents:
        text, is_report, category = doc.get("text"), doc.get("is_report"), doc.get("category")
        if not isinstance(text, str) or not text.strip():
            skipped(doc_id, "text: a non-empty string is required")
        elif not isinstance(is_report, bool):
            skipped(doc_id, "is_report: true or false is required")
        elif is_report and category not in categories:
            skipped(doc_id, f"category: {category!r} is not a category of taxonomy.yaml")
        else:
            report_id = doc.get("report_id") if isinstance(doc.get("report_id"), str) else doc_id
            yield {
                "id": report_id,
                "text": text,
                "is_report": is_report,
                "category": category if is_report else None,
            }


def main(argv: list[str] | None = None, stdout=sys.stdout, stderr=sys.stderr) -> int:
    parser = argparse.ArgumentParser(prog="python -m aduan.corrections", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="write the stored corrections as JSON Lines")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.add_argument("--config", type=Path, default=Path(__file__).resolve().parents[2] / "config")
    args = parser.parse_args(argv)

    from google.cloud import firestore

    from aduan.adapters.firestore_corrections import FirestoreCorrections
    from aduan.classifier.vocabulary import VocabularyError, load_vocabulary

    try:
        categories = load_vocabulary(args.config).categories
    except (OSError, VocabularyError) as error:
        print(f"error: {error}", file=stderr)
        return 2
    source = FirestoreCorrections(firestore.Client(project=os.environ.get(names.ENV_PROJECT) or None))

    def skipped(doc_id: str, reason: str) -> None:
        print(f"skipped corrections/{doc_id}: {reason}", file=stderr)

    out = args.out.open("w", encoding="utf-8") if args.out else stdout
    count = 0
    try:
        for line in export_lines(source.stream(), categories, skipped):
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if args.out:
            out.close()
    print(f"exported {count} corrections", file=stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
