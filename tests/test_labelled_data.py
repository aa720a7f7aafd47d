"""The hand-labelled posts follow tests/data/labelled/LABELLING.md.

The classifier's published figures are only as good as these labels, so a label
that breaks the guide (an unknown code, a district outside its regency, PII that is
not in the text) must fail CI instead of silently skewing the evaluation.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "data" / "labelled"
WILAYAH = ROOT / "functions" / "aduan" / "data" / "wilayah"
PARTS = {"dev": LABELLED / "dev.jsonl", "heldout": LABELLED / "heldout.jsonl"}

# The labels are written against the default taxonomy of DESIGN.md, whatever a
# deployment later configures.
CATEGORIES = frozenset(
    [
        "jalan",
        "drainase",
        "sampah",
        "lingkungan",
        "penerangan",
        "transportasi",
        "air",
        "listrik",
        "kependudukan",
        "pajak",
        "kesehatan",
        "pendidikan",
        "sosial",
        "ketertiban",
        "bencana",
        "pelayanan",
        "ekonomi",
        "lainnya",
    ]
)
NON_REPORT_KINDS = frozenset({"praise", "greeting", "question", "politics", "spam", "news", "chatter"})
KINDS = NON_REPORT_KINDS | {"report"}
PII_KINDS = frozenset({"nik", "kk", "phone", "email", "plate", "handle"})
LANGS = frozenset({"id", "jv", "en", "mixed"})
FIELDS = (
    "id",
    "text",
    "is_report",
    "kind",
    "category",
    "regency",
    "district",
    "urgent",
    "pii",
    "x_place",
    "lang",
)


@cache
def rows(part: str) -> tuple[dict, ...]:
    """Every line of one part, parsed; a line that is not a JSON object fails here."""
    assert PARTS[part].is_file(), f"{PARTS[part]} is missing: both parts are part of the evaluation"
    lines = PARTS[part].read_text(encoding="utf-8").splitlines()
    parsed = tuple(json.loads(line) for line in lines if line.strip())
    assert all(isinstance(row, dict) for row in parsed)
    return parsed


@cache
def parent_of() -> dict[str, str]:
    """BPS code → parent code, for kabupaten/kota (parent: province) and kecamatan."""
    parents: dict[str, str] = {}
    for name, parent_column in (("regencies.csv", "province_id"), ("districts.csv", "regency_id")):
        with (WILAYAH / name).open(encoding="utf-8", newline="") as fh:
            parents.update({r["id"]: r[parent_column] for r in csv.DictReader(fh)})
    return parents


def problems(row: dict, part: str) -> list[str]:
    """What is wrong with one labelled line (empty when it follows the guide)."""
    found: list[str] = []
    if tuple(row) != FIELDS:
        return [f"fields {tuple(row)} != {FIELDS}"]
    if not re.fullmatch(rf"{part}-\d{{4}}", row["id"]):
        found.append("id")
    if not isinstance(row["text"], str) or not row["text"].strip():
        found.append("text")
    if row["kind"] not in KINDS or row["is_report"] is not (row["kind"] == "report"):
        found.append("kind/is_report")
    if (row["category"] in CATEGORIES) is not (row["kind"] == "report") or (
        row["kind"] != "report" and row["category"] is not None
    ):
        found.append("category")
    if row["urgent"] not in (True, False) or (row["urgent"] and row["kind"] != "report"):
        found.append("urgent")
    if row["lang"] not in LANGS:
        found.append("lang")
    if row["x_place"] is not None and not (isinstance(row["x_place"], str) and row["x_place"].strip()):
        found.append("x_place")
    found += place_problems(row["regency"], row["district"])
    found += pii_problems(row["pii"], row["text"])
    return found


def place_problems(regency: object, district: object) -> list[str]:
    parents = parent_of()
    if regency is not None and not (isinstance(regency, str) and len(regency) == 4 and regency in parents):
        return [f"regency {regency!r} is not a kabupaten/kota code"]
    if district is None:
        return []
    if not (isinstance(district, str) and len(district) == 7 and district in parents):
        return [f"district {district!r} is not a kecamatan code"]
    if parents[district] != regency:
        return [f"district {district} lies in {parents[district]}, not {regency}"]
    return []


def pii_problems(pii: object, text: str) -> list[str]:
    if not isinstance(pii, list):
        return ["pii is not a list"]
    found = []
    for item in pii:
        if not (isinstance(item, dict) and set(item) == {"kind", "value"} and item["kind"] in PII_KINDS):
            found.append(f"pii item {item!r}")
        elif not item["value"] or item["value"] not in text:
            found.append(f"pii value {item['value']!r} is not in the text")
    return found


@pytest.mark.parametrize("part", PARTS)
def test_part_exists_and_every_line_follows_the_schema(part):
    bad = {row.get("id", i): found for i, row in enumerate(rows(part)) if (found := problems(row, part))}
    assert not bad


@pytest.mark.parametrize("part", PARTS)
def test_ids_are_unique(part):
    ids = Counter(row["id"] for row in rows(part))
    assert [i for i, n in ids.items() if n > 1] == []


@pytest.mark.parametrize("part", PARTS)
def test_part_covers_every_category_kind_and_pii_kind(part):
    data = rows(part)
    assert {r["category"] for r in data if r["is_report"]} == CATEGORIES
    assert {r["kind"] for r in data} == KINDS
    assert {p["kind"] for r in data for p in r["pii"]} == PII_KINDS
    assert any(r["urgent"] for r in data)
    assert {r["lang"] for r in data} >= {"id", "jv"}


def test_parts_share_no_text_and_hold_enough_posts():
    dev, heldout = rows("dev"), rows("heldout")
    assert len(dev) + len(heldout) >= 800
    assert not {r["text"] for r in dev} & {r["text"] for r in heldout}


def test_dev_part_has_the_mix_the_guide_promises():
    dev = rows("dev")
    categories = Counter(r["category"] for r in dev if r["is_report"])
    assert min(categories.values()) >= 15, categories
    assert 0.6 <= sum(r["is_report"] for r in dev) / len(dev) <= 0.8
    assert sum(r["urgent"] for r in dev) >= 30
    assert sum(bool(r["pii"]) for r in dev) >= 60
    assert min(Counter(p["kind"] for r in dev for p in r["pii"]).values()) >= 8
    assert len({r["regency"] for r in dev} - {None}) == 35


def test_problems_catches_broken_labels():
    """The validator itself must reject what the guide forbids, or the tests above prove nothing."""
    good = dict(rows("dev")[0])
    assert problems(good, "dev") == []
    broken = [
        {**good, "is_report": not good["is_report"]},
        {**good, "kind": "report", "is_report": True, "category": None},
        {**good, "kind": "chatter", "is_report": False, "category": None, "urgent": True},
        {**good, "regency": "3371", "district": "3374070"},
        {**good, "regency": None, "district": "3374070"},
        {**good, "regency": "9999"},
        {**good, "pii": [{"kind": "phone", "value": "not in the text"}]},
        {**good, "pii": [{"kind": "ssn", "value": good["text"][:3]}]},
        {**good, "lang": "fr"},
        {**good, "id": "heldout-0001"},
    ]
    assert all(problems(row, "dev") for row in broken)
