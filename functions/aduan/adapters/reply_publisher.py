"""Publishes reply requests to topic ``replies`` for the status page, importing Pub/Sub lazily.

The status page's instances mostly serve public reads; the Pub/Sub client costs
hundreds of milliseconds to import, so it is loaded by the first agency change
that needs a reply, never at start-up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aduan import names
from aduan.logs import log
from aduan.replies import reply_request

CONFIRM_TIMEOUT_S = 10.0


class ReplyPublisher:
    def __init__(self, project: str, topic: str = names.REPLIES_TOPIC) -> None:
        self.project, self.topic = project, topic
        self._publisher: Any = None

    def _topic(self) -> Any:
        if self._publisher is None:
            from aduan.adapters.pubsub import TopicPublisher

            self._publisher = TopicPublisher(self.project, self.topic)
        return self._publisher

    def publish(self, report_id: str, event: str, now: datetime) -> bool:
        """Request the reply once the change has committed; False (and an ERROR log naming the
        report and event) when Pub/Sub did not confirm — the change itself stands, and its ledger
        entry (``requested``, written in the same commit) makes the sweep publish it again."""
        data, attributes = reply_request(report_id, event, now)
        try:
            topic = self._topic()
            topic.confirm([topic.publish(data, attributes)], CONFIRM_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - the agency's change is committed; say what to replay
            log(
                "ERROR",
                "reply request not published; the sweep re-publishes it",
                report_id=report_id,
                event=event,
                error=str(exc)[:300],
            )
            return False
        log("INFO", "reply requested", report_id=report_id, event=event)
        return True
