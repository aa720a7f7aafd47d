"""`make demo`, replies: every report the demo filed is acknowledged on X (the simulator).

Called once by ``infra.demo`` after the posts are filed: it wires the replies topic's push
subscription to a ``send_replies`` process (with the simulator's local credentials) and
asks for each report's acknowledgement — the request classify_mention published while
filing had no subscriber yet, and asking twice is harmless: the ledger posts once. Then it
prints how many acknowledgements were posted, and one of them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import requests
from google.cloud import firestore, pubsub_v1

from aduan import names
from aduan.adapters.config_files import load_config
from aduan.classify_job import wants_acknowledgement
from aduan.replies import reply_request
from infra.localcloud import HOST, ROOT, LocalCloud
from infra.replies_loop import agency_accounts
from infra.wiring import wire_replies
from infra.xsim.posting import local_credentials


def run(cloud: LocalCloud, env: dict[str, str], timeout_s: float = 120) -> dict:
    wire_replies(cloud)
    cloud.start_function("send_replies", cloud.ports.replies, {**env, **local_credentials(agency_accounts())})
    config = load_config(ROOT / "config")
    db = firestore.Client(project=cloud.project)
    wanted = [s.to_dict() for s in db.collection(names.REPORTS).stream()]
    wanted = [doc for doc in wanted if wants_acknowledgement(doc, config)]
    publisher = pubsub_v1.PublisherClient()
    topic = publisher.topic_path(cloud.project, names.REPLIES_TOPIC)
    futures = [
        publisher.publish(topic, data, **attributes)
        for data, attributes in (reply_request(d["id"], "acknowledged", datetime.now(UTC)) for d in wanted)
    ]
    for future in futures:
        future.result(timeout=60)
    ledger = db.collection(names.REPLIES)
    deadline = time.monotonic() + timeout_s
    done: list[dict] = []
    while time.monotonic() < deadline:
        refs = [ledger.document(f"{d['id']}-acknowledged") for d in wanted]
        done = [s.to_dict() for s in db.get_all(refs) if s.exists and s.get("state") in ("sent", "skipped")]
        if len(done) == len(wanted):
            break
        time.sleep(1)
    posts = requests.get(f"http://{HOST}:{cloud.ports.xsim}/_sim/posts", timeout=30).json()["posts"]
    agency_ids = {acc.user_id for acc in agency_accounts()}
    ours = [p for p in posts if p["author_id"] in agency_ids]
    print(
        f"\nacknowledgements posted on X (simulator): {len(ours)} for {len(wanted)} reports that ask for one "
        f"(replies enabled for their account, not waiting for review); {len(done)} settled"
    )
    if ours:
        print(f"  e.g. in reply to {ours[0]['in_reply_to']}: {ours[0]['text']}")
    return {"acknowledgements": len(ours), "requested": len(wanted), "settled": len(done)}
