"""Personal data never reaches public text (DESIGN.md invariant 4); ordinary text stays readable."""

from __future__ import annotations

import pytest

from aduan.classifier import redact
from aduan.classifier.redact import MASKS

AGENCIES = frozenset({"pemkotsmg", "laporgub_jtg"})


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("nik", "3374012304850003"),
        ("nik", "3322 0415 0990 0002"),
        ("nik", "3301.1234.5678.0009"),
        ("nik", "3301-1234-5678-0009"),
        ("phone", "0812-2345-6789"),
        ("phone", "+62 857 1234 5678"),
        ("phone", "+6285712345678"),
        ("phone", "6281390001234"),
        ("phone", "0813.9876.5432"),
        ("phone", "081234567890"),
        ("phone", "(024) 351 5871"),
        ("phone", "024-3515871"),
        ("email", "budi.santoso88@gmail.com"),
        ("email", "andi_w@mail.semarangkota.go.id"),
        ("plate", "H 1234 AB"),
        ("plate", "AA 5678 KL"),
        ("plate", "G1234XY"),
        ("plate", "R 3456 Z"),
        ("plate", "AD 1234"),
        ("handle", "@dimas_prtm"),
        ("handle", "@sitinurhaliza99"),
    ],
)
def test_each_kind_is_masked(kind: str, value: str) -> None:
    public = redact(f"tolong cek {value}, makasih", AGENCIES)
    assert value not in public
    assert MASKS[kind] in public
    assert public.startswith("tolong cek ") and public.endswith(", makasih")


@pytest.mark.parametrize(
    "handle",
    ["@pemkotsmg", "@PemkotSmg", "@laporgub_jtg", "@pemkabmagelang", "@bpbdjateng", "@dishubkotasmg"],
)
def test_agency_handles_stay(handle: str) -> None:
    assert redact(f"{handle} jalan rusak", AGENCIES) == f"{handle} jalan rusak"


@pytest.mark.parametrize(
    "text",
    [
        "sudah 3 bulan di RT 05 RW 02",
        "lulusan S1 dan D3",
        "iuran Rp 25.000 per bulan, 2026",
        "pelanggan PDAM no 01234567",
        "KM 12 arah Ungaran jam 14.30",
        "hotline 112 dan 1500-123",
        "tanggal 30-11-2026",
    ],
)
def test_ordinary_numbers_and_words_stay(text: str) -> None:
    assert redact(text, AGENCIES) == text


def test_every_occurrence_is_masked() -> None:
    text = "wa 0812 3456 7890 atau 0812 3456 7890, NIK 3374012304850003 KK 3374012304850004"
    public = redact(text, AGENCIES)
    assert public.count(MASKS["phone"]) == 2 and public.count(MASKS["nik"]) == 2


def test_email_is_not_read_as_a_handle() -> None:
    assert redact("kirim ke budi@pemkotsmg.go.id", AGENCIES) == f"kirim ke {MASKS['email']}"


def test_huge_text_is_redacted_in_full() -> None:
    text = ("jalan rusak " * 50_000) + "hubungi 0812-2345-6789"
    public = redact(text, AGENCIES)
    assert public.endswith(MASKS["phone"]) and "0812" not in public
