"""Debian's headless Chromium as the tests and the screenshots use it (no browser download).

The flags keep it off the network: without them Chromium keeps trying Google's
hosts, which this closed machine refuses.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
