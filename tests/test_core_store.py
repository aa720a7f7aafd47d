"""The pure parts of filing: working-day deadlines, tickets, routing and similarity."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from aduan.adapters.config_files import load_config
from aduan.filing import similarity, topic_words
from aduan.mention import from_x_post, parse_message
from aduan.routing import route
from aduan.ticket import display, normalize, ticket_for
from aduan.workdays import WIB, add_working_days, due_dates

CONFIG = load_config(Path(__file__).resolve().parent.parent / "config")


def test_due_dates_skip_the_weekend():
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=WIB)
    response, final = due_dates(friday)
    assert response.date().isoformat() == "2026-12-02"  # Mon, Tue, Wed
    assert final.date().isoformat() == "2026-12-09"  # five more working days


def test_due_dates_skip_national_holidays_and_collective_leave():
    # Christmas Eve (cuti bersama) and Christmas Day 2026 fall on Thursday and Friday.
    wednesday = datetime(2026, 12, 23, 9, 0, tzinfo=WIB)
    assert add_working_days(wednesday, 1).date().isoformat() == "2026-12-28"
    # Idul Fitri 2026: 19 March (Nyepi) to 24 March are off.
    assert add_working_days(datetime(2026, 3, 17, 9, 0, tzinfo=WIB), 1).date().isoformat() == "2026-03-25"


def test_a_late_evening_in_jakarta_counts_from_the_jakarta_day():
    utc_friday_evening = datetime.fromisoformat("2026-11-27T18:30:00+00:00")  # Saturday 01:30 WIB
    assert add_working_days(utc_friday_evening, 1).date().isoformat() == "2026-11-30"


@given(st.text(min_size=1, max_size=40))
def test_tickets_are_stable_readable_and_forgiving(report_id):
    code = ticket_for(report_id)
    assert len(code) == 8 and code == ticket_for(report_id)
    assert not set(code) & set("ILOU")
    assert normalize(display(code).lower()) == code
    assert normalize(" " + code.replace("1", "l").replace("0", "o") + " ") == code


def test_routing_by_place_then_account_then_desk():
    agencies = CONFIG.agencies
    assert route(agencies, "jalan", ["3371", "3371030"], ["humasjateng"]).agency_id == "kota-magelang-dpupr"
    assert route(agencies, "pajak", ["3371"], []).agency_id == "kota-magelang"
    assert route(agencies, "bencana", ["3316"], []).agency_id == "jateng-bpbd"
    assert route(agencies, "jalan", ["3316"], []).agency_id == "jateng-laporgub"
    by_account = route(agencies, "sampah", [], ["pemkotsmg"])
    assert (by_account.agency_id, by_account.routed_by) == ("kota-semarang-dlh", "account")
    assert route(agencies, "jalan", [], ["someone_else"]).routed_by == "desk"


def test_similarity_ignores_handles_links_and_filler():
    a = topic_words("@pemkotmagelang tolong pak jalan Tidar berlubang besar https://t.co/x")
    b = topic_words("@humasjateng jalan Tidar lubangnya besar sekali mohon segera")
    c = topic_words("@pemkotmagelang sampah menumpuk di pasar")
    assert similarity(a, b) > similarity(a, c)
    assert "pemkotmagelang" not in a and "tolong" not in a


def test_lone_surrogates_from_x_or_json_never_break_publishing_or_filing():
    """A post cut mid-emoji arrives as a lone surrogate; UTF-8 (Pub/Sub, Firestore) cannot carry it."""
    post = {"id": "5", "text": "jalan rusak \ud83d parah", "author_id": "1"}
    includes = {"users": [{"id": "1", "username": "warga", "name": "Warga \udc00"}]}
    mention = from_x_post(post, includes, {"pemkotsmg"}, "2026-11-30T01:00:00Z")
    data, _ = mention.to_message()  # raised UnicodeEncodeError before
    parsed = parse_message(data)
    assert parsed.text == "jalan rusak \ufffd parah" and parsed.author.name == "Warga \ufffd"
    escaped = data.replace("\ufffd".encode(), b"\\ud83d", 1)  # the same escape straight in the JSON
    again = parse_message(escaped)
    assert again.text == "jalan rusak \ufffd parah"
    again.to_message()
