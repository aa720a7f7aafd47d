"""Benchmark of the post classifier (DESIGN.md budget: ≥ 5,000 posts/s, warm-up ≤ 50 ms).

Prints one JSON object:
  posts_per_s      single-thread throughput of Classifier.understand, warm
  warmup_ms        median over fresh processes of import + load + first call
  warmup_ms_max    the slowest of those runs
  peak_rss_mb      peak resident memory of such a fresh process
  peak_traced_mb   peak Python allocations (tracemalloc) during load + first call

Posts come from tests/data/labelled/dev.jsonl (texts only), else a small
built-in sample. Run: ``.venv/bin/python infra/bench_classifier.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
CONFIG = ROOT / "config"
DEV = ROOT / "tests" / "data" / "labelled" / "dev.jsonl"
SAMPLE = (
    "@pemkotsmg jln di Banyumanik rusak parah bgt pak, udh 3 bln",
    "sampahe numpuk neng kali wis seminggu ra diangkut",
    "KTP blm jadi udh 3 bln, hubungi 0812-3456-7890",
    "lampu PJU mati sak RT, peteng banget",
    "terima kasih pak wali, jalannya sudah mulus",
    "slot gacor maxwin depo 10rb",
)

# Runs in a fresh interpreter: the clock starts before the package is imported.
_FRESH = """
import time, resource, sys
t0 = time.perf_counter()
from pathlib import Path
from aduan.classifier import load_classifier
clf = load_classifier(Path(sys.argv[1]), frozenset({"pemkotsmg"}))
clf.understand(sys.argv[2])
elapsed = time.perf_counter() - t0
print(elapsed * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
_TRACED = """
import sys, tracemalloc
tracemalloc.start()
from pathlib import Path
from aduan.classifier import load_classifier
load_classifier(Path(sys.argv[1])).understand(sys.argv[2])
print(tracemalloc.get_traced_memory()[1] / 2**20)
"""


def _texts() -> list[str]:
    if DEV.exists():
        texts = []
        for line in DEV.read_text(encoding="utf-8").splitlines():
            try:
                texts.append(json.loads(line)["text"])
            except (ValueError, KeyError, TypeError):
                continue
        if texts:
            return texts
    return list(SAMPLE)


def _fresh(script: str, text: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", script, str(CONFIG), text],
        cwd=FUNCTIONS,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return [float(x) for x in out.split()]


def throughput(texts: list[str], seconds: float) -> float:
    """Posts per second of one warm classifier on one thread."""
    sys.path.insert(0, str(FUNCTIONS))
    from aduan.classifier import load_classifier

    clf = load_classifier(CONFIG, frozenset({"pemkotsmg"}))
    done, start = 0, time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for text in texts:
            clf.understand(text)
        done += len(texts)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes for the warm-up figure")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of the throughput run")
    args = parser.parse_args()
    texts = _texts()
    fresh = [_fresh(_FRESH, texts[0]) for _ in range(max(1, args.runs))]
    warmups = [ms for ms, _ in fresh]
    result = {
        "posts_per_s": round(throughput(texts, args.seconds)),
        "warmup_ms": round(statistics.median(warmups), 1),
        "warmup_ms_max": round(max(warmups), 1),
        "peak_rss_mb": round(max(rss for _, rss in fresh), 1),
        "peak_traced_mb": round(_fresh(_TRACED, texts[0])[0], 1),
        "posts": len(texts),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
