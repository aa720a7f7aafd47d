"""Understanding a post: report or not, category, place, urgency and public text.

Pure code once loaded: :func:`load_classifier` reads the data files (and the
model artifact), then :meth:`Classifier.understand` does no I/O. See
docs/classification.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from aduan.classifier.gazetteer import Place
from aduan.classifier.model import Model, ModelError, load_model, shipped_model
from aduan.classifier.redact import redact
from aduan.classifier.understand import Classifier, Understanding
from aduan.classifier.vocabulary import VocabularyError, load_vocabulary

__all__ = [
    "SHIPPED",
    "Classifier",
    "Model",
    "ModelError",
    "Place",
    "Understanding",
    "VocabularyError",
    "load_classifier",
    "load_model",
    "redact",
]

SHIPPED = "shipped"  # load_classifier's default: the model shipped in the source archive


def load_classifier(
    config_dir: Path, agency_handles: Iterable[str] = frozenset(), model: Model | str | None = SHIPPED
) -> Classifier:
    """Load taxonomy, vocabulary, gazetteer and a model from ``config_dir``.

    ``model``: a loaded :class:`Model`, :data:`SHIPPED` (the shipped artifact, or
    the rules alone if none is shipped) or None (rules alone). Raises
    VocabularyError or ModelError.
    """
    chosen = shipped_model() if model == SHIPPED else model
    return Classifier(load_vocabulary(Path(config_dir)), agency_handles, chosen)  # type: ignore[arg-type]
