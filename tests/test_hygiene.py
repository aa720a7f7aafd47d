"""Process hygiene (issue #11, item 18): whatever stops a launcher, nothing it started keeps running,
and ``down`` stops only what this checkout started.

These start the real launchers — ``python -m infra.demo``, ``python -m infra.localcloud up`` and
pytest itself — in subprocesses on their own port layouts, stop them with the signals a user's
machine sends (SIGTERM from ``timeout``/``kill``, SIGHUP from a closed terminal, SIGKILL), and
check the recorded process groups (``.localcloud/groups``) are gone and the ports free.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from infra.localcloud import ROOT, STATE_DIR, TEST_PORTS, Ports, group_members, port_open, records

pytestmark = pytest.mark.emulators

BASE_OFFSET = TEST_PORTS.firestore - Ports().firestore
DEMO_OFFSET = BASE_OFFSET + 50  # beside this run's emulators, never on them
LAUNCHER_OFFSET = BASE_OFFSET + 60
PYTEST_OFFSET = BASE_OFFSET + 75
ENV = {**os.environ, "PYTHONPATH": f"{ROOT / 'functions'}{os.pathsep}{ROOT}", "PYTHONUNBUFFERED": "1"}


def start(argv: list[str], **env: str) -> subprocess.Popen:
    """A launcher in its own session, its output piped (not a terminal) and read by a thread."""
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**ENV, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    proc.lines = []  # type: ignore[attr-defined]
    threading.Thread(target=lambda: proc.lines.extend(proc.stdout), daemon=True).start()
    return proc


def wait_for_line(proc: subprocess.Popen, needle: str, timeout_s: float) -> None:
    """Wait until the launcher printed a line holding ``needle``; bounded in time."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(needle in line for line in proc.lines):
            return
        if proc.poll() is not None:
            time.sleep(0.5)  # the reader thread catches up with the last lines
            break
        time.sleep(0.2)
    if proc.poll() is None:
        stop(proc, signal.SIGTERM)
    raise AssertionError(
        f"no line with {needle!r} within {timeout_s}s; output:\n" + "".join(proc.lines[-40:])
    )


def owned_by(pid: int, state_dir: Path = STATE_DIR) -> list[dict]:
    return [rec for _, rec in records(state_dir) if rec.get("owner_pid") == pid]


def used_ports(ports: Ports) -> list[int]:
    return [p for p in vars(ports).values() if port_open(p)]


def assert_all_gone(groups: list[dict], ports: Ports, owner: int, state_dir: Path, timeout_s: float = 30):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        alive = [g["name"] for g in groups if group_members(int(g["pgid"]))]
        if not alive and not owned_by(owner, state_dir) and not used_ports(ports):
            return
        time.sleep(0.25)
    raise AssertionError(
        f"still running: {alive}; records left: {[r['name'] for r in owned_by(owner, state_dir)]}; "
        f"ports in use: {used_ports(ports)}"
    )


def stop(proc: subprocess.Popen, sig: int, timeout_s: float = 60) -> int:
    os.kill(proc.pid, sig)
    try:
        return proc.wait(timeout_s)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_piped_demo_serves_then_sigterm_stops_everything_it_started():
    """``make demo | tee`` used to exit at once (stdin not a terminal); ``timeout make demo`` left
    every emulator, function and stand-in running."""
    ports = Ports().shifted(DEMO_OFFSET)
    proc = start(
        [sys.executable, "-m", "infra.demo"],
        ADUAN_DEMO_PORT_OFFSET=str(DEMO_OFFSET),
        ADUAN_DEMO_POSTS="20",
        ADUAN_DEMO_SERVE_S="300",
    )
    wait_for_line(proc, "serving for up to 300 s", timeout_s=300)
    groups = owned_by(proc.pid)
    names = {g["name"] for g in groups}
    assert {"firestore", "pubsub", "xsim", "smtp", "classify_mention", "status_page", "guard"} <= names
    assert any(n.startswith("relay-") for n in names)
    assert port_open(ports.status)
    assert stop(proc, signal.SIGTERM) == 128 + signal.SIGTERM
    assert_all_gone(groups, ports, proc.pid, STATE_DIR)


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGKILL], ids=["SIGHUP", "SIGKILL"])
def test_launcher_stopped_by_a_closed_terminal_or_killed_leaves_nothing(tmp_path, sig):
    """SIGHUP runs the launcher's own cleanup; SIGKILL cannot be caught, so its guard does it."""
    ports = Ports().shifted(LAUNCHER_OFFSET)
    argv = [sys.executable, "-m", "infra.localcloud", "up", "--port-offset", str(LAUNCHER_OFFSET)]
    proc = start(
        [*argv, "--state-dir", str(tmp_path), *(["--with-functions"] if sig == signal.SIGHUP else [])]
    )
    wait_for_line(proc, "local cloud up", timeout_s=180)
    groups = owned_by(proc.pid, tmp_path)
    assert {"firestore", "pubsub", "guard"} <= {g["name"] for g in groups}
    code = stop(proc, sig)
    assert code == (128 + signal.SIGHUP if sig == signal.SIGHUP else -signal.SIGKILL)
    assert_all_gone(groups, ports, proc.pid, tmp_path)


def test_a_new_run_reclaims_the_ports_a_dead_launcher_left(tmp_path):
    """The next run used to fail on a busy port and ask for ``make down``. Launcher and guard both
    SIGKILLed: the emulators are orphans; the next launcher on the same checkout stops them first."""
    ports = Ports().shifted(LAUNCHER_OFFSET)
    argv = [sys.executable, "-m", "infra.localcloud", "up", "--port-offset", str(LAUNCHER_OFFSET)]
    first = start([*argv, "--state-dir", str(tmp_path)])
    wait_for_line(first, "local cloud up", timeout_s=180)
    orphans = owned_by(first.pid, tmp_path)
    guard = next(g for g in orphans if g["name"] == "guard")
    os.killpg(int(guard["pgid"]), signal.SIGKILL)
    assert stop(first, signal.SIGKILL) == -signal.SIGKILL
    assert port_open(ports.firestore) and port_open(ports.pubsub)  # orphans hold the ports
    second = start([*argv, "--state-dir", str(tmp_path)])
    try:
        wait_for_line(second, "local cloud up", timeout_s=180)
        assert any("stopped what an earlier run left behind" in line for line in second.lines)
        assert not [g["name"] for g in orphans if group_members(int(g["pgid"]))]
        assert not owned_by(first.pid, tmp_path)
    finally:
        stop(second, signal.SIGTERM)
    assert_all_gone(owned_by(second.pid, tmp_path), ports, second.pid, tmp_path)


def test_down_stops_only_what_this_checkout_started(tmp_path):
    """The old ``make down`` ran ``pkill -f 'cloud-firestore-emulator|…|functions_framework'``: it
    killed every checkout's emulators. A look-alike group this checkout did not start survives."""
    look_alike = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; time.sleep(120)",
            "functions_framework",
            "cloud-firestore-emulator",
        ],
        start_new_session=True,
    )
    ports = Ports().shifted(LAUNCHER_OFFSET)
    argv = [sys.executable, "-m", "infra.localcloud", "up", "--port-offset", str(LAUNCHER_OFFSET)]
    proc = start([*argv, "--state-dir", str(tmp_path)])
    try:
        wait_for_line(proc, "local cloud up", timeout_s=180)
        groups = owned_by(proc.pid, tmp_path)
        down = subprocess.run(
            [sys.executable, "-m", "infra.localcloud", "down", "--state-dir", str(tmp_path)],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert down.returncode == 0, down.stderr
        assert f"stopped {len(groups)} process group(s)" in down.stdout
        assert_all_gone(groups, ports, proc.pid, tmp_path)
        assert look_alike.poll() is None, "down stopped a process this checkout did not start"
    finally:
        look_alike.kill()
        look_alike.wait(5)
        stop(proc, signal.SIGTERM)


def test_a_stale_record_never_stops_a_process_that_is_not_ours(tmp_path):
    """A record whose group id was recycled by an unrelated process: the marker check spares it."""
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        (tmp_path / "groups").mkdir()
        record = {"name": "firestore", "port": None, "pgid": stranger.pid, "owner_pid": 1, "owner_start": "0"}
        (tmp_path / "groups" / "firestore-stale.json").write_text(json.dumps(record))
        down = subprocess.run(
            [sys.executable, "-m", "infra.localcloud", "down", "--state-dir", str(tmp_path)],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "stopped 0 process group(s)" in down.stdout
        assert stranger.poll() is None
        assert not list((tmp_path / "groups").iterdir())  # the stale record is dropped
    finally:
        stranger.kill()
        stranger.wait(5)


def test_pytest_stopped_by_sigterm_tears_its_emulators_down():
    """``timeout make test`` or a cancelled CI job: pytest's fixtures must still stop the emulators."""
    ports = Ports().shifted(PYTEST_OFFSET)
    proc = start(
        [sys.executable, "-m", "pytest", "-s", "-q", "-p", "no:cacheprovider", "tests/signal_target.py"],
        ADUAN_TEST_PORT_OFFSET=str(PYTEST_OFFSET),
    )
    wait_for_line(proc, "emulators up", timeout_s=180)
    groups = owned_by(proc.pid)
    assert {"firestore", "pubsub"} <= {g["name"] for g in groups}
    assert stop(proc, signal.SIGTERM) == pytest.ExitCode.INTERRUPTED  # torn down, not just killed
    assert_all_gone(groups, ports, proc.pid, STATE_DIR)
