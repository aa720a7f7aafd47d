"""`python -m aduan.classify`: JSON Lines in, one JSON line out per input line, in order."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aduan.classify", *args],
        cwd=ROOT / "functions",
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_lines_in_lines_out_in_order_with_errors_named() -> None:
    lines = [
        json.dumps({"id": "a", "text": "@pemkotsmg jln rusak parah bgt di Banyumanik, WA 0812-2345-6789"}),
        "{not json",
        json.dumps({"id": "c", "text": "terima kasih min"}),
        json.dumps({"id": "d"}),
        json.dumps(
            {"id": "e", "text": "sampah numpuk", "place": {"full_name": "Kota Semarang, Jawa Tengah"}}
        ),
        json.dumps({"id": "f", "text": "x", "place": 5}),
        json.dumps(["a list"]),
    ]
    result = _run("\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id", o.get("line")) for o in out] == ["a", 2, "c", 4, "e", 6, 7]
    first = out[0]
    assert {
        "id",
        "is_report",
        "category",
        "confidence",
        "needs_review",
        "place",
        "urgent",
        "public_text",
    } <= set(first)
    assert (first["is_report"], first["category"], first["place"]["district_code"]) == (
        True,
        "jalan",
        "3374030",
    )
    assert "0812" not in first["public_text"] and "@pemkotsmg" in first["public_text"]
    assert out[2]["is_report"] is False and out[2]["category"] is None
    assert out[4]["place"]["regency_code"] == "3374"
    assert all(isinstance(out[i]["error"], str) for i in (1, 3, 5, 6))


def test_config_option_and_bad_config(tmp_path: Path) -> None:
    result = _run(json.dumps({"id": 1, "text": "jalan rusak"}) + "\n", "--config", str(ROOT / "config"))
    assert json.loads(result.stdout)["category"] == "jalan"
    missing = _run("", "--config", str(tmp_path))
    assert missing.returncode != 0 and "taxonomy.yaml" in missing.stderr


def test_non_ascii_text_is_kept() -> None:
    result = _run(json.dumps({"id": 1, "text": "jalan rusak 😡 ñ"}, ensure_ascii=False) + "\n")
    assert json.loads(result.stdout)["public_text"] == "jalan rusak 😡 ñ"
