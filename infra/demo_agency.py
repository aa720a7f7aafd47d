"""`make demo`'s agency step: a few agencies answer, resolve and reject reports through the real links.

It reads the digests the demo just sent (``build/demo/mail/*.eml``): each agency's
work-queue link and its per-report action links. Through plain HTTP against the
local status page (GET the page, then POST its form, as a browser would) it

- answers one report and marks it in progress (a single action link),
- resolves two reports at once from the work queue (bulk, with the page's form token),
- rejects one report with its reason (another agency's action link),
- forwards one report that is "not our responsibility" to the agency it belongs to,

then shows the results as citizens and Open311 clients see them: status, ``status_notes``.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from html import unescape
from pathlib import Path

import requests
from google.api_core import exceptions as gexc
from google.cloud import firestore, pubsub_v1

from aduan import actions, names
from aduan import report as r
from aduan.ticket import display
from infra.wiring import drain

TIMEOUT_S = 30
_ACTION = re.compile(r"https?://[^\s\"'<>]+/tindak/[A-Za-z0-9_.-]+")
_QUEUE = re.compile(r"https?://[^\s\"'<>]+/antrian/[A-Za-z0-9_.-]+")


def _form_token(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    if match is None:
        raise RuntimeError("the queue page has no form token")
    return unescape(match[1])


def _listed(page: str) -> list[str]:
    return re.findall(r'name="laporan" value="([^"]+)"', page)


def _post(url: str, data: dict, origin: str) -> requests.Response:
    """A browser's form POST: same origin, no referrer (what the pages ask for)."""
    headers = {"Origin": origin, "Sec-Fetch-Site": "same-origin"}
    return requests.post(url, data=data, headers=headers, timeout=TIMEOUT_S, allow_redirects=False)


def _replies_tap(project: str) -> str:
    """The replies topic the status page publishes to (send_replies' wiring creates it too), and a
    pull subscription of our own that counts the reply requests the agencies' changes made."""
    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    topic = publisher.topic_path(project, names.REPLIES_TOPIC)
    with contextlib.suppress(gexc.AlreadyExists):
        publisher.create_topic(name=topic)
    path = subscriber.subscription_path(project, "demo-agency-replies")
    with contextlib.suppress(gexc.AlreadyExists):
        subscriber.create_subscription(request={"name": path, "topic": topic, "ack_deadline_seconds": 60})
    return path


def _open_reports(db: firestore.Client, agency_id: str, limit: int) -> list[dict]:
    query = (
        db.collection(names.REPORTS)
        .where(filter=firestore.FieldFilter("agency_id", "==", agency_id))
        .where(filter=firestore.FieldFilter("open", "==", True))
        .order_by("due_at")
        .limit(limit)
    )
    return [s.to_dict() for s in query.stream()]


def _agency_of(url: str, key: str) -> str | None:
    token = url.rsplit("/", 1)[1]
    with contextlib.suppress(actions.TokenRefused):
        return actions.verify(token, key, datetime.now(UTC)).agency_id
    with contextlib.suppress(actions.TokenRefused):
        return actions.verify_queue(token, key, datetime.now(UTC)).agency_id
    return None


def _links_by_agency(mail_dir: Path, key: str) -> dict[str, dict[str, list[str]]]:
    links: dict[str, dict[str, list[str]]] = {}
    for path in sorted(mail_dir.glob("*.eml"))[:500]:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        part = message.get_body(preferencelist=("plain",))
        text = part.get_content() if part is not None else ""
        for kind, pattern in (("action", _ACTION), ("queue", _QUEUE)):
            for url in dict.fromkeys(pattern.findall(text)):
                agency = _agency_of(url, key)
                if agency:
                    links.setdefault(agency, {"action": [], "queue": []})[kind].append(url)
    return links


def _busiest(db: firestore.Client, agencies: Iterable[str], n: int) -> list[str]:
    counts = []
    for agency in agencies:
        query = (
            db.collection(names.REPORTS)
            .where(filter=firestore.FieldFilter("agency_id", "==", agency))
            .where(filter=firestore.FieldFilter("open", "==", True))
            .count()
        )
        counts.append((int(query.get()[0][0].value), agency))
    return [a for c, a in sorted(counts, reverse=True) if c][:n]


def run(project: str, status_base: str, key: str, mail_dir: Path) -> dict[str, int]:
    """Act as a few agencies through their digests' links; print and return what happened."""
    db = firestore.Client(project=project)
    tap = _replies_tap(project)
    links = _links_by_agency(mail_dir, key)
    origin = status_base.rstrip("/")
    done: dict[str, int] = {"responded": 0, "resolved": 0, "rejected": 0, "rerouted": 0}
    touched: list[str] = []
    agencies = _busiest(db, [a for a in links if links[a]["queue"]], 3)
    print(f"\nagencies act through their digests' links ({len(links)} agencies' links found in the mail):")
    for i, agency in enumerate(agencies):
        queue = links[agency]["queue"][0]
        page = requests.get(queue, timeout=TIMEOUT_S).text
        listed = _listed(page)
        if i == 0 and len(listed) >= 2:
            answer = {
                "csrf": _form_token(page),
                "laporan": listed[:2],
                "aksi": "status",
                "status": r.RESOLVED,
                "tanggapan": "Sudah ditangani petugas kami. Terima kasih atas laporannya.",
            }
            response = _post(queue, answer, origin)
            changed = int(re.search(r"(\d+) laporan diubah", response.text)[1]) if response.ok else 0
            done["resolved"] += changed
            touched += listed[:2]
            print(
                f"  {agency}: resolved {changed} reports at once from its work queue (HTTP {response.status_code})"
            )
            listed = listed[2:]
        for report_id in listed[:1]:
            doc = db.collection(names.REPORTS).document(report_id).get().to_dict()
            url = next((u for u in links[agency]["action"] if _report_of(u, key) == report_id), None)
            url = url or actions.action_url(origin, key, report_id, agency, datetime.now(UTC))
            requests.get(url, timeout=TIMEOUT_S)  # what the agency sees first: changes nothing
            if i == 1:
                data = {
                    "aksi": "status",
                    "status": r.REJECTED,
                    "tanggapan": "Lokasi ini bukan aset pemerintah daerah; sudah kami sampaikan ke pengelolanya.",
                }
                key_name = "rejected"
            else:
                data = {
                    "aksi": "status",
                    "status": r.IN_PROGRESS,
                    "tanggapan": "Petugas dijadwalkan memeriksa lokasi dalam 2 hari kerja.",
                }
                key_name = "responded"
            response = _post(url, data, origin)
            done[key_name] += response.ok
            touched.append(report_id)
            print(
                f"  {agency}: {key_name} {display(doc['ticket'])} through its action link "
                f"(HTTP {response.status_code})"
            )
    reroute = _reroute_one(db, links, key, origin, agencies)
    if reroute:
        done["rerouted"] += 1
        touched.append(reroute)
    _show(db, touched, origin)
    events = Counter(
        m.attributes.get("event") for m in drain(tap, max_messages=1000, idle_s=1.0, timeout_s=15)
    )
    print(
        f"reply requests on topic {names.REPLIES_TOPIC!r}: "
        + (", ".join(f"{e} {n}" for e, n in sorted(events.items())) or "none")
    )
    return done


def _report_of(url: str, key: str) -> str | None:
    with contextlib.suppress(actions.TokenRefused):
        return actions.verify(url.rsplit("/", 1)[1], key, datetime.now(UTC)).report_id
    return None


def _reroute_one(db, links, key: str, origin: str, skip: list[str]) -> str | None:
    """A desk forwards a report that is not its business ("bukan kewenangan kami"), from its digest's link."""
    for agency in [a for a in links if a not in skip]:
        for url in links[agency]["action"][:10]:
            report_id = _report_of(url, key)
            doc = db.collection(names.REPORTS).document(report_id).get().to_dict() if report_id else None
            if not doc or not doc.get("open") or doc["agency_id"] != agency:
                continue
            target = "kota-semarang-dpu" if agency != "kota-semarang-dpu" else "kota-semarang"
            data = {
                "aksi": "route",
                "instansi": target,
                "catatan": "Bukan kewenangan kami: urusan dinas teknis",
            }
            response = _post(url, data, origin)
            if response.ok:
                print(f"  {agency}: forwarded {display(doc['ticket'])} to {target} — bukan kewenangan kami")
                return doc["id"]
    return None


def _show(db: firestore.Client, report_ids: list[str], origin: str) -> None:
    print("\nas citizens and Open311 clients now see them:")
    for report_id in report_ids:
        doc = db.collection(names.REPORTS).document(report_id).get().to_dict()
        if not doc.get("public"):
            continue
        record = requests.get(f"{origin}/open311/v2/requests/{doc['ticket']}.json", timeout=TIMEOUT_S).json()[
            0
        ]
        print(
            f"  {origin}/laporan/{doc['ticket']}  {record['status']:6}  {record['agency_responsible'][:34]:34}"
            f"  status_notes: {record['status_notes'][:70]!r}"
        )
