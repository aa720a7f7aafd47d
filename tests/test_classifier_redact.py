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
        # issue 11: separators, widths, cases and prefixes that used to leak verbatim
        ("nik", "3374  0123  4567  8901"),
        ("nik", "3374\u00a00123\u00a04567\u00a08901"),
        ("nik", "3374\t0123\t4567\t8901"),
        ("nik", "3374\n0123\n4567\n8901"),
        ("nik", "3374/0123/4567/8901"),
        ("nik", "3374_0123_4567_8901"),
        ("nik", "3374,0123,4567,8901"),
        ("nik", "３３７４０１２３４５６７８９０１"),
        ("nik", "3374\u200b0123\u200b4567\u200b8901"),
        ("phone", "(+62) 812 3456 7891"),
        ("phone", "0812 - 3456 - 7895"),
        ("phone", "0812/3456/7896"),
        ("phone", "0062 812 3456 7800"),
        ("phone", "０８１２３４５６７８９０"),
        ("phone", "0812\u20133456\u20137890"),
        ("email", "budi@bücher.de"),
        ("email", "siti@contoh.indonesia"),
        ("email", "andi＠example．com"),
        ("plate", "h 1234 ab"),
        ("plate", "H.1234.AB"),
        ("plate", "Ｈ １２３４ ＡＢ"),
        ("handle", "＠dimas_prtm"),
        ("handle", "@humasbudi"),
        ("handle", "@pemkotlover_ani"),
        ("handle", "@dinastiayu99"),
        ("handle", "@bmkg_fans"),
        ("profile", "https://x.com/dimas_prtm/status/1862000000000000001"),
        ("profile", "twitter.com/SitiNurhaliza99"),
        ("profile", "www.instagram.com/siti.rahma_"),
    ],
)
def test_each_kind_is_masked(kind: str, value: str) -> None:
    public = redact(f"tolong cek {value}, makasih", AGENCIES)
    assert value not in public and public.count("[") == 1
    assert MASKS[kind] in public
    assert public.startswith("tolong cek ") and public.endswith(", makasih")


@pytest.mark.parametrize(
    "handle",
    ["@pemkotsmg", "@PemkotSmg", "@laporgub_jtg", "＠pemkotsmg", "@LAPORGUB_JTG"],
)
def test_listed_handles_stay(handle: str) -> None:
    assert redact(f"{handle} jalan rusak", AGENCIES) == f"{handle} jalan rusak"


@pytest.mark.parametrize("handle", ["@pemkabmagelang", "@bpbdjateng", "@humas_rt05", "@pemkot"])
def test_unlisted_handles_are_masked_whatever_their_prefix(handle: str) -> None:
    assert redact(f"{handle} jalan rusak", AGENCIES) == "@[akun] jalan rusak"


def test_configured_public_accounts_stay_and_nothing_else(tmp_path) -> None:
    import shutil

    from aduan.adapters.config_files import load_config
    from aduan.config import ConfigError
    from infra.localcloud import ROOT

    config = load_config(ROOT / "config")
    assert {"bmkg", "pemkotsmg"} <= config.public_handles  # listed, and an agency's own account
    text = "@bmkg @BMKG @humasbudi @pemkotsmg @pemkotlover_ani @dinastiayu99 banjir"
    assert redact(text, config.public_handles) == "@bmkg @BMKG @[akun] @pemkotsmg @[akun] @[akun] banjir"
    shutil.copytree(ROOT / "config", tmp_path / "config")
    path = tmp_path / "config" / "vocabulary" / "redaction.yaml"
    for bad, field in (
        ("public_prefixes: [humas]\n", "public_prefixes"),
        ("public_handles: [bmkg, BMKG]\n", "public_handles"),
        ("public_handles: ['bmkg humas']\n", "public_handles"),
        ("public_handles: bmkg\n", "public_handles"),
    ):
        path.write_text(bad)
        with pytest.raises(ConfigError, match=f"redaction.yaml: redaction: field '{field}'"):
            load_config(tmp_path / "config")


def test_stored_public_text_uses_the_pages_rule() -> None:
    from aduan.adapters.config_files import load_config
    from aduan.classifier import load_classifier
    from infra.localcloud import ROOT

    config = load_config(ROOT / "config")
    classifier = load_classifier(ROOT / "config", config.agencies.handles)
    text = "@pemkotsmg @bmkg jalan rusak, kata @humasbudi, wa 0812 - 3456 - 7895, h 1234 ab"
    assert classifier.understand(text).public_text == redact(text, config.public_handles)


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
        "lulusan s1 dan d3, beli 10 kg",
        "jam 08.30-10.00 di lantai 2",
        "kemarin 2 jam, e-KTP belum jadi",
        "kirim 5 rb ke rw 3 no 12",
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


@pytest.mark.parametrize(
    "text",
    [
        "hubungi 081234567890 3374  0123\u00a04567\t8901 ya",  # a phone, then a NIK: 16 digits across both
        "wa081234567892 0812 - 3456 - 7895 ya",
        "(+62) 812 3456 7891 / 0812 3456 7896 ya",
    ],
)
def test_numbers_side_by_side_are_masked_whole(text: str) -> None:
    public = redact(text, AGENCIES)
    assert not any(ch.isdigit() for ch in public), public
    assert public.endswith(" ya")


def test_a_digit_glued_to_a_word_is_not_swallowed_by_a_neighbouring_number() -> None:
    assert redact("gak nyambung2. 0812 3456 7890 ya", AGENCIES) == "gak nyambung2. [telepon] ya"


def test_profile_links_of_public_accounts_and_site_pages_stay() -> None:
    text = "https://x.com/pemkotsmg/status/1 https://x.com/i/web/status/2 x.com/search?q=banjir"
    assert redact(text, AGENCIES) == text
