"""Places as LABELLING.md resolves them: names as people write them, ambiguity, no guessing."""

from __future__ import annotations

from pathlib import Path

import pytest

from aduan.classifier import Place, load_classifier

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def clf():
    return load_classifier(ROOT / "config", frozenset({"pemkotsmg", "pemkotmagelang", "pemkabmagelang"}))


def _codes(clf, text: str, x_place: str | None = None) -> tuple[str | None, str | None]:
    place = clf.understand(text, {"full_name": x_place, "geo": None} if x_place else None).place
    return (place.regency_code, place.district_code) if place else (None, None)


@pytest.mark.parametrize(
    ("text", "regency", "district"),
    [
        ("jalan di Mertoyudan rusak parah", "3308", "3308110"),
        ("got mampet di Banyumanik", "3374", "3374030"),
        ("sampah numpuk di kota smg", "3374", None),
        ("sampah numpuk di Smg kota", "3374", None),
        ("lampu mati di kab. magelang", "3308", None),
        ("lampu mati di kabupaten smg", "3322", None),
        ("PJU mati di Kota Magelang", "3371", None),
        ("macet parah di Solo", "3372", None),
        ("jalan rusak di Purwokerto", "3302", None),
        ("jalan rusak di Purwokerto Utara", "3302", "3302740"),
        ("jalan rusak di Ungaran", "3322", None),
        ("jalan rusak di Ambarawa", "3322", "3322100"),
        ("jalan rusak di Karanganyar", "3313", None),
        ("jalan rusak di Sukoharjo", "3311", None),
        ("jalan rusak di kec. Karanganyar Demak", "3321", "3321110"),
        ("jalan rusak di Karanganyar, Kebumen", "3305", "3305200"),
        ("jalan rusak di kecamatan Sukoharjo Wonosobo", "3307", "3307051"),
        ("jalan rusak di kota Kebumen", "3305", "3305120"),
        ("jalan rusak di Wonosobo kota", "3307", "3307090"),
        ("banjir di Semarang Banyumanik", "3374", "3374030"),
        ("jalan rusak di Mertoyudan Magelang", "3308", "3308110"),
        ("@pemkotsmg desa Sendangmulyo jalane rusak", "3374", "3374070"),  # account decides 8 villages
        ("jalan desa Padangjaya rusak", "3301", "3301030"),  # a unique village name
    ],
)
def test_written_places(clf, text: str, regency: str, district: str | None) -> None:
    assert _codes(clf, text) == (regency, district)


@pytest.mark.parametrize(
    "text",
    [
        "jalan di Magelang rusak",  # split pair, nothing decides
        "jalan di Semarang rusak",
        "got mampet di Kaliwungu",  # kecamatan in Kab. Semarang and Kendal
        "jalan rusak di Jogja",  # outside Central Java
        "barang saya butuh jadi banget",  # villages named like ordinary words
        "lampu mati di jl. Magelang",  # a street, not the city
        "desa Sendangmulyo jalane rusak",  # eight villages of that name
    ],
)
def test_no_place_rather_than_a_guess(clf, text: str) -> None:
    assert _codes(clf, text) == (None, None)


def test_mentioned_account_decides_a_split_pair(clf) -> None:
    assert _codes(clf, "@pemkotmagelang jalan di Magelang rusak") == ("3371", None)
    assert _codes(clf, "@pemkabmagelang jalan di Magelang rusak") == ("3308", None)


def test_mentioned_account_places_a_report_that_names_no_place(clf) -> None:
    """settings.yaml account_place_for_reports: only reports, only kabupaten/kota level."""
    assert _codes(clf, "@pemkotsmg jalan depan rumah saya rusak parah, mohon diperbaiki") == ("3374", None)
    assert _codes(clf, "@pemkotsmg terima kasih, mantap pelayanannya") == (None, None)


def test_x_place(clf) -> None:
    assert _codes(clf, "jalan rusak", "Kota Semarang, Jawa Tengah") == ("3374", None)
    assert _codes(clf, "jalan rusak", "Semarang, Jawa Tengah") == (None, None)
    assert _codes(clf, "jalan rusak di Banyumanik", "Kota Semarang, Jawa Tengah") == ("3374", "3374030")
    assert _codes(clf, "jalan rusak di Boyolali", "Kota Semarang, Jawa Tengah") == ("3309", None)


def test_place_names_and_codes(clf) -> None:
    place = clf.understand("@pemkotsmg desa Sendangmulyo jalane rusak").place
    assert place == Place("3374", "Kota Semarang", "3374070", "Tembalang", "3374070007", "Sendangmulyo")
    assert place.to_dict()["district_name"] == "Tembalang"
    assert clf.understand("sampah di Wergu Wetan").place.village_name == "Wergu Wetan"
