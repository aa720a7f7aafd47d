"""Understanding a post: report or not, category, place, urgency and public text.

Pure code once loaded: :func:`load_classifier` reads the data files, then
:meth:`Classifier.understand` does no I/O. See docs/classification.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from aduan.classifier.gazetteer import Place
from aduan.classifier.redact import redact
from aduan.classifier.understand import Classifier, Understanding
from aduan.classifier.vocabulary import VocabularyError, load_vocabulary

__all__ = ["Classifier", "Place", "Understanding", "VocabularyError", "load_classifier", "redact"]


def load_classifier(config_dir: Path, agency_handles: Iterable[str] = frozenset()) -> Classifier:
    """Load taxonomy, vocabulary and gazetteer from ``config_dir``; raises VocabularyError."""
    return Classifier(load_vocabulary(Path(config_dir)), agency_handles)
