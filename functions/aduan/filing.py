"""Turn one classified post into the report document and the counts it adds — pure, no I/O.

The store adapter writes what ``plan_filing`` returns in one atomic commit whose
first write is a *create* of ``reports/{id}``: a redelivery, a re-fetch or a
concurrent duplicate fails that precondition, so the whole commit (stats and
cluster counts included) is refused and nothing is counted twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aduan import report as r
from aduan import stats
from aduan.config import Config
from aduan.mention import Mention, PoisonMessage
from aduan.routing import route
from aduan.ticket import ticket_for
from aduan.workdays import due_dates

CLUSTER_WINDOW = timedelta(hours=72)
CLUSTER_MIN_SIMILARITY = 0.3
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_NOISE = re.compile(r"@\w+|https?://\S+")
# Words that carry no topic: they would make every complaint look alike.
STOPWORDS = frozenset(
    [
        "yang",
        "dan",
        "di",
        "ke",
        "dari",
        "ini",
        "itu",
        "ada",
        "sudah",
        "udah",
        "udh",
        "sdh",
        "belum",
        "blm",
        "tidak",
        "tdk",
        "gak",
        "ga",
        "nggak",
        "ora",
        "pak",
        "bu",
        "min",
        "mohon",
        "tolong",
        "tlg",
        "segera",
        "bapak",
        "ibu",
        "kami",
        "saya",
        "aku",
        "kita",
        "warga",
        "sini",
        "sana",
        "juga",
        "dengan",
        "untuk",
        "pada",
        "karena",
        "krn",
        "sangat",
        "banget",
        "bgt",
        "parah",
        "lagi",
        "masih",
        "terus",
        "kapan",
        "kok",
        "apa",
        "gimana",
        "gmn",
        "bagaimana",
        "the",
        "and",
        "please",
        "lur",
        "neng",
        "sing",
        "wis",
        "dong",
        "deh",
        "sih",
        "kak",
        "admin",
        "mas",
        "mbak",
    ]
)


def parse_time(value: str, field_name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PoisonMessage(f"field '{field_name}' is not an ISO 8601 time: {value[:40]!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def topic_words(text: str) -> frozenset[str]:
    """The words that say what a report is about, for similarity between citizens' reports."""
    return frozenset(w for w in _WORD.findall(_NOISE.sub(" ", text.lower())) if w not in STOPWORDS)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def cluster_key(category: str | None, place: Mapping[str, Any] | None) -> str | None:
    """Reports can only cluster within one category and one kecamatan (or kabupaten/kota)."""
    if not category or not place:
        return None
    where = place.get("district_code") or place.get("regency_code")
    return f"{category}|{where}" if where else None


def reading_cluster_key(reading: Any) -> str | None:
    """The cluster key of a classifier reading, so the store can fetch candidates before planning."""
    return cluster_key(reading.category if reading.is_report else None, _place_doc(reading.place))


@dataclass(frozen=True)
class FilingPlan:
    report_id: str
    report: dict[str, Any]
    stats_doc_id: str
    cluster_id: str
    joins_cluster: bool  # False: the report starts a cluster of its own (cluster_id == report_id)


def choose_cluster(
    report_id: str, words: frozenset[str], candidates: Sequence[Mapping[str, Any]], received_at: datetime
) -> tuple[str, bool]:
    """The most similar recent report's cluster, if similar enough; else a new cluster of its own."""
    best, best_score = None, CLUSTER_MIN_SIMILARITY
    for doc in candidates:
        if doc.get("id") == report_id or received_at - doc["received_at"] > CLUSTER_WINDOW:
            continue
        score = similarity(words, topic_words(doc.get("public_text", "")))
        if score >= best_score:
            best, best_score = doc, score
    if best is None:
        return report_id, False
    return best.get("cluster_id") or best["id"], True


def plan_filing(
    mention: Mention,
    reading: Any,
    config: Config,
    now: datetime,
    cluster_candidates: Sequence[Mapping[str, Any]] = (),
) -> FilingPlan:
    """``reading`` is the classifier's Understanding (duck-typed: the core never imports the classifier)."""
    created_at = parse_time(mention.created_at, "created_at")
    place = _place_doc(reading.place)
    codes = [c for c in (place or {}).get("codes", ()) if c]
    category = reading.category if reading.is_report else None
    routed = route(config.agencies, category or config.taxonomy.fallback, codes, mention.to_accounts)
    agency = config.agencies.get(routed.agency_id)
    report_id = mention.report_id
    if reading.is_report:
        status = r.ROUTED
        history = [
            r.HistoryEntry(r.RECEIVED, now, "aduan").to_doc(),
            r.HistoryEntry(r.ROUTED, now, "aduan", agency.name if agency else routed.agency_id).to_doc(),
        ]
        due_response, due_final = due_dates(now)
    else:
        status = r.NOT_A_REPORT
        history = [r.HistoryEntry(r.NOT_A_REPORT, now, "aduan", f"otomatis: {reading.kind}").to_doc()]
        due_response = due_final = None
    key = cluster_key(category, place)
    if key:
        cluster_id, joins = choose_cluster(
            report_id, topic_words(reading.public_text), cluster_candidates, now
        )
    else:
        cluster_id, joins = report_id, False
    doc = {
        "id": report_id,
        "ticket": ticket_for(report_id),
        "source": mention.source,
        "source_id": mention.source_id,
        "url": mention.url,
        "lang": mention.lang,
        "to_accounts": list(mention.to_accounts),
        "text": mention.text,
        "author": {"id": mention.author.id, "username": mention.author.username, "name": mention.author.name},
        "public_text": reading.public_text,
        "created_at": created_at,
        "received_at": now,
        "updated_at": now,
        "is_report": bool(reading.is_report),
        "kind": reading.kind,
        "category": category,
        "confidence": float(reading.confidence),
        "needs_review": bool(reading.needs_review),
        "urgent": bool(reading.urgent) and bool(reading.is_report),
        "place": place,
        "agency_id": routed.agency_id,
        "routed_by": routed.routed_by,
        "status": status,
        "open": r.is_open(status),
        "public": r.is_public(status, bool(reading.is_report)),
        "history": history,
        "due_response_at": due_response,
        "due_at": due_final,
        "first_response_at": None,
        "resolved_at": None,
        "cluster_id": cluster_id,
        "cluster_key": key,
        "corrections": [],
        # Threads and replies (docs/contracts.md): follow-ups find the report by its conversation,
        # replies notify nobody but the citizen, send_replies records what it posted.
        "conversation_id": mention.conversation_id or mention.source_id,
        "mentioned_user_ids": list(mention.mentioned_user_ids),
        "reply_post_ids": [],
        "acknowledged_at": None,
        "follow_ups": 0,
        "reopened_at": None,
    }
    doc["stats_shard"] = stats.shard_doc_id(report_id, now)
    return FilingPlan(report_id, doc, doc["stats_shard"], cluster_id, joins)


def _place_doc(place: Any) -> dict[str, Any] | None:
    if place is None:
        return None
    fields = (
        "regency_code",
        "regency_name",
        "district_code",
        "district_name",
        "village_code",
        "village_name",
    )
    doc = {f: getattr(place, f, None) for f in fields}
    doc["codes"] = [doc["regency_code"], doc["district_code"], doc["village_code"]]
    return doc
