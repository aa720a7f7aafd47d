"""Urgency read sentence by sentence: danger happening now, not feared, remembered or habitual.

The quick reading (every urgency cue of the post summed, urgency.yaml) over-fires on
what citizens actually write: "kami khawatir jembatan ambruk", "kemarin ada kebakaran
kecil, api bisa dipadamkan", "sering terbakar", "tidak ada korban", and long letters
whose paragraphs each carry a time word ("saat ini", "masih") that add up to a false
alarm. LABELLING.md's ``urgent`` is danger to life or property *now*, so a post the
quick sum calls urgent is re-read here (the only cost is for those few posts):

- the text is cut into sentences;
- in a sentence, the urgency cues after a *frame* word do not count for urgency, up to a
  contrast word ("tapi", "namun") that brings the reading back to now: a fear or
  condition ("khawatir", "kalau", "sebelum"), the past ("kemarin", "pernah"), a habit
  ("sering", "setiap"), or a negation of presence ("tidak ada");
- the positive cues of at most WINDOW consecutive sentences, with all the post's
  negative cues (a chronic or solved story anywhere is the whole post's), must still
  reach the threshold and contain one hazard cue (weight 2 or more): time words
  ("masih", "sekarang") only strengthen a hazard, they are none.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping, Sequence

from aduan.classifier.lexicon import Feature, scan
from aduan.classifier.normalize import standardise, words
from aduan.classifier.vocabulary import URGENT

# Frames, in their standard forms (slang.yaml's forms are applied first: "kalo" → "kalau").
# One word each; a pair in FRAME_PAIRS when a word frames only with its neighbour.
FRAMES = frozenset(
    {
        # fear, condition, purpose: what might happen
        "khawatir",
        "kuatir",
        "kuwatir",
        "dikhawatirkan",
        "mengkhawatirkan",
        "takut",
        "takutnya",
        "cemas",
        "kalau",
        "jika",
        "apabila",
        "bila",
        "seandainya",
        "andaikan",
        "sebelum",
        "sblm",
        "ketika",
        "berpotensi",
        "potensi",
        "rawan",
        "bisa",
        "mungkin",
        "antisipasi",
        "mencegah",
        "cegah",
        "imbau",
        "mengimbau",
        "himbau",
        "menghimbau",
        # the past
        "kemarin",
        "kemaren",
        "pernah",
        "dulu",
        "dahulu",
        "sempat",
        "silam",
        # habits
        "sering",
        "seringkali",
        "kerap",
        "kadang",
        "terkadang",
        "selalu",
        "setiap",
        "tiap",
        "langganan",
    }
)
FRAME_PAIRS = frozenset(
    {
        ("tidak", "ada"),
        ("jangan", "sampai"),
        ("agar", "tidak"),
        ("supaya", "tidak"),
        ("biar", "tidak"),
        ("beberapa", "kali"),
        ("berkali", "kali"),
        ("musim", "hujan"),
        ("saat", "hujan"),
        ("waktu", "hujan"),
        ("saat", "itu"),
        ("waktu", "itu"),
        ("ketika", "itu"),
        ("pada", "hari"),
        ("pada", "tanggal"),
        ("pada", "malam"),
        ("pada", "senin"),
        ("pada", "selasa"),
        ("pada", "rabu"),
        ("pada", "kamis"),
        ("pada", "jumat"),
        ("pada", "sabtu"),
        ("pada", "minggu"),
        ("yang", "lalu"),
    }
)
# "tidak bisa keluar" is an inability now, not a possibility: a negated frame word frames nothing.
NEGATIONS = frozenset({"tidak", "belum", "tak"})
HAZARD_WEIGHT = 2.0  # the least weight of a cue that names a hazard (urgency.yaml's scale)
# A danger and what makes it present are told together: within this many consecutive
# sentences. A letter of several paragraphs, each with one time word or a hazard told in
# passing, does not add up to an alarm (measured on blind-dev, dev and the corpus files:
# 3 keeps every urgent post of three of them and removes 2 to 8 in 10 false alarms).
WINDOW = 3

_SENTENCE = re.compile(r"(?:[!?;\n]|\.(?!\d))+")  # "16.00", "Rp8.000" end no sentence


def _segments(tokens: Sequence[str], contrast: Container[str]) -> list[tuple[Sequence[str], bool]]:
    """A sentence's tokens cut into runs, each marked framed or not.

    A frame word frames the rest of its sentence, up to a contrast word ("tapi",
    "namun"), which brings the reading back to the present.
    """
    runs: list[tuple[Sequence[str], bool]] = []
    start, framed = 0, False
    for i, token in enumerate(tokens):
        if framed and token in contrast:
            runs.append((tokens[start:i], True))
            start, framed = i, False
        elif (
            not framed
            and (token in FRAMES or (i + 1 < len(tokens) and (token, tokens[i + 1]) in FRAME_PAIRS))
            and not (i and tokens[i - 1] in NEGATIONS)
        ):
            runs.append((tokens[start:i], False))
            start, framed = i, True
    runs.append((tokens[start:], framed))
    return [(run, framed) for run, framed in runs if run]


def _cue_weights(
    tokens: Sequence[str], lexicon: Mapping[str, tuple[Feature, ...]], longest: Mapping[str, int]
) -> list[float]:
    """The urgency weights of the phrases found in ``tokens``, in order."""
    _, found = scan(tokens, lexicon, longest)
    return [w for phrase in found for name, w in lexicon[phrase] if name == URGENT]


def urgent_now(
    text: str,
    forms: Mapping[str, str],
    lexicon: Mapping[str, tuple[Feature, ...]],
    longest: Mapping[str, int],
    contrast: Container[str],
    threshold: float,
) -> bool:
    """Whether ``text`` (already cleaned and cut to the analysed head) tells of danger now."""
    against = 0.0  # negative cues (chronic, solved) count wherever they are, framed or not
    sentences: list[tuple[float, bool]] = []  # per sentence: positive weight, has a hazard cue
    for sentence in _SENTENCE.split(text):
        weight_for, hazard = 0.0, False
        for run, framed in _segments(standardise(words(sentence), forms), contrast):
            for weight in _cue_weights(run, lexicon, longest):
                if weight < 0:
                    against += weight
                elif not framed:
                    weight_for += weight
                    hazard = hazard or weight >= HAZARD_WEIGHT
        sentences.append((weight_for, hazard))
    for i in range(len(sentences)):
        told = sentences[i : i + WINDOW]
        if any(h for _, h in told) and sum(w for w, _ in told) + against >= threshold:
            return True
    return False
