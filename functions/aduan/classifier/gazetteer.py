"""Central Java places named in a post: kabupaten/kota, kecamatan, desa.

The index maps a written name (one to a few tokens) to the BPS codes it may
mean, so a post is read with one dictionary look-up per token n-gram. Resolution
follows tests/data/labelled/LABELLING.md: a bare kabupaten name means the
kabupaten, a split-pair name ("Magelang") or a duplicated kecamatan needs
another name, X's place or the mentioned account to decide, and when nothing
decides the answer is no place rather than a guess.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from itertools import compress, count
from typing import Any, NamedTuple

from aduan.classifier.normalize import words

OUTSIDE = "!"  # index value of a name outside Central Java
_X_PLACE_TAIL = {"jawa tengah", "central java", "indonesia", "jateng", "java"}
_MAX_MENTIONS = 8  # bounds the work on a post that lists many places
_LEVEL_LENGTHS = {"regency": 4, "city": 4, "district": 7, "village": 10}


class Place(NamedTuple):
    """A place in Central Java with BPS codes; lower levels may be unknown."""

    regency_code: str
    regency_name: str
    district_code: str | None = None
    district_name: str | None = None
    village_code: str | None = None
    village_name: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return self._asdict()


class _Mention(NamedTuple):
    """One place name in a post: its candidate codes, ranked by level preference."""

    ranked: tuple[tuple[str, int], ...]  # (code, rank); rank 0 = preferred reading
    weight: float  # 1 for a name in the text; less for X's place, a direction, an account
    key: str = ""  # the name as matched
    cued: bool = False  # a level word ("desa", "kec.") stood before it
    hint: bool = False  # from a mentioned account: supports a reading, never is one


_HINT_WEIGHT = 0.4  # a mentioned account: decides between readings, never alone
_DIRECTION_WEIGHT = 0.5  # "dari arah Solo": where traffic comes from, not the place
_LONE_VILLAGE_CHARS = 8  # shorter village names are too often ordinary words


def _is_city(code: str) -> bool:
    return len(code) == 4 and code[2] == "7"


def _level_matches(code: str, level: str) -> bool:
    if len(code) != _LEVEL_LENGTHS[level]:
        return False
    if level == "city":
        return _is_city(code)
    return level != "regency" or not _is_city(code)


class Gazetteer:
    """Finds the place a post is about; built once from ``compiler.compile_gazetteer`` data."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._codes: Sequence[str] = tuple(data["codes"])
        self._names: Sequence[str] = tuple(data["names"])
        self._index: Mapping[str, str] = data["index"]
        self._generic = frozenset(data["generic"])
        self._accounts: Mapping[str, str] = data["accounts"]
        self._street = frozenset(data["street_words"])
        self._direction = frozenset(data["direction_words"])
        self._levels: Mapping[str, str] = data["levels"]
        self._first: Mapping[str, int] = data["first"]
        self._seconds: Mapping[str, Mapping[str, int]] = data["seconds"]  # lexicon.second_words of the index
        self._split: dict[str, tuple[str, ...]] = {}
        self._ranked: dict[tuple[str, bool], tuple[tuple[str, int], ...]] = {}
        self._places: dict[str, Place] = {}

    def locate(
        self,
        text_tokens: Sequence[str],
        x_place: str | None,
        accounts: Iterable[str],
        account_fallback: bool = False,
    ) -> Place | None:
        """The place of a post, or None when none is named or the names do not settle it.

        With ``account_fallback``, a post that names no place at all gets the
        kabupaten/kota of the first regional account it mentions.
        """
        mentions = self._mentions(text_tokens, 1.0)[:_MAX_MENTIONS]
        if x_place:
            mentions += self._mentions(_x_place_tokens(x_place), 0.5 if mentions else 1.0)[:_MAX_MENTIONS]
        hints = [self._accounts[a] for a in accounts if a in self._accounts]
        if not mentions:
            return self._place(hints[0]) if hints and account_fallback else None
        code = _resolve(
            mentions + [_Mention(((h, 0),), _HINT_WEIGHT, hint=True) for h in dict.fromkeys(hints)]
        )
        return self._place(code) if code else None

    def _mentions(self, tokens: Sequence[str], weight: float) -> list[_Mention]:
        found: list[_Mention] = []
        n = len(tokens)
        first, index, seconds = self._first, self._index, self._seconds
        end = 0  # tokens before this belong to a name already found
        # Most words start no place name; compress() finds those that do without a Python-level loop.
        for i in compress(count(), map(first.__contains__, tokens)):
            if i < end:
                continue
            token = tokens[i]
            longest = first[token]
            if longest > 1 and (i + 1 == n or tokens[i + 1] not in seconds[token]):
                longest = 1  # "kota" starts names, but "kota" then "lama" starts none of them
            for size in range(min(longest, n - i), 0, -1):
                key = token if size == 1 else " ".join(tokens[i : i + size])
                codes = index.get(key)
                if codes:
                    before = tokens[max(0, i - 2) : i]
                    ranked = self._read(key, self._candidates(key, codes), before)
                    if ranked:
                        cued = bool(before) and before[-1] in self._levels
                        toward = bool(before) and (
                            before[-1] in self._direction or " ".join(before) in self._direction
                        )
                        found.append(
                            _Mention(ranked, weight * (_DIRECTION_WEIGHT if toward else 1), key, cued)
                        )
                    end = i + size
                    break
        return found

    def _candidates(self, key: str, codes: str) -> tuple[str, ...]:
        """A name's codes as a tuple, split once per name (the index stores them space-separated)."""
        split = self._split.get(key)
        if split is None:
            # distinct (an alias may list a code twice), so _resolve needs no de-duplication; bounded:
            # keys come from the index
            split = self._split[key] = tuple(dict.fromkeys(codes.split(" ")))
        return split

    def _read(self, key: str, codes: tuple[str, ...], before: Sequence[str]) -> tuple[tuple[str, int], ...]:
        """Rank a name's candidate codes by what the words before it say."""
        if codes[0] == OUTSIDE:
            return ()
        level = self._levels.get(before[-1]) if before else None
        if level:
            chosen = [c for c in codes if _level_matches(c, level)]
            if chosen:
                return tuple((c, 0) for c in chosen)
        if key in self._generic:
            return ()
        street = bool(before) and (before[-1] in self._street or " ".join(before) in self._street)
        ranked = self._ranked.get((key, street))
        if ranked is None:  # bounded: one entry per name of the index, with and without a street word
            ranked = self._ranked[key, street] = _ranked(codes, street)
        return ranked

    def _place(self, code: str) -> Place:
        place = self._places.get(code)
        if place is None:  # immutable, so one per code is shared; bounded by the codes
            place = self._places[code] = self._new_place(code)
        return place

    def _new_place(self, code: str) -> Place:
        regency, district = code[:4], code[:7] if len(code) >= 7 else None
        village = code if len(code) == 10 else None
        return Place(
            regency_code=regency,
            regency_name=self._name(regency),
            district_code=district,
            district_name=self._name(district) if district else None,
            village_code=village,
            village_name=self._name(village) if village else None,
        )

    def _name(self, code: str) -> str:
        return self._names[bisect_left(self._codes, code)]


def _ranked(codes: tuple[str, ...], street: bool) -> tuple[tuple[str, int], ...]:
    """Codes ranked by level, the highest level first; after a street word, kecamatan only:
    "jl. magelang" is a street named after a town; "jalan Musuk" runs in Musuk."""
    if street:
        codes = tuple(c for c in codes if len(c) == 7)
    lengths = sorted({len(c) for c in codes})
    return tuple((c, lengths.index(len(c))) for c in codes)


def _x_place_tokens(full_name: str) -> list[str]:
    """Tokens of X's place name without the province/country part."""
    parts = [" ".join(words(part)) for part in full_name.split(",")]
    return " ".join(p for p in parts if p and p not in _X_PLACE_TAIL).split()


def _resolve(mentions: Sequence[_Mention]) -> str | None:
    """The deepest code that explains the most names, or None when that is ambiguous.

    Each candidate code is tried as the deepest place meant; every name then
    takes its most preferred reading that is the code or one of its ancestors.
    A candidate counts only if some name (not an account hint) reads as exactly it.
    """
    # code → [(mention number, rank)]: an anchor's three ancestor codes find the names that
    # fit it directly, instead of every name being tried against every anchor.
    # A mention's codes are distinct (Gazetteer._candidates; a hint has one).
    by_code: dict[str, list[tuple[int, int]]] = {}
    for number, mention in enumerate(mentions):
        for code, rank in mention.ranked:
            found = by_code.get(code)
            if found is None:
                by_code[code] = [(number, rank)]
            else:
                found.append((number, rank))
    scored: dict[str, tuple[float, int]] = {}
    for anchor in {code for m in mentions if not m.hint for code, _ in m.ranked}:
        fits: dict[int, tuple[int, str]] = {}  # mention number → its best (rank, code) for anchor
        for size in (4, 7, 10):
            if size > len(anchor):
                break
            code = anchor[:size]
            for number, rank in by_code.get(code, ()):
                if number not in fits or (rank, code) < fits[number]:
                    fits[number] = (rank, code)
        explained, ranks, own = 0.0, 0, False
        for number in sorted(fits):  # in mention order, so the float sums are the same as ever
            rank, code = fits[number]
            mention = mentions[number]
            explained += mention.weight
            ranks += rank
            own = own or (code == anchor and not mention.hint)
        if own:
            scored[anchor] = (explained, -ranks)
    if not scored:
        return None
    best = max(scored.values())
    tied = [code for code, score in scored.items() if score == best]
    deepest = [c for c in tied if not any(o != c and o.startswith(c) for o in tied)]
    if len(deepest) == 1:
        code = deepest[0]
        return code if len(code) < 10 or _village_stands(code, best[0], mentions) else None
    common = _common_ancestor(deepest)
    return common if len(common) in (4, 7) else None


def _village_stands(code: str, explained: float, mentions: Sequence[_Mention]) -> bool:
    """A village named alone must be cued ("desa X") or long enough not to be a common word."""
    own = [m for m in mentions if not m.hint and any(c == code for c, _ in m.ranked)]
    if explained > max(m.weight for m in own) or any(m.cued for m in own):
        return True  # confirmed by another name, an account, or "desa"/"kel."
    has_hint = any(m.hint for m in mentions)
    return not has_hint and any(len(m.key.replace(" ", "")) >= _LONE_VILLAGE_CHARS for m in own)


def _common_ancestor(codes: Sequence[str]) -> str:
    prefix = codes[0]
    for code in codes[1:]:
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    # BPS codes nest at 4, 7 and 10 digits
    return prefix if len(prefix) in (4, 7, 10) else prefix[: 7 if len(prefix) > 7 else 4]
