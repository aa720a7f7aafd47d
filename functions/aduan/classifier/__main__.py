"""Rebuild the compiled vocabulary cache after editing config/: ``python -m aduan.classifier``."""

from pathlib import Path

from aduan.classifier.vocabulary import CACHE_PATH, write_cache

write_cache(Path(__file__).resolve().parents[3] / "config")
print(f"wrote {CACHE_PATH}")
