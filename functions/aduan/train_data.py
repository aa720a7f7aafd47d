"""The classifier's training data: labelled posts split by a hash of their id, and corrections.

Every ``*.jsonl`` of the labelled folder is read. ``heldout.jsonl`` is held out
entirely and ``dev.jsonl`` (the rules were tuned on it) is base data; a post of
any other file goes by the SHA-256 of its id to ``heldout`` (15 %), ``base``
(15 %) or ``pool`` (70 %: the corrections the learning curve draws from). The
split never changes when files grow, so nothing moves from held-out into training.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from aduan.classifier.model import NOT_REPORT

HELDOUT, BASE, POOL = "heldout", "base", "pool"
SPLITS = (HELDOUT, BASE, POOL)
FIXED = {
    "heldout.jsonl": HELDOUT,
    "dev.jsonl": BASE,
    "blind-heldout.jsonl": HELDOUT,
    "blind-dev.jsonl": BASE,
}
HELDOUT_SHARE, BASE_SHARE = 15, 15  # per cent of the other files; the rest is the pool
# Deployed, the labelled posts sit beside main.py (terraform/functions.tf); in the repository, under tests/.
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LABELLED = next(
    (
        p
        for p in (_PACKAGE_ROOT / "labelled", _PACKAGE_ROOT.parent / "tests" / "data" / "labelled")
        if p.is_dir()
    ),
    _PACKAGE_ROOT / "labelled",
)


class DataError(ValueError):
    """A labelled or corrections line that cannot be used; names file, line and field."""


class Post(NamedTuple):
    """A post with its gold label: NOT_REPORT or a category slug."""

    id: str
    text: str
    label: str


def split_of(file_name: str, post_id: str) -> str:
    """Which part a labelled post belongs to: fixed per file, else by the hash of its id."""
    if file_name in FIXED:
        return FIXED[file_name]
    bucket = int.from_bytes(hashlib.sha256(post_id.encode()).digest()[:4], "big") % 100
    if bucket < HELDOUT_SHARE:
        return HELDOUT
    return BASE if bucket < HELDOUT_SHARE + BASE_SHARE else POOL


def _label(row: dict, where: str, categories: Sequence[str]) -> str:
    is_report = row.get("is_report")
    if not isinstance(is_report, bool):
        raise DataError(f"{where}: is_report: true or false is required")
    if not is_report:
        return NOT_REPORT
    category = row.get("category")
    if category not in categories:
        raise DataError(f"{where}: category: {category!r} is not a category slug")
    return category


def read_posts(path: Path, categories: Sequence[str]) -> Iterator[Post]:
    """Posts of one JSON Lines file (labelled posts or corrections: same fields)."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path}: line {number}"
            try:
                row = json.loads(line)
            except ValueError as error:
                raise DataError(f"{where}: not JSON: {error}") from None
            if not isinstance(row, dict):
                raise DataError(f"{where}: an object is required")
            if not isinstance(row.get("id"), str) or not isinstance(row.get("text"), str):
                raise DataError(f"{where}: id, text: strings are required")
            yield Post(row["id"], row["text"], _label(row, where, categories))


def labelled_splits(folder: Path, categories: Sequence[str]) -> dict[str, list[Post]]:
    """All labelled posts of ``folder`` by split, in file and line order."""
    parts: dict[str, list[Post]] = {name: [] for name in SPLITS}
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for post in read_posts(path, categories):
            if post.id in seen:
                raise DataError(f"{path}: id {post.id!r} also in {seen[post.id].name}")
            seen[post.id] = path
            parts[split_of(path.name, post.id)].append(post)
    return parts


def read_corrections(paths: Iterable[Path], categories: Sequence[str]) -> list[Post]:
    """Corrections files in order; a later line for the same id replaces an earlier one."""
    latest: dict[str, Post] = {}
    for path in paths:
        for post in read_posts(path, categories):
            latest.pop(post.id, None)
            latest[post.id] = post
    return list(latest.values())


def digest(samples: Iterable[tuple[Post, int, bool]]) -> str:
    """SHA-256 of the training set: each (post, weight, is a correction) as a canonical line, sorted."""
    lines = sorted(json.dumps([p.id, p.text, p.label, w, c], ensure_ascii=False) for p, w, c in samples)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
