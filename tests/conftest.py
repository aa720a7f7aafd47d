"""Shared fixtures: the real emulators, started once per test session and only when a test needs them.

Each test that uses ``local`` gets its own Google Cloud project id: the Firestore
and Pub/Sub emulators keep projects apart, so tests are isolated without resets,
and the functions-framework processes a test starts are stopped after it.
"""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator

import pytest

from infra.localcloud import TEST_PORTS, LocalCloud, die_with_parent


def _interrupt(signum: int, _frame) -> None:
    """SIGTERM/SIGHUP (``timeout``, a closed terminal, CI cancelling) end the run like Ctrl-C:
    pytest then tears the fixtures down, which stops every emulator and function they started.
    (SIGKILL cannot be caught: then the launcher's guard process stops them, infra/localcloud.py.)"""
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")


def pytest_configure(config: pytest.Config) -> None:
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _interrupt)
    die_with_parent()  # `make test` killed: make does not pass the signal on to its recipe


@pytest.fixture(scope="session")
def emulators() -> Iterator[LocalCloud]:
    cloud = LocalCloud(project="test-aduan", ports=TEST_PORTS)
    try:
        cloud.start_emulators()
        yield cloud
    finally:
        cloud.stop()


@pytest.fixture
def local(emulators: LocalCloud) -> Iterator[LocalCloud]:
    """A fresh project on the shared emulators; services started on it stop with the test."""
    cloud = LocalCloud(project=f"t-{uuid.uuid4().hex[:10]}", ports=TEST_PORTS)
    try:
        yield cloud
    finally:
        cloud.stop()
