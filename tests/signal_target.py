"""Not collected by the suite (no ``test_`` prefix): run by tests/test_hygiene.py in a child pytest,
which it stops with SIGTERM while this waits on the real emulators."""

from __future__ import annotations

import time


def test_waits_on_the_emulators(emulators):
    print("emulators up", flush=True)
    time.sleep(120)
