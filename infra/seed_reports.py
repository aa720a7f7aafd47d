"""Report documents that follow the schema of ``aduan.report`` exactly, for tests, the demo and the bench.

Writing through batches of 500 (Firestore's limit per commit) keeps seeding
10,000 reports into the emulator to a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from google.cloud import firestore

from aduan import names, report, ticket, workdays

BATCH = 500
PLACES = (
    {
        "regency_code": "3371",
        "regency_name": "Kota Magelang",
        "district_code": "3371010",
        "district_name": "Magelang Selatan",
        "village_code": "3371010001",
        "village_name": "Jurangombo Selatan",
    },
    {
        "regency_code": "3371",
        "regency_name": "Kota Magelang",
        "district_code": "3371030",
        "district_name": "Magelang Utara",
        "village_code": "3371030001",
        "village_name": "Potrobangsan",
    },
    {
        "regency_code": "3371",
        "regency_name": "Kota Magelang",
        "district_code": "3371020",
        "district_name": "Magelang Tengah",
        "village_code": "3371020001",
        "village_name": "Kemirirejo",
    },
)
CATEGORIES = ("jalan", "sampah", "drainase", "penerangan", "air", "transportasi")


def report_doc(n: int, agency_id: str, received_at: datetime, **fields: Any) -> dict[str, Any]:
    """Report number ``n`` (its post id) filed for ``agency_id``; ``fields`` override any field."""
    source_id = str(1862600000000000000 + n)
    doc_id = f"x-{source_id}"
    category = CATEGORIES[n % len(CATEGORIES)]
    place = PLACES[n % len(PLACES)]
    status = fields.get("status", report.ROUTED)
    response_due, final_due = workdays.due_dates(received_at)
    text = fields.pop("text", f"Laporan warga nomor {n}: {category} rusak di {place['village_name']}")
    doc: dict[str, Any] = {
        "id": doc_id,
        "ticket": ticket.ticket_for(doc_id),
        "source": "x",
        "source_id": source_id,
        "url": f"https://x.com/warga_{n}/status/{source_id}",
        "lang": "in",
        "to_accounts": ["pemkotmagelang"],
        "text": text,
        "author": {"id": str(900000 + n), "username": f"warga_{n}", "name": f"Warga {n}"},
        "public_text": text,
        "created_at": received_at - timedelta(minutes=3),
        "received_at": received_at,
        "updated_at": received_at,
        "is_report": True,
        "kind": "complaint",
        "category": category,
        "confidence": 0.9,
        "needs_review": False,
        "urgent": False,
        "place": place,
        "agency_id": agency_id,
        "routed_by": "region",
        "status": status,
        "history": [{"status": status, "at": received_at, "by": "aduan", "note": ""}],
        "due_response_at": response_due,
        "due_at": final_due,
        "first_response_at": None,
        "resolved_at": None,
        "cluster_id": doc_id,
        "cluster_key": f"{category}|{place['village_code']}",
        "stats_shard": "",
        "corrections": [],
    }
    doc.update(fields)
    doc["open"] = report.is_open(doc["status"])
    doc["public"] = report.is_public(doc["status"], doc["is_report"])
    return doc


def seed(db: firestore.Client, docs: Iterable[Mapping[str, Any]]) -> int:
    """Write the documents to ``reports`` in batches; returns how many."""
    collection = db.collection(names.REPORTS)
    count = 0
    batch = db.batch()
    for doc in docs:
        batch.set(collection.document(doc["id"]), dict(doc))
        count += 1
        if count % BATCH == 0:
            batch.commit()
            batch = db.batch()
    if count % BATCH:
        batch.commit()
    return count
