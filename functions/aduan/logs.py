"""Structured logs that Cloud Logging reads from stdout: one JSON object per line.

One ``write`` per entry under a lock: functions-framework serves requests on
threads, and ``print`` writes the text and the newline separately, so two
threads' entries could otherwise interleave into one unparseable line.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any, TextIO

_LOCK = threading.Lock()


def log(severity: str, message: str, stream: TextIO | None = None, **fields: Any) -> None:
    entry = {"severity": severity, "message": message, **fields}
    line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
    out = stream or sys.stdout
    with _LOCK:
        out.write(line)
        out.flush()
