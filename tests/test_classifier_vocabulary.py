"""Every rule of config/vocabulary does what its file says, and the cache is current."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from aduan.classifier import VocabularyError, load_classifier
from aduan.classifier.lexicon import scan
from aduan.classifier.normalize import standardise, words
from aduan.classifier.vocabulary import (
    CACHE_PATH,
    GATE_CUES,
    KINDS,
    URGENT,
    _read_cache,
    compile_sources,
    load_vocabulary,
    source_key,
)

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
VOCAB = CONFIG / "vocabulary"


def _yaml(name: str) -> dict:
    return yaml.safe_load((VOCAB / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary(CONFIG)


def _features(vocab, text: str) -> dict[str, float]:
    return scan(standardise(words(text), vocab.forms), vocab.lexicon, vocab.longest)[0]


def _entries():
    for slug, terms in _yaml("categories.yaml").items():
        for term, weight in terms.items():
            yield f"c:{slug}", term, weight
    for kind, terms in _yaml("gate.yaml").items():
        for term, weight in terms.items():
            yield (kind if kind in GATE_CUES else f"k:{kind}"), term, weight
    for term, weight in _yaml("urgency.yaml").items():
        yield URGENT, term, weight


@pytest.mark.parametrize(("feature", "term", "weight"), list(_entries()), ids=lambda v: str(v))
def test_every_term_triggers_its_feature(vocab, feature: str, term: str, weight: float) -> None:
    """A post made of just the term scores at least the term's weight (or its penalty)."""
    score = _features(vocab, str(term)).get(feature, 0.0)
    assert score >= weight if weight > 0 else score <= weight


def test_every_slang_word_is_standardised(vocab) -> None:
    for word, standard in _yaml("slang.yaml")["words"].items():
        assert standardise(words(str(word)), vocab.forms) == words(str(standard)), word


def test_inflections_reach_the_base_word(vocab) -> None:
    for written, base in [
        ("sampahe", "sampah"),
        ("lampune", "lampu"),
        ("dijalan", "jalan"),
        ("sampahnya", "sampah"),
    ]:
        assert standardise([written], vocab.forms) == [base]
    for kept in _yaml("slang.yaml")["keep"]:
        assert standardise([kept], vocab.forms) in ([kept], [vocab.forms.get(kept)])


def test_vowel_less_spellings_reach_the_word_but_never_take_a_place_or_an_acronym(vocab) -> None:
    for written, base in [("rsk", "rusak"), ("smph", "sampah"), ("bnjr", "banjir"), ("lbng", "lubang")]:
        assert standardise([written], vocab.forms) == [base]
    # "smg" is Semarang (not "semoga"), "pkl" Pekalongan or street vendors, "pln" and "ktp" themselves
    for kept in ("smg", "pkl", "pln", "ktp", "bpjs"):
        assert vocab.forms.get(kept) in (None, kept) or kept in _yaml("slang.yaml")["words"], kept


def test_stemmed_shapes_reach_the_word(vocab) -> None:
    """Other systems export posts stemmed (Sastrawi-like): "genang", "sumbat" still mean drainage."""
    for written, base in [("genang", "genangan"), ("sumbat", "tersumbat"), ("tumpuk", "menumpuk")]:
        assert standardise([written], vocab.forms) == [base]


def test_shapes_are_cut_and_chosen_with_care() -> None:
    from aduan.classifier.shapes import shapes, skeleton, stem_shapes

    assert skeleton("jalan") == "jln" and skeleton("ambulans") == "amblns"
    assert "tutup" in stem_shapes("menutupi") and "sampah" in stem_shapes("persampahan")
    assert "potong" in stem_shapes("pemotongan") and "perbaik" in stem_shapes("diperbaiki")
    assert "baik" not in stem_shapes("diperbaiki")  # too short: a word of its own ("good")
    meaning = {
        "saluran": frozenset({"c:drainase"}),
        "salurkan": frozenset({"k:news"}),
        "angkutan": frozenset({"c:transportasi"}),
        "diangkut": frozenset({"c:sampah"}),
    }
    words = {"saluran", "salurkan", "angkutan", "diangkut", "genangan", "jalan"}
    found = shapes(words, {}, {"jalan"}, meaning)
    assert found["salur"] == "saluran"  # the one reading with a topic
    assert "angkut" not in found  # transport or rubbish: left alone
    assert found["genang"] == "genangan" and found["jln"] == "jalan"
    assert "jln" not in shapes({"jalan"}, {}, {"jln"})  # a shape already taken stays as it is


def test_every_gate_kind_is_known() -> None:
    assert set(_yaml("gate.yaml")) <= {*GATE_CUES, *KINDS}


def test_cache_is_up_to_date() -> None:
    """Fails after a data file was edited without `cd functions && python -m aduan.classifier`."""
    assert _read_cache(source_key(CONFIG)) is not None, "run: cd functions && python -m aduan.classifier"


def test_cache_holds_what_compiling_gives() -> None:
    cached = _read_cache(source_key(CONFIG))
    assert cached == compile_sources(CONFIG)
    assert CACHE_PATH.stat().st_size < 2_000_000


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    shutil.copytree(CONFIG, tmp_path / "config")
    return tmp_path / "config"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "vocabulary/categories.yaml",
            "  aspal: 2\n",
            "  aspal: dua\n",
            "categories.yaml: jalan: 'aspal': weight",
        ),
        ("vocabulary/categories.yaml", "jalan:\n", "jalanan:\n", "categories.yaml: jalanan: not a category"),
        ("vocabulary/gate.yaml", "praise:\n", "pujian:\n", "gate.yaml: pujian: unknown kind"),
        ("vocabulary/places.yaml", '  solo: "3372"\n', '  solo: "3399"\n', "'solo': unknown BPS code"),
        (
            "vocabulary/settings.yaml",
            "report_threshold: 2.0",
            "report_threshold: -1",
            "settings.yaml: report_threshold",
        ),
        (
            "vocabulary/slang.yaml",
            "  jln: jalan\n",
            "  jln ok: jalan\n",
            "slang.yaml: words: 'jln ok': one word",
        ),
        ("taxonomy.yaml", "    fallback: true\n", "\n", "exactly one needs fallback"),
    ],
)
def test_bad_configuration_is_named(config_copy: Path, file: str, old: str, new: str, message: str) -> None:
    path = config_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(VocabularyError, match=message.replace("(", r"\(")):
        load_classifier(config_copy)


def test_edited_vocabulary_is_used_without_a_cache(config_copy: Path) -> None:
    """An administrator's new word works at once; the cache only makes loading faster."""
    path = config_copy / "vocabulary" / "categories.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("jalan:\n", "jalan:\n  jeglongan: 3\n", 1), "utf-8"
    )
    clf = load_classifier(config_copy, model=None)  # the rules: what the edit changes
    assert clf.understand("jeglongan gede neng ngarep omah, mohon diperbaiki").category == "jalan"
