"""Benchmark and evaluation of the post classifier (issue 10; DESIGN.md budgets).

    .venv/bin/python -m infra.bench_classifier [--quick]      (or: python -m infra.bench --only classifier)

Prints one JSON object:
  texts            the length distribution the speed figures use (mean, p50, p95, share > 1,000, max)
  speed            posts/s of the whole Classifier.understand path on one core (CPU time of this
                   process, and wall time), with the shipped model and with the rules alone; the
                   cost of the redaction step (aduan/classifier/redact.py) inside it
  warmup           fresh processes: import + vocabulary + model load + first call (wall and CPU ms),
                   beside a floor (a fresh process parsing the same two JSON files) as a ratio
  numpy            what importing numpy / scikit-learn would add to a cold start; their installed size
  quality          held-out gate precision/recall, category accuracy and macro-F1 for the rules
                   alone, the base model (words only) and the combination (words + rules)
  learning_curve   held-out accuracy after 0/100/300/1,000/3,000 corrections drawn from the pool,
                   beside scikit-learn's TF-IDF + LinearSVC trained on the same corrections
  learning_curve_rerouted  the same for a deployment that routes three categories otherwise
                   (REROUTED): the corrections and the held-out posts carry its labels
  training         time to train on base data + 10,000 corrections, and the artifact's size

Realistic texts: lengths drawn from a log-normal (mean ≈ 270 characters, a long tail
past 1,000, capped at 4,000) and filled with labelled posts joined like a letter, so
the words are citizens' words and the long ones read like formal letters.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
CONFIG = ROOT / "config"
LABELLED = ROOT / "tests" / "data" / "labelled"
sys.path.insert(0, str(FUNCTIONS))

from aduan.classifier import load_classifier  # noqa: E402
from aduan.classifier.model import NOT_REPORT, Model  # noqa: E402
from aduan.classify import agency_handles  # noqa: E402
from aduan.train_data import BASE, HELDOUT, POOL, Post, labelled_splits  # noqa: E402
from aduan.training import artifact_text, build_artifact, evaluate, fit, metrics, training_set  # noqa: E402

LOG_MU, LOG_SIGMA, MAX_CHARS = 5.25, 0.9, 4000  # mean e^(μ+σ²/2) ≈ 290 before the cap: ≈ 270 after
CURVE = (0, 100, 300, 1000, 3000)

# Runs in a fresh interpreter: the clock starts before the package is imported.
_FRESH = """
import time, resource, sys
t0, c0 = time.perf_counter(), time.process_time()
from pathlib import Path
from aduan.classifier import load_classifier
clf = load_classifier(Path(sys.argv[1]), frozenset({"pemkotsmg"}))
clf.understand(sys.argv[2])
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
assert clf.model is not None
print(wall * 1000, cpu * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
_FRESH_WITH = """
import time, sys
t0 = time.perf_counter()
from pathlib import Path
from aduan.classifier import load_classifier, load_model
clf = load_classifier(Path(sys.argv[1]), frozenset({"pemkotsmg"}), load_model(Path(sys.argv[3])))
clf.understand(sys.argv[2])
print((time.perf_counter() - t0) * 1000)
"""
# The floor: what any reader of the same data files pays in a fresh process (JSON parse, no
# classifier code): the warm-up is reported beside it as a ratio, since this VM's speed drifts.
_FLOOR = """
import time, sys
t0 = time.perf_counter()
import json
from pathlib import Path
for name in ("aduan/classifier/compiled.json", "aduan/classifier/shipped/model.json"):
    json.loads(Path(name).read_bytes())
print((time.perf_counter() - t0) * 1000)
"""
_IMPORT = """
import time, sys
t0 = time.perf_counter()
__import__(sys.argv[1])
print((time.perf_counter() - t0) * 1000)
"""


def realistic_texts(sources: list[str], n: int, seed: int = 1) -> list[str]:
    """``n`` posts whose lengths follow the log-normal above, made of labelled posts."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        length = min(MAX_CHARS, max(20, int(rng.lognormvariate(LOG_MU, LOG_SIGMA))))
        parts = [rng.choice(sources)]
        while sum(map(len, parts)) < length:
            parts.append(rng.choice(sources))
        text = "\n\n".join(parts) if length > 600 else " ".join(parts)
        out.append(text[:length])
    return out


def describe(texts: list[str]) -> dict:
    lengths = sorted(map(len, texts))
    return {
        "posts": len(texts),
        "mean_chars": round(statistics.mean(lengths)),
        "p50_chars": lengths[len(lengths) // 2],
        "p95_chars": lengths[int(len(lengths) * 0.95)],
        "share_over_1000": round(sum(n > 1000 for n in lengths) / len(lengths), 3),
        "max_chars": lengths[-1],
    }


def _rate(fn, texts: list[str], seconds: float) -> tuple[float, float]:
    """(posts per CPU second, posts per wall second), best of bounded rounds."""
    best_cpu = best_wall = 0.0
    deadline = time.perf_counter() + seconds
    for _ in range(20):
        c0, w0 = time.process_time(), time.perf_counter()
        for text in texts:
            fn(text)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        best_cpu, best_wall = max(best_cpu, len(texts) / cpu), max(best_wall, len(texts) / wall)
        if time.perf_counter() > deadline:
            break
    return best_cpu, best_wall


def speed(texts: list[str], seconds: float) -> dict:
    handles = agency_handles(CONFIG)
    combined = load_classifier(CONFIG, handles)
    rules = combined.with_model(None)
    for text in texts[:200]:
        combined.understand(text)
    cpu, wall = _rate(combined.understand, texts, seconds)
    rules_cpu, _ = _rate(rules.understand, texts, seconds / 2)
    redact_cpu, _ = _rate(combined.redact, texts, seconds / 2)
    return {
        "posts_per_s_cpu": round(cpu),
        "posts_per_s_wall": round(wall),
        "rules_only_posts_per_s_cpu": round(rules_cpu),
        "us_per_post": round(1e6 / cpu, 1),
        "redact_us_per_post": round(1e6 / redact_cpu, 1),
        "redact_share": round(cpu / redact_cpu, 3),
        "agency_handles": len(handles),
    }


def _fresh(script: str, *args: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=FUNCTIONS,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return [float(x) for x in out.split()]


def warmup(text: str, runs: int) -> dict:
    samples, floors = [], []
    for _ in range(runs):  # interleaved, so drift in the machine's speed hits both alike
        samples.append(_fresh(_FRESH, str(CONFIG), text))
        floors.append(_fresh(_FLOOR)[0])
    walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
    return {
        "floor_ms": round(statistics.median(floors), 1),
        "warmup_to_floor": round(statistics.median(walls) / statistics.median(floors), 2),
        "warmup_ms": round(statistics.median(walls), 1),
        "warmup_ms_max": round(max(walls), 1),
        "warmup_cpu_ms": round(statistics.median(cpus), 1),
        "peak_rss_mb": round(max(s[2] for s in samples), 1),
        "runs": runs,
        "shipped_model_bytes": (FUNCTIONS / "aduan/classifier/shipped/model.json").stat().st_size,
    }


def _site_size(package: str) -> float | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    extra = [p for p in folder.parent.glob(f"{package}.libs")] + [
        p for p in folder.parent.glob(f"{package}*.libs")
    ]
    files = [f for d in [folder, *extra] for f in d.rglob("*") if f.is_file()]
    return round(sum(f.stat().st_size for f in files) / 2**20, 1)


def numpy_cost(runs: int) -> dict:
    out: dict = {}
    for module, dist in (("numpy", "numpy"), ("scipy.sparse", "scipy"), ("sklearn.svm", "sklearn")):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            out[dist] = None
            continue
        times = [_fresh(_IMPORT, module)[0] for _ in range(runs)]
        out[dist] = {"import_ms": round(statistics.median(times), 1), "installed_mb": _site_size(dist)}
    return out


def quality(rules, parts: dict[str, list[Post]]) -> dict:
    base = parts[BASE] + parts[POOL]
    heldout = parts[HELDOUT]
    words_only = Model(fit(rules, training_set(base, []), use_rules=False), "base")
    combined = Model(fit(rules, training_set(base, [])), "combined")
    return {
        "heldout_posts": len(heldout),
        "trained_on": len(base),
        "rules": evaluate(rules, heldout),
        "base_model": evaluate(rules.with_model(words_only), heldout),
        "combination": evaluate(rules.with_model(combined), heldout),
    }


def _pool_order(pool: list[Post]) -> list[Post]:
    import hashlib

    return sorted(pool, key=lambda p: hashlib.sha256(f"curve:{p.id}".encode()).hexdigest())


def reference_svm(train: list[Post], test: list[Post]) -> list[str] | None:
    """scikit-learn's TF-IDF + LinearSVC on the corrections alone (None below two classes)."""
    if len({p.label for p in train}) < 2:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    matrix = vectorizer.fit_transform([p.text for p in train])
    svm = LinearSVC(C=1.0).fit(matrix, [p.label for p in train])
    return list(svm.predict(vectorizer.transform([p.text for p in test])))


# Another deployment's routing: its environment office also takes rubbish, its roads office the
# street lights, and floods go to the drainage desk. The base data keeps the default taxonomy's
# labels; corrections and held-out posts carry this deployment's.
REROUTED = {"sampah": "lingkungan", "penerangan": "jalan", "bencana": "drainase"}


def rerouted(posts: list[Post]) -> list[Post]:
    return [p._replace(label=REROUTED.get(p.label, p.label)) for p in posts]


def learning_curve(rules, base: list[Post], pool: list[Post], heldout: list[Post], sizes=CURVE) -> dict:
    """Corrections are the first n pool posts (in a fixed hashed order), on top of ``base``."""
    drawn = _pool_order(pool)
    gold = [p.label for p in heldout]
    points = []
    for n in sizes:
        if n > len(drawn):
            points.append({"corrections": n, "skipped": f"the pool has {len(drawn)} posts"})
            continue
        corrections = drawn[:n]
        model = Model(fit(rules, training_set(base, corrections)), f"curve-{n}")
        ours = metrics(gold, [_label(rules.with_model(model), p.text) for p in heldout])
        point = {"corrections": n, "combination": _short(ours)}
        svm = reference_svm(corrections, heldout) if importlib.util.find_spec("sklearn") else None
        point["tfidf_linearsvc"] = _short(metrics(gold, svm)) if svm is not None else None
        points.append(point)
    return {"base_posts": len(base), "pool_posts": len(pool), "heldout_posts": len(heldout), "points": points}


def _label(classifier, text: str) -> str:
    u = classifier.understand(text)
    return u.category if u.is_report else NOT_REPORT


def _short(m: dict) -> dict:
    keys = ("label_accuracy", "category_accuracy", "category_macro_f1", "gate_precision", "gate_recall")
    return {k: m[k] for k in keys}


def training_time(
    rules, parts: dict[str, list[Post]], texts: list[str], n: int = 10_000, runs: int = 5
) -> dict:
    """Base + pool + ``n`` corrections of realistic length (labels of the posts they start with)."""
    rng = random.Random(5)
    labelled = parts[BASE] + parts[POOL]
    by_text = {p.text: p.label for p in labelled}
    corrections = []
    for i in range(n):
        head = rng.choice(labelled)
        body = texts[i % len(texts)]
        corrections.append(
            Post(f"x-bench-{i}", f"{head.text}\n{body}"[: max(len(head.text), len(body))], by_text[head.text])
        )
    c0, w0 = time.process_time(), time.perf_counter()
    artifact = build_artifact(rules, labelled, corrections, [])
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "model.json").write_text(artifact_text(artifact), encoding="utf-8")
        warm = [_fresh(_FRESH_WITH, str(CONFIG), texts[0], folder)[0] for _ in range(runs)]
    return {
        "corrections": n,
        "training_cpu_s": round(cpu, 1),
        "training_wall_s": round(wall, 1),
        "artifact_bytes": len(artifact_text(artifact).encode()),
        "warmup_ms_with_this_model": round(statistics.median(warm), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test of the bench)")
    args = parser.parse_args()
    rules = load_classifier(CONFIG, agency_handles(CONFIG), model=None)
    parts = labelled_splits(LABELLED, rules.categories)
    sources = [p.text for part in parts.values() for p in part]
    texts = realistic_texts(sources, 800 if args.quick else 3000)
    result: dict = {"texts": describe(texts)}
    result["speed"] = speed(texts, 2.0 if args.quick else 6.0)
    result["warmup"] = warmup(texts[0], 3 if args.quick else 11)
    result["numpy"] = numpy_cost(1 if args.quick else 5)
    result["quality"] = quality(rules, parts)
    base = parts[BASE]
    result["learning_curve"] = learning_curve(rules, base, parts[POOL], parts[HELDOUT])
    result["learning_curve_rerouted"] = {
        "rerouted": REROUTED,
        **learning_curve(rules, base, rerouted(parts[POOL]), rerouted(parts[HELDOUT])),
    }
    result["training"] = training_time(
        rules, parts, texts, 2000 if args.quick else 10_000, 3 if args.quick else 7
    )
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
