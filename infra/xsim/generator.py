"""Seedable, realistic traffic to agency accounts: what Central Java posts to its governments.

Mostly complaints (Indonesian and Javanese, slang and typos) about roads, waste, water,
ID cards, taxes, floods…; mixed with praise, greetings, questions, politics, news and
spam; some carry personal data (phone, NIK, plate, e-mail) and some are hostile (HTML,
header injection, formula and template injection, very long, odd unicode). Places come
from the BPS gazetteer. Written from scratch, independent of the classifier's labelled
data, so a classifier tested on this traffic is not tested on its own training set.
"""

from __future__ import annotations

import csv
import functools
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

WILAYAH_DIR = Path(__file__).resolve().parents[2] / "functions" / "aduan" / "data" / "wilayah"


@dataclass(frozen=True)
class Account:
    """An agency's X account; ``regions`` (BPS code prefixes) steer the places mentioned."""

    username: str
    user_id: str
    name: str = ""
    regions: tuple[str, ...] = ("33",)


@dataclass(frozen=True)
class Author:
    username: str
    name: str
    user_id: str


@dataclass
class Draft:
    """A post to be created: text plus the generator's own truth about it."""

    author: Author
    text: str
    to: list[str]
    kind: str
    category: str | None = None
    lang: str = "in"
    place_code: str | None = None  # a regency code, becomes geo.place_id
    ref: str | None = None  # "replied_to", "retweeted" or "quoted": the simulator picks the target
    tags: list[str] = field(default_factory=list)  # pii, hostile (incl. odd unicode), long, slang


DEFAULT_ACCOUNTS = (
    Account("humasjateng", "1100000000000000001", "Humas Jateng", ("33",)),
    Account("pemkotmagelang", "1100000000000000010", "Pemkot Magelang", ("3371",)),
    Account("pemkotsmg", "1100000000000000030", "Pemkot Semarang", ("3374",)),
)


def accounts_from_agencies(agencies: list[dict]) -> list[Account]:
    """The accounts of ``agencies`` as parsed from config/agencies.yaml."""
    found = []
    for agency in agencies:
        regions = tuple(str(r) for r in agency.get("regions", ["33"]))
        for acc in agency.get("accounts") or []:
            found.append(Account(acc["username"], str(acc["user_id"]), agency.get("name", ""), regions))
    return found


@functools.cache
def gazetteer(
    directory: Path = WILAYAH_DIR,
) -> tuple[dict[str, str], list[tuple[str, str]], list[tuple[str, str]]]:
    """(regency code → name, [(district code, name)], [(village code, name)]), names title-cased."""

    def rows(name: str) -> list[tuple[str, str]]:
        with open(directory / name, newline="", encoding="utf-8") as f:
            return [(r["id"], r["name"].title()) for r in csv.DictReader(f)]

    return dict(rows("regencies.csv")), rows("districts.csv"), rows("villages.csv")


PHRASES = json.loads((Path(__file__).parent / "phrases.json").read_text(encoding="utf-8"))
STREETS, PROBLEMS, OTHER, WEIGHTS, SLANG = (
    PHRASES[k] for k in ("streets", "problems", "other", "weights", "slang")
)
OPENERS, DURATIONS, CLOSERS = PHRASES["openers"], PHRASES["durations"], PHRASES["closers"]
FIRST, LAST, HOSTILE, PLATE_PREFIX = (
    PHRASES["first"],
    PHRASES["last"],
    PHRASES["hostile"],
    PHRASES["plate_prefix"],
)


class Generator:
    """Draft posts from a ``random.Random(seed)``: same seed and accounts, same drafts."""

    def __init__(
        self, accounts: list[Account] | tuple[Account, ...] = DEFAULT_ACCOUNTS, seed: int = 1
    ) -> None:
        if not accounts:
            raise ValueError("the generator needs at least one agency account")
        self.accounts = list(accounts)
        self.rng = random.Random(seed)
        self.regencies, self.districts, villages = gazetteer()
        self.villages: dict[str, list[str]] = {}
        for code, name in villages:
            self.villages.setdefault(code[:7], []).append(name)
        self.authors = [self._new_author() for _ in range(400)]

    def _new_author(self) -> Author:
        r = self.rng
        first, last = r.choice(FIRST), r.choice(LAST)
        style = r.randrange(4)
        handle = [
            f"{first}{last}".lower(),
            f"{first.lower()}_{r.randrange(10, 9999)}",
            f"warga_{first.lower()}{r.randrange(100)}",
            f"{last.lower()}{r.choice(['_jtg', '_smg', '88', 'x'])}",
        ][style]
        return Author(handle[:15], f"{first} {last}", str(r.randrange(10**17, 10**19)))

    def drafts(self, count: int, accounts: list[Account] | None = None) -> list[Draft]:
        return [self.draft(accounts) for _ in range(count)]

    def draft(self, accounts: list[Account] | None = None) -> Draft:
        r = self.rng
        pool = accounts or self.accounts
        to = r.sample(pool, 2) if len(pool) > 1 and r.random() < 0.12 else [r.choice(pool)]
        regency, place = self._place(to[0])
        kind = r.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        draft = Draft(r.choice(self.authors), "", [a.username for a in to], kind)
        if kind == "complaint":
            draft.category = r.choice(list(PROBLEMS))
            problem = r.choice(PROBLEMS[draft.category]).format(p=place)
            body = f"{r.choice(OPENERS)}{problem}{r.choice(DURATIONS)}. {r.choice(CLOSERS)}".strip()
            body = self._personal(draft, body, regency)
        else:
            body = r.choice(OTHER[kind]).format(p=place, d=r.randrange(10**6, 10**7))
            draft.lang = "en" if "claim now" in body else "in"
        body = self._mess(draft, body)
        handles = " ".join("@" + a for a in draft.to)
        draft.text = f"{handles} {body}" if r.random() < 0.85 else f"{body} {handles}"
        draft.place_code = regency if r.random() < 0.1 else None
        draft.ref = r.choices([None, "replied_to", "retweeted", "quoted"], weights=[88, 6, 3, 3])[0]
        if kind == "greeting" and r.random() < 0.15:
            draft.text, draft.lang = handles, "qme"  # X's language code for "mentions only"
        return draft

    def _place(self, account: Account) -> tuple[str, str]:
        """A regency code and a place phrase inside one of the account's regions."""
        r = self.rng
        prefix = r.choice(account.regions)
        districts = [d for d in self.districts if d[0].startswith(prefix)] or self.districts
        dcode, dname = r.choice(districts)
        vname = r.choice(self.villages.get(dcode) or [dname])
        phrase = r.choice(
            [
                f"Jl. {r.choice(STREETS)} {vname}",
                f"Desa {vname} Kec. {dname}",
                f"Kel. {vname}",
                f"dekat pasar {dname}",
                f"{dname}",
            ]
        )
        return dcode[:4], phrase

    def _personal(self, draft: Draft, body: str, regency: str) -> str:
        r = self.rng
        if r.random() >= 0.15:
            return body
        draft.tags.append("pii")
        nik = f"{regency}{r.randrange(10, 99)}{r.randrange(10**9, 10**10)}"
        extra = r.choice(
            [
                f"Hubungi saya 0812-{r.randrange(1000, 9999)}-{r.randrange(1000, 9999)}",
                f"NIK saya {nik}",
                f"WA +62 857{r.randrange(10**7, 10**8)}",
                f"plat motor {PLATE_PREFIX.get(regency, 'H')} {r.randrange(1000, 9999)} {r.choice(['AB', 'KT', 'XY', 'SW'])}",
                f"email saya {draft.author.username}@mail.example",
            ]
        )
        return f"{body} {extra}"

    def _mess(self, draft: Draft, body: str) -> str:
        """Slang, typos, shouting, hostile payloads and very long texts, as people really post."""
        r = self.rng
        if r.random() < 0.4:
            draft.tags.append("slang")
            words = [r.choice(SLANG[w]) if w in SLANG and r.random() < 0.7 else w for w in body.split(" ")]
            if r.random() < 0.5:
                i = r.randrange(len(words))
                w = words[i]
                if len(w) > 3:
                    j = r.randrange(len(w) - 1)
                    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            body = " ".join(words)
        if r.random() < 0.05:
            body = body.upper() + "!!!"
        if r.random() < 0.06:
            payload = r.choice(HOSTILE)
            draft.tags.append("hostile")
            body = f"{body} {payload}" if r.random() < 0.5 else f"{payload} {body}"
        if r.random() < 0.02:
            draft.tags.append("long")
            body = " ".join([body] * r.randrange(15, 40))
        return body
