"""Structured logs that Cloud Logging reads from stdout: one JSON object per line."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO


def log(severity: str, message: str, stream: TextIO | None = None, **fields: Any) -> None:
    entry = {"severity": severity, "message": message, **fields}
    print(json.dumps(entry, ensure_ascii=False, default=str), file=stream or sys.stdout, flush=True)
