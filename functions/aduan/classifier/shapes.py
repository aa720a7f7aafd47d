"""Other written shapes of vocabulary words, generated when the vocabulary is compiled.

Citizens text without vowels ("jln rsk"), and other complaint systems export posts
stemmed ("mohon segera baik, salur sumbat"). Both lose the words the vocabulary
lists; mapping each shape back to its word costs one dictionary entry and no work
per post. A shape is used only when it leads back to one standard word and is no
word, form or place name already — so "smg" stays Semarang and "baik" stays "good".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

_VOWELS = str.maketrans("", "", "aiueo")
_SUFFIXES = ("nya", "kan", "an", "i", "lah", "kah", "pun")
_PLAIN_PREFIXES = ("di", "ke", "ter", "ber", "se", "per")
# Shorter stems are too often words of their own: "baik" (good) is what "perbaikan" stems to.
MIN_STEM = 5


def skeleton(word: str) -> str:
    """The word as texters shorten it: first letter, then its consonants ("jalan" → "jln")."""
    return word[:1] + word[1:].translate(_VOWELS)


def _nasal_stems(word: str) -> set[str]:
    """What me-/pe- with its nasal leaves of a word: "menutup" → tutup, "penyapu" → sapu."""
    out: set[str] = set()
    for head in ("me", "pe"):
        if not word.startswith(head):
            continue
        rest = word[2:]
        if rest.startswith("ng"):
            tail = rest[2:]
            if tail[:1] in ("a", "i", "u", "e", "o"):
                out |= {tail, "k" + tail}
            elif tail[:1] in ("g", "h"):
                out.add(tail)
        elif rest.startswith("ny"):
            out.add("s" + rest[2:])
        elif rest.startswith("m"):
            tail = rest[1:]
            out.add(("p" + tail) if tail[:1] in ("a", "i", "u", "e", "o") else tail)
        elif rest.startswith("n"):
            tail = rest[1:]
            out.add(("t" + tail) if tail[:1] in ("a", "i", "u", "e", "o") else tail)
        elif rest[:1] in ("l", "r", "w", "y"):
            out.add(rest)
    return out


def _prefix_cut(body: str) -> set[str]:
    return {body[len(p) :] for p in _PLAIN_PREFIXES if body.startswith(p)} | _nasal_stems(body)


def stem_shapes(word: str) -> set[str]:
    """What a stemmer may leave of ``word``: a suffix and up to two prefixes cut ("diperbaiki" →
    baik), a nasal restored ("menutup" → tutup)."""
    out = {word} | {word[: -len(s)] for s in _SUFFIXES if word.endswith(s)}
    for _ in range(2):
        out |= {cut for body in out for cut in _prefix_cut(body)}
    return {s for s in out if len(s) >= MIN_STEM and s != word}


def _unique(
    found: Mapping[str, set[str]], taken: set[str], meaning: Mapping[str, frozenset[str]]
) -> dict[str, str]:
    """Each shape whose words all point the same way → the shortest of them.

    Words point the same way when they carry the same category and kind cues, or when
    only one of them carries a category cue at all ("salur": saluran is drainage,
    salurkan only a news cue): a complaint's topic is what a shape must keep.
    """
    out = {}
    for shape, words in sorted(found.items()):
        if shape in taken:
            continue
        senses = {meaning.get(w, frozenset()) for w in words} - {frozenset()}
        topical = [w for w in words if any(name.startswith("c:") for name in meaning.get(w, ()))]
        if len(senses) <= 1:
            out[shape] = min(words, key=lambda w: (len(w), w))
        elif len({meaning[w] for w in topical}) == 1:
            out[shape] = min(topical, key=lambda w: (len(w), w))
    return out


def shapes(
    words: Iterable[str],
    forms: Mapping[str, str],
    taken: set[str],
    meaning: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, str]:
    """Vowel-less and stemmed shapes of ``words`` → the standard word they come from.

    ``forms`` gives each word's standard form, so "lobang" and "lubang" share "lbng".
    ``meaning`` gives a word's vocabulary features: a shape whose words differ in
    meaning ("rsk": rusak or resik) is left alone, for slang.yaml to decide.
    """
    meaning = meaning or {}
    vowelless: dict[str, set[str]] = {}
    stemmed: dict[str, set[str]] = {}
    for word in words:
        if " " in word or len(word) < 4 or not word.isalpha():
            continue
        standard = forms.get(word, word)
        shape = skeleton(word)
        if len(shape) >= 3 and shape != word:
            vowelless.setdefault(shape, set()).add(standard)
        for stem in stem_shapes(word):
            stemmed.setdefault(stem, set()).add(standard)
    out = _unique(stemmed, taken, meaning)
    out.update(_unique(vowelless, taken | set(out), meaning))
    return out
