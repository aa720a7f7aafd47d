"""The classifier's short-cuts give the answers of the plain definitions (issue 10: faster, not different).

Redaction skips passes a text cannot match and tries plates only before digits; words() cuts tokens
with bytes.translate and remembers each token's spelling; scan() skips words whose next word continues
none of their phrases; the gazetteer remembers each name's ranking. The pinned outputs below were
produced by the code before these short-cuts; the properties check each short-cut's premise on seeded
random text made of the characters the patterns turn on.
"""

from __future__ import annotations

import importlib
import json
import random
from pathlib import Path

import pytest

from aduan.classifier import load_classifier, normalize, redact
from aduan.classifier.gazetteer import Gazetteer
from aduan.classifier.lexicon import scan

ROOT = Path(__file__).resolve().parent.parent
REDACTION = importlib.import_module("aduan.classifier.redact")  # the module; the package exports the function
AGENCIES = frozenset({"pemkotsmg", "laporgub_jtg"})
_ALPHABET = (
    "0123456789" * 3
    + " .-/_,:()+@%" * 2
    + "aAbBdDeEgGhHkKsSxXzZmoctn"
    + "\u00a0\u200b\u200e\u202e\u00ad\ufeff\t\n\u3000"
    + "０１２３＠．－\u0661\u0967\u2013\u2212\u00b7\u2044é\u0301🤮"
)


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = [
        "3374 0123",
        "4567-8901",
        "x.com/",
        "TWITTER.COM/",
        ".net/",
        "@",
        "0812",
        "62",
        "+62",
        "(024)",
        "H",
        "AA",
        "kg",
        "dan",
    ]
    out = []
    for _ in range(count):
        parts = [
            rng.choice(words) if rng.random() < 0.3 else rng.choice(_ALPHABET)
            for _ in range(rng.randint(1, 40))
        ]
        out.append("".join(parts))
    return out


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("AA100 AA 1A", "[nopol]"),
        ("H1234AB", "[nopol]"),
        ("12AB 1234 CD kemarin", "12AB 1234 CD kemarin"),
        ("jam 7 B 1234 XYZ lewat, S1 dan D3, e 10 kg", "jam 7 [nopol] lewat, S1 dan D3, e 10 kg"),
        ("plat h.1234.ab dan KT-12", "plat [nopol] dan KT-12"),
        ("3374012304850003", "[NIK/KK]"),
        (
            "nik \u0663\u0663\u0667\u0664\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661 ok",
            "nik [NIK/KK] ok",
        ),
        ("3374\u200b0123\u200b4567\u200b8901 dan 0812\u00ad3456\u00ad7890", "[NIK/KK] dan [telepon]"),
        ("0812 3456 7890 3374 0123 4567 8901", "[NIK/KK]"),
        ("anak2 3374012304850003x 2x 0812345678", "anak2 [NIK/KK]x 2x [telepon]"),
        ("(024) 351 5871 / +62 24 351 5871 / wa081234567890", "[telepon] / [telepon] / wa[telepon]"),
        ("budi.santoso88@gmail.com, @pemkotsmg @@dobel x@ @", "[email], @pemkotsmg @@dobel x@ @"),
        ("andi\uff20example\uff0ecom dan a@b.c", "[email] dan a@[akun].c"),
        ("\uff20pemkotsmg \uff20budi_s @LaporGub_Jtg", "\uff20pemkotsmg @[akun] @LaporGub_Jtg"),
        (
            "lihat https://x.com/dimas_prtm/status/1 dan x.com/i/status/2 dan x.com/pemkotsmg.",
            "lihat https://x.com/[akun]/status/1 dan x.com/i/status/2 dan x.com/pemkotsmg.",
        ),
        (
            "m.facebook.com/@budi TWITTER.COM/Siti99 instagram.net/a.b",
            "m.facebook.com/@[akun] TWITTER.COM/[akun] instagram.net/[akun]",
        ),
        (
            "\u202eRTL\u202c 0812\u20133456\u20137890 \u00a0H\u00a01234\u00a0AB",
            "\u202eRTL\u202c [telepon] \u00a0[nopol]",
        ),
        ("\u0661\u0662\u0663 \u0967\u0968\u0969\u096a ０８１２３４５６７８９０", "[NIK/KK]"),
        (
            "emoji 🤮\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f 0812-2345-6789",
            "emoji 🤮\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f [telepon]",
        ),
        ("soft\u00adhyphen H 12\u00ad34 AB", "soft\u00adhyphen [nopol]"),
        # phones with the fewest digits a phone has (8; 9 for a mobile): the digit count must let them by
        ("telp (024) 351 58 ya", "telp [telepon] ya"),
        ("hub +62 2 12345 ya", "hub [telepon] ya"),
        ("no 024-351-58 ya", "no [telepon] ya"),
        ("wa 081234567 ya", "wa [telepon] ya"),
    ],
)
def test_tricky_redactions_are_pinned(text: str, public: str) -> None:
    assert redact(text, AGENCIES) == public


def test_printable_ascii_folds_to_itself() -> None:
    # fold() looks up only the other characters; this is what makes that exact.
    assert all(REDACTION._fold(chr(c)) == chr(c) for c in range(0x20, 0x7F))


def test_fold_by_runs_is_fold_by_character() -> None:
    for text in _random_texts(2000, seed=1):
        folded, index = REDACTION.fold(text)
        each = [REDACTION._fold(char) for char in text]
        assert folded == "".join(each)
        if index is not None:
            assert index == [i for i, value in enumerate(each) if value]


def test_each_pass_is_skipped_only_where_it_cannot_match() -> None:
    """Every match has the pass's fewest digits and its hint: skipping on them loses no match."""
    matched = dict.fromkeys(REDACTION.MASKS, 0)
    for text in _random_texts(3000, seed=2):
        folded = REDACTION.fold(text)[0]
        digits = sum(char.isdigit() for char in folded)
        for kind, pattern, fewest in REDACTION._PASSES:
            found = [m.span("whole") for m in pattern.finditer(folded)]
            if found:
                matched[kind] += 1
                assert digits >= fewest, (kind, folded)
                assert REDACTION._may_match(kind, folded), (kind, folded)
            if kind == "plate":
                assert [m.span("whole") for m in REDACTION._plates(folded, pattern)] == found, folded
    assert all(matched.values()), matched  # the random texts reach every kind


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        (
            "PARAHHH bgtttt bolong2 jalan2 ab2 aaa2 ???? ? apa?kabar?? ok",
            ["parah", "bgt", "bolong", "jalan", "ab2", "aaa", "?", "?", "apa", "?", "kabar", "?", "ok"],
        ),
        (
            "Lihat https://X.com/a/b?c=1 dan www.pemkot.go.id/x, @budi_s! @@dobel",
            ["lihat", "url", "dan", "url"],
        ),
        (
            "\u00e9-jalan ｊａｌａｎ \U0001d423\U0001d41a\U0001d425 \u0130stanbul stra\u00dfe \u212aelvin",
            ["jalan", "jalan", "jal", "i", "stanbul", "stra", "e", "kelvin"],
        ),
        (
            "rt03/rw05 no.12 km3,5 08123 \u0663\u0664 \u00b2",
            ["rt03", "rw05", "no", "12", "km3", "5", "08123", "2"],
        ),
        (
            "zero\u200bwidth soft\u00adhyphen tab\tnew\nline \u3000ideographic",
            ["zero", "width", "soft", "hyphen", "tab", "new", "line", "ideographic"],
        ),
        # a run at a token's start is an acronym or a sound, not a stretch (PPPK recruitment)
        ("mmmmmmm xxx2 kereta2nya hahahaha2", ["mmmmmmm", "xxx", "kereta2nya", "hahahaha"]),
        ("PPPK parahhh mantappp tolonggg", ["pppk", "parah", "mantap", "tolong"]),
        ("lone \ud800 surrogate", ["lone", "surrogate"]),
        ("", []),
    ],
)
def test_tricky_tokens_are_pinned(text: str, tokens: list[str]) -> None:
    assert normalize.words(text) == tokens
    assert normalize.words(text) == tokens  # again, from the remembered spellings


def test_a_long_token_is_not_remembered() -> None:
    long = "a" + "b" * 100 + "cc2"
    assert normalize.words(long) == ["abcc"]
    assert long not in normalize._SPELLED


@pytest.fixture(scope="module")
def clf():
    return load_classifier(ROOT / "config", AGENCIES, model=None)


def test_scan_short_cut_finds_the_same_phrases(clf) -> None:
    vocab = clf._vocab
    for file in sorted((ROOT / "tests/data/labelled").glob("*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            tokens = normalize.standardise(normalize.words(json.loads(line)["text"]), vocab.forms)
            plain = scan(tokens, vocab.lexicon, vocab.longest)
            assert scan(tokens, vocab.lexicon, vocab.longest, vocab.seconds) == plain, tokens


@pytest.mark.parametrize(
    "order",
    [
        (["jl", "magelang"], ["magelang"], ["jalan", "musuk"], ["musuk"]),
        (["magelang"], ["jl", "magelang"], ["musuk"], ["jalan", "musuk"]),
    ],
)
def test_a_remembered_ranking_depends_on_the_street_word(clf, order) -> None:
    data = clf._vocab.gazetteer
    warm = Gazetteer(data)
    for tokens in order:
        assert warm.locate(tokens, None, ()) == Gazetteer(data).locate(tokens, None, ()), tokens


def test_ascii_clean_removes_what_the_general_clean_removes() -> None:
    for code in range(0x80):
        text = f"a{chr(code)}b\n\t"
        assert normalize.clean(text) == normalize._CONTROLS.sub("", text), code
    assert normalize.clean("a\x00b\ud800c\u200bd") == "ab\ufffdcd"


def test_a_code_listed_twice_for_a_name_counts_once(clf) -> None:
    data = dict(clf._vocab.gazetteer)
    once = Gazetteer(data).locate(["sukorejo", "kendal"], None, ())
    data["index"] = {**data["index"], "sukorejo": data["index"]["sukorejo"] + " " + data["index"]["sukorejo"]}
    assert Gazetteer(data).locate(["sukorejo", "kendal"], None, ()) == once


def test_every_longer_name_and_phrase_is_in_its_first_words_seconds(clf) -> None:
    """The short-cut's premise: a word followed by none of its seconds starts no longer name or phrase."""
    vocab = clf._vocab
    for names, seconds in (
        (vocab.gazetteer["index"], vocab.gazetteer["seconds"]),
        (vocab.lexicon, vocab.seconds),
    ):
        for name in names:
            if " " in name:
                first, second = name.split(" ")[:2]
                assert second in seconds[first], name
