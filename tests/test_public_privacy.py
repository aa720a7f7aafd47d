"""Property: personal data written in any separator, width, case or prefix variant survives on no public
output — redaction itself, the stored public_text, the report page (HTML), Open311 (JSON and XML) and the
agency digest (HTML and text) — and the public URLs on the emulator (DESIGN.md invariant 4; issue 11).

Generated values carry their *canonical* form (the digits of a number, the name of a handle, the local
part of an address); an output leaks when that form can be read back from it after undoing escaping and
folding widths, so "３３７４…" or "&#64;budi" count as leaks too.
"""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from google.cloud import firestore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aduan.adapters.config_files import load_config
from aduan.classifier import load_classifier
from aduan.classifier.redact import fold, redact
from aduan.digest import model, render
from aduan.digest.week import IsoWeek
from aduan.statuspage import open311, views
from aduan.statuspage.render import Templates
from infra.localcloud import ROOT, LocalCloud
from tests.statuspage_seed import make_client, report_doc, seed, wib

CONFIG = load_config(ROOT / "config")
PUBLIC = CONFIG.public_handles
NOW = wib(2026, 11, 26, 10, 0)

FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
SEPARATORS = [
    " ",
    "  ",
    "\u00a0",
    "\t",
    "\n",
    "/",
    "_",
    ",",
    ".",
    "-",
    " - ",
    ", ",
    "\u2013",
    "\u200b",
    "\u3000",
]
NOT_PLATE_WORDS = {
    "dan",
    "di",
    "ke",
    "yg",
    "ya",
    "dr",
    "km",
    "kg",
    "rb",
    "jt",
    "sd",
    "rt",
    "rw",
    "no",
    "jl",
    "gg",
}
REGIONS = [
    "AA",
    "AB",
    "AD",
    "B",
    "BK",
    "D",
    "DK",
    "E",
    "G",
    "H",
    "K",
    "KT",
    "L",
    "N",
    "R",
    "S",
    "T",
    "W",
    "Z",
]
PREFIXES = ["", "humas", "pemkot", "pemkab", "dinas", "bpbd", "polres", "bmkg", "pemkotsmg", "lapor", "pdam"]

digits = st.text("0123456789", min_size=1, max_size=1)


@st.composite
def widths(draw, text: str) -> str:
    """Some characters full-width (a sample of positions, or all)."""
    if draw(st.booleans()):
        return text
    every = draw(st.booleans())
    return "".join(FULL_WIDTH.get(c, c) if every or draw(st.booleans()) else c for c in text)


@st.composite
def grouped(draw, number: str) -> str:
    """``number`` cut into groups joined by one separator (or a random one each time)."""
    cuts = sorted(draw(st.sets(st.integers(1, len(number) - 1), max_size=5)))
    groups = [number[a:b] for a, b in zip([0, *cuts], [*cuts, len(number)], strict=True)]
    same = draw(st.sampled_from(SEPARATORS))
    out = groups[0]
    for group in groups[1:]:
        out += (same if draw(st.booleans()) else draw(st.sampled_from(SEPARATORS))) + group
    return draw(widths(out))


@st.composite
def nik(draw) -> tuple[str, str, str]:
    number = draw(st.text("0123456789", min_size=15, max_size=15))
    number = draw(st.sampled_from("123456789")) + number
    return "nik", draw(grouped(number)), number


@st.composite
def phone(draw) -> tuple[str, str, str]:
    rest = draw(st.text("0123456789", min_size=7, max_size=9))
    operator = draw(st.sampled_from(["12", "13", "21", "52", "57", "77", "95", "81"]))
    prefix = draw(
        st.sampled_from(["0", "+62", "+62 ", "62", "(+62) ", "(+62)", "0062 ", "0062", "wa0", "+ 62 "])
    )
    body = draw(grouped("8" + operator + rest))
    return "phone", prefix + body, operator + rest


@st.composite
def email(draw) -> tuple[str, str, str]:
    local = draw(st.from_regex(r"[a-z]{3,8}[._]?[0-9]{2,4}", fullmatch=True))
    labels = draw(
        st.lists(st.from_regex(r"[a-zäöüéñçşğıżł例え]{2,8}", fullmatch=True), min_size=1, max_size=3)
    )
    tld = draw(st.sampled_from(["com", "id", "co.id", "de", "indonesia", "онлайн", "xn--p1ai"]))
    at, dot = draw(st.sampled_from(["@", "＠", "﹫"])), draw(st.sampled_from([".", "．", "。"]))
    return "email", local + at + dot.join([*labels, *tld.split(".")]), local


@st.composite
def plate(draw) -> tuple[str, str, str]:
    region = draw(st.sampled_from(REGIONS))
    number = draw(st.text("0123456789", min_size=1, max_size=4).filter(lambda n: n[0] != "0"))
    letters = draw(st.text("ABCDEFGHJKLMNPRSTUVWXYZ", min_size=0 if len(number) >= 3 else 1, max_size=3))
    case = draw(st.sampled_from([str.upper, str.lower]))
    if case is str.lower and letters.lower() in NOT_PLATE_WORDS:
        letters = "XY"  # "b 12 km" reads as a number and a word; not what this property is about
    sep1, sep2 = draw(st.sampled_from(["", " ", ".", "-", "  "])), draw(st.sampled_from(["", " ", ".", "-"]))
    written = case(region) + sep1 + number + (sep2 + case(letters) if letters else "")
    return "plate", draw(widths(written)), number


@st.composite
def handle(draw) -> tuple[str, str, str]:
    prefix = draw(st.sampled_from(PREFIXES))
    rest = r"[a-z0-9_]{2,9}" if prefix else r"[a-z]{2,6}[0-9]{1,3}[a-z_]{0,3}"
    name = prefix + draw(st.from_regex(rest, fullmatch=True))
    name = name if name.lower() not in PUBLIC else name + "_x"
    case = draw(st.sampled_from([str, str.upper, str.title]))
    at = draw(st.sampled_from(["@", "＠", "﹫"]))
    return "handle", at + draw(widths(case(name))), name.lower()


NEUTRAL = "@pemkotsmg jalan rusak @bmkg"


@st.composite
def profile(draw) -> tuple[str, str, str]:
    """An account named in a link to its profile or post, without an "@"."""
    _, _, name = draw(handle())
    site = draw(
        st.sampled_from(
            ["https://x.com/", "x.com/", "https://twitter.com/", "instagram.com/", "tiktok.com/@"]
        )
    )
    tail = draw(st.sampled_from(["", "/", "/status/1862000000000000001", "?s=20"]))
    return "handle", site + draw(st.sampled_from([str, str.upper]))(name) + tail, name


personal = st.one_of(nik(), phone(), email(), plate(), handle(), profile())
BEFORE = ["", " ", "tolong ", "hub: ", "(", "kontak ", "\n", "«", "nik:"]
AFTER = ["", " ", ".", ",", ")", " ya", "\n", "!", "»", " 🙏"]


@st.composite
def post(draw) -> tuple[str, list[tuple[str, str, str]]]:
    items = draw(st.lists(personal, min_size=1, max_size=3))
    text = "@pemkotsmg jalan rusak"
    for item in items:
        text += " " + draw(st.sampled_from(BEFORE)) + item[1] + draw(st.sampled_from(AFTER))
    return text + " @bmkg", items


def readable(output: str) -> str:
    """What a reader gets from an output: escapes undone (twice: XML inside JSON), widths folded."""
    return fold(html.unescape(html.unescape(output)))[0].casefold()


def readings(output: str, kind: str, canonical: str) -> int:
    """How often ``canonical`` can be read from ``output``: in its digits for numbers, as a whole
    number for a plate's digits, as text otherwise."""
    seen = readable(output)
    if kind in ("nik", "phone"):
        return re.sub(r"\D", "", seen).count(canonical)
    if kind == "plate":
        return len(re.findall(rf"(?<!\d){canonical}(?!\d)", seen))
    return seen.count(canonical.casefold())


def assert_nothing_survives(
    output: str, items: list[tuple[str, str, str]], where: str, baseline: str | None = None
) -> None:
    """No item as written, nor its canonical form more often than in ``baseline`` (the same output
    for a text without personal data: dates and counts on a page are not leaks)."""
    for kind, written, canonical in items:
        assert written not in output, (where, kind, written)
        if baseline is not None or len(canonical) >= 5:
            allowed = readings(baseline, kind, canonical) if baseline is not None else 0
            assert readings(output, kind, canonical) <= allowed, (where, kind, written)


def public_outputs(text: str, doc_text: str) -> dict[str, str]:
    """Every public rendering of one report whose stored public_text is ``doc_text``."""
    doc = report_doc(1, NOW - timedelta(hours=2), text=doc_text)
    pub = views.Publisher(CONFIG, "id")
    record = open311.request_record(doc, pub)
    page = Templates().render("status/report.html", "id", report=pub.report(doc, NOW), path="/laporan/x")
    week = IsoWeek.previous_to(NOW + timedelta(days=7))
    digest = model.build(
        CONFIG.agencies.get("kota-semarang"),
        CONFIG.taxonomy,
        week,
        NOW + timedelta(days=4),
        model.Links("https://status.example"),
        [doc],
        {},
        [],
        [],
        public_handles=PUBLIC,
    )
    mail = render.render(digest)
    return {
        "redact": redact(text, PUBLIC),
        "page": page,
        "open311.json": open311.render("json", "service_requests", [record]),
        "open311.xml": open311.render("xml", "service_requests", [record]),
        "digest.html": mail.html,
        "digest.text": mail.text,
    }


@settings(max_examples=250, deadline=None)
@given(post())
def test_no_personal_data_survives_on_any_output(generated) -> None:
    text, items = generated
    plain = public_outputs(NEUTRAL, NEUTRAL)
    for where, output in public_outputs(text, text).items():  # stored text unredacted: outputs redact
        assert_nothing_survives(output, items, where, plain[where])


CLASSIFIER = load_classifier(ROOT / "config", CONFIG.agencies.handles)


@settings(max_examples=120, deadline=None)
@given(post())
def test_stored_public_text_masks_the_same_and_outputs_keep_it(generated) -> None:
    text, items = generated
    stored = CLASSIFIER.understand(text).public_text
    assert stored == redact(CLASSIFIER.redact(text), PUBLIC)  # idempotent, one rule
    assert_nothing_survives(stored, items, "public_text", NEUTRAL)
    # genuinely public accounts stay readable, on the pages as in the stored text
    assert "@pemkotsmg" in stored and stored.endswith("@bmkg")
    page = public_outputs(text, stored)["page"]
    assert "@bmkg" in page and "@pemkotsmg" in page


@pytest.fixture
def site_client(local: LocalCloud):
    return make_client(local.project, NOW)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(post(), min_size=1, max_size=3))
def test_public_urls_on_the_emulator_show_none_of_it(site_client, posts) -> None:
    client, site = site_client
    site.cache.clear()
    db = firestore.Client(project=site.store.db.project)
    docs = []
    for n, (text, _) in enumerate(posts):
        number = abs(hash(text)) % 10**6 + n
        docs.append(report_doc(number, NOW - timedelta(minutes=n + 1), text=text))
    seed(db, docs)
    items = [item for _, found in posts for item in found]
    paths = ["/", "/instansi/kota-semarang", "/open311/v2/requests.json", "/open311/v2/requests.xml"]
    for doc in docs:
        paths += [f"/laporan/{doc['ticket']}", f"/open311/v2/requests/{doc['ticket']}.xml"]
        paths += [f"/open311/v2/requests.json?service_request_id={doc['ticket']}"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        if path.endswith(".json") or ".json?" in path:
            body += json.dumps(response.get_json(), ensure_ascii=False)
        assert_nothing_survives(body, items, path)
