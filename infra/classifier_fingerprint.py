"""A digest of everything the classifier answers, to prove a speed-up changed no answer (issue 10).

    PYTHONPATH=functions:. .venv/bin/python -m infra.classifier_fingerprint [--dump FILE]

Inputs: every labelled post (with its X place), the speed bench's realistic texts, and
hostile inputs (lone surrogates, 100 kB posts, zero-width and bidi characters, full-width
and other-script digits, every PII shape the redactor masks, and seeded random strings made
of the characters its patterns turn on). Each is read by ``Classifier.understand`` with the
rules alone and with the shipped model, and by ``Classifier.redact``. Prints one SHA-256 per
section and one over all; ``--dump`` writes every answer as JSON lines, so two dumps can be
diffed to find the first input whose answer moved.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "functions"))

from aduan.classifier import load_classifier  # noqa: E402
from aduan.classify import agency_handles  # noqa: E402
from aduan.train_data import labelled_splits  # noqa: E402
from infra.bench_classifier import LABELLED, realistic_texts  # noqa: E402

CONFIG = ROOT / "config"

# Values that each pattern of redact.py masks (or must leave alone), in many writings.
_PII = [
    "3374012304850003",
    "3322 0415 0990 0002",
    "3301.1234.5678.0009",
    "3374  0123  4567  8901",
    "3374\u00a00123\u00a04567\u00a08901",
    "３３７４０１２３４５６７８９０１",
    "\u0663\u0663\u0667\u0664\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661",
    "3374\u200b0123\u200b4567\u200b8901",
    "0812-2345-6789",
    "+62 857 1234 5678",
    "(+62) 812 3456 7891",
    "0062 812 3456 7800",
    "wa081234567890",
    "6281390001234",
    "(024) 351 5871",
    "024-3515871",
    "024 / 351 5871",
    "+62 24 351 5871",
    "0812\u20133456\u20137890",
    "0812\u22123456\u00b77890",
    "budi.santoso88@gmail.com",
    "andi＠example．com",
    "budi@bücher.de",
    "a@b.c",
    "@dimas_prtm",
    "@@dobel",
    "＠pemkotsmg",
    "@PemkotSmg",
    "@humasbudi",
    "H 1234 AB",
    "h.1234.ab",
    "Ｈ １２３４ ＡＢ",
    "AA100 AA 1A",
    "AD 1234",
    "S1 dan D3",
    "e 10 kg",
    "B 12 jt",
    "XX 1234 AB",
    "https://x.com/dimas_prtm/status/1862000000000000001",
    "twitter.com/SitiNurhaliza99",
    "www.instagram.com/siti.rahma_",
    "x.com/i/status/1",
    "x.com/pemkotsmg.",
    "m.facebook.com/@budi",
    "0812 3456 7890 3374 0123 4567 8901",
    "anak2 3374012304850003x",
]
# Characters the patterns and the folding turn on, for random strings.
_ALPHABET = (
    "0123456789" * 3
    + " .-/_,:()+@%" * 2
    + "aAbBdDeEgGhHkKsSxXzZ"
    + "\u00a0\u200b\u200e\u200f\u202e\u00ad\ufeff\t\n\u3000"
    + "０１２３＠．－\u0661\u0967\u2013\u2212\u00b7\u2044"
    + "é\u0301🤮"
)
_FRAMES = ["{}", "tolong cek {}, makasih", "@pemkotsmg {} jalan rusak di Semarang", "{}{}", "{} {} {}"]


def hostile(seed: int = 10, random_strings: int = 6000) -> Iterator[str]:
    """Inputs that try every corner of cleaning, tokenising, folding and masking."""
    yield ""
    yield "\ud800 lone \udfff surrogates \udbff\udc00 jalan rusak"
    yield "\x00\x01\x7f\x9f control \u2028\u2029 lampu mati"
    yield "\u202eRTL\u202c \u200f\u200e mark \u2066iso\u2069 banjir"
    yield "zero\u200bwidth\u200cjoin\u200dners\u2060 \ufeffsampah"
    yield "ｊａｌａｎ ｒｕｓａｋ ０８１２３４５６７８９０ 𝐣𝐚𝐥𝐚𝐧 𝐫𝐮𝐬𝐚𝐤"
    yield "parahhhhhh bolong2 banget2 ???? ?? url http://a.b/c www.x.id"
    for pii in _PII:
        for frame in _FRAMES:
            yield frame.format(pii, pii, pii)
    rng = random.Random(seed)
    body = [
        "jalan",
        "rusak",
        "di",
        "Semarang",
        "0812",
        "3456",
        "7890",
        "@budi_s",
        "H",
        "1234",
        "AB",
        "budi@mail.com",
        "\u200b",
        "",
    ]
    yield " ".join(rng.choice(body) for _ in range(20_000))[:100_000]  # 100 kB post
    yield ("3" * 50_000) + ("@" * 50_000)
    yield ("a@" * 50_000)
    yield ("08" + " ." * 30_000)
    yield ("\u200b" * 40_000) + "3374012304850003"
    for _ in range(random_strings):
        size = rng.choice((4, 8, 16, 24, 40, 80))
        text = "".join(rng.choice(_ALPHABET) for _ in range(size))
        yield rng.choice(_FRAMES).format(text, text, text)


def labelled() -> Iterator[tuple[str, object]]:
    for file in sorted(LABELLED.glob("*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                yield row["text"], row.get("x_place")


def sections(categories: tuple[str, ...]) -> dict[str, list[tuple[str, object]]]:
    parts = labelled_splits(LABELLED, categories)  # the bench's sources, in the bench's order
    sources = [p.text for part in parts.values() for p in part]
    return {
        "labelled": list(labelled()),
        "realistic": [(t, None) for t in realistic_texts(sources, 3000)],
        "hostile": [(t, None) for t in hostile()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, help="write every answer as JSON lines here")
    args = parser.parse_args()
    combined = load_classifier(CONFIG, agency_handles(CONFIG))
    assert combined.model is not None, "the shipped model is missing"
    readers = {"rules": combined.with_model(None), "model": combined}
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    total = hashlib.sha256()
    digests = {}
    for name, inputs in sections(combined.categories).items():
        for reader_name, reader in [*readers.items(), ("redact", None)]:
            digest = hashlib.sha256()
            for number, (text, place) in enumerate(inputs):
                if reader is None:
                    answer: object = combined.redact(text)
                else:
                    answer = reader.understand(text, place).to_dict()  # type: ignore[arg-type]
                line = json.dumps([name, reader_name, number, answer], ensure_ascii=True, sort_keys=True)
                digest.update(line.encode() + b"\n")
                if dump:
                    dump.write(line + "\n")
            digests[f"{name}/{reader_name}"] = digest.hexdigest()
            total.update(digest.digest())
    if dump:
        dump.close()
    print(json.dumps({**digests, "all": total.hexdigest()}, indent=1))


if __name__ == "__main__":
    main()
