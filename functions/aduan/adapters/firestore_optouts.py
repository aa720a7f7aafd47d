"""Digest opt-outs in Firestore (``digest_optouts``): the status page writes them, the digest reads them.

One document per (agency, address), its id the agency and a hash of the lower-cased
address — so a second unsubscribe of the same address finds the first and changes
nothing, and the address is not the key. The address itself is a field: it is an
agency's own mailbox, not a citizen's data, and the digest compares against it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from aduan import names

ONE_CLICK, FORM = "one-click", "form"


def doc_id(agency_id: str, recipient: str) -> str:
    return f"{agency_id}-{hashlib.sha256(recipient.strip().lower().encode()).hexdigest()[:32]}"


class FirestoreOptOuts:
    def __init__(self, db: firestore.Client) -> None:
        self.collection = db.collection(names.OPTOUTS)
        self.reads = 0  # billed document reads (an empty query is billed one)

    def record(self, agency_id: str, recipient: str, via: str, now: datetime) -> bool:
        """Opt ``recipient`` out of ``agency_id``'s digest; False when it already was (the first record stays)."""
        doc: dict[str, Any] = {"agency_id": agency_id, "recipient": recipient, "at": now, "via": via}
        try:
            self.collection.document(doc_id(agency_id, recipient)).create(doc)
        except gexc.AlreadyExists:
            return False
        return True

    def addresses(self, agency_id: str) -> set[str]:
        """The agency's opted-out addresses, lower-cased, in one query (single-field index on agency_id)."""
        snaps = list(self.collection.where(filter=FieldFilter("agency_id", "==", agency_id)).stream())
        self.reads += max(1, len(snaps))
        return {str(s.get("recipient")).lower() for s in snaps}

    def remove(self, agency_id: str, recipient: str) -> bool:
        """Re-subscribe: delete the opt-out; False when there was none."""
        ref = self.collection.document(doc_id(agency_id, recipient))
        snap = ref.get()
        self.reads += 1
        if not snap.exists:
            return False
        ref.delete()
        return True
