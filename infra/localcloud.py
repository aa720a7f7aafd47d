"""The local cloud: the real Firestore and Pub/Sub emulators, production's topics and
subscriptions, functions-framework processes behind push subscriptions, the X API
simulator — started together and stopped together.

Every process starts in its own session (``setsid``) and is stopped by process
group: stopping only the gcloud wrapper would leave the emulator's Java running.
Each group is recorded in the state directory (``.localcloud/groups/``) and every
process carries the marker ``ADUAN_LOCALCLOUD=<state dir>`` in its environment, so
``down`` stops exactly what this checkout started — never another checkout's
emulators, whatever their names. A small guard process per launcher stops the
launcher's groups if the launcher dies without stopping them (``kill -9``).
SIGTERM, SIGHUP and SIGINT stop everything (``stopping_on_signals``).

Everything listens on 127.0.0.1 only. Ports (``Ports``) are fixed and documented
in the README; tests use the same layout shifted by 100 so they can run beside a demo.

    python -m infra.localcloud up      # start and wait (Ctrl-C, SIGTERM or SIGHUP stops everything)
    python -m infra.localcloud down    # stop what this checkout's launchers left running
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
STATE_DIR = ROOT / ".localcloud"
HOST = "127.0.0.1"
MARKER = "ADUAN_LOCALCLOUD"  # environment variable every started process carries: its state dir
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


@dataclass(frozen=True)
class Ports:
    firestore: int = 8681
    pubsub: int = 8685
    xsim: int = 8689
    classify: int = 8690
    fetch: int = 8691
    digests: int = 8692
    status: int = 8693
    replies: int = 8694  # send_replies (push target of the replies subscription)
    train: int = 8695  # train_classifier
    webhook: int = 8696  # a local receiver for agencies' alert webhooks (tests, demo)
    smtp: int = 8025

    def shifted(self, offset: int) -> Ports:
        return Ports(**{k: v + offset for k, v in vars(self).items()})


DEMO_PORTS = Ports().shifted(int(os.environ.get("ADUAN_DEMO_PORT_OFFSET", "0")))
TEST_PORTS = Ports().shifted(int(os.environ.get("ADUAN_TEST_PORT_OFFSET", "100")))


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex((HOST, port)) == 0


def wait_until(
    check, what: str, timeout_s: float, proc: subprocess.Popen | None = None, log: Path | None = None
):
    """Poll ``check`` until true; fail with the process's log when it died or time ran out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not become ready within {timeout_s}s\n{tail}")


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=1) as r:  # noqa: S310 - loopback only
        return r.status == 200


# -- processes: groups, records, markers (Linux /proc) ----------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name: [state, ppid, pgrp, ...], or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot: with the pid, it names one process."""
    fields = _stat(pid)
    return fields[19] if fields else None


def alive(pid: int, started: str | None) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z" and (started is None or fields[19] == started)


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[2] == str(pgid) and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def carries_marker(pid: int, value: str) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return f"{MARKER}={value}".encode() in environ.split(b"\0")


def stop_group(pgid: int, marker: str, timeout_s: float = 10.0) -> bool:
    """SIGTERM, then SIGKILL, the process group ``pgid`` — only if one of its processes carries
    this state dir's marker (a recycled group id belongs to somebody else). True when it was ours."""
    if not any(carries_marker(pid, marker) for pid in group_members(pgid)):
        return False
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and group_members(pgid):
            time.sleep(0.05)
        if not group_members(pgid):
            break
    return True


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies (``make`` killed by a signal
    does not pass it on to the recipe it runs). Best effort: a no-op where prctl is missing."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(sig), 0, 0, 0)  # PR_SET_PDEATHSIG


class Stopped(BaseException):
    """Raised by ``stopping_on_signals`` so every ``finally`` runs and the cloud is stopped."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


@contextlib.contextmanager
def stopping_on_signals(signals: tuple[int, ...] = STOP_SIGNALS) -> Iterator[None]:
    """Turn SIGTERM/SIGHUP/SIGINT (``timeout``, a closed terminal, Ctrl-C) into ``Stopped``; later
    signals are ignored so that the cleanup they triggered is not itself interrupted."""

    def handler(signum: int, _frame) -> None:
        for s in signals:
            signal.signal(s, signal.SIG_IGN)
        raise Stopped(signum)

    previous = {s: signal.signal(s, handler) for s in signals}
    die_with_parent()
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def run_stoppable(main, *args) -> int:
    """``main(*args)`` under ``stopping_on_signals``: a signal ends it through every ``finally``
    (so each LocalCloud it started is stopped), with exit status 128 + the signal's number."""
    try:
        with stopping_on_signals():
            return main(*args) or 0
    except Stopped as stop:
        print(f"{stop}; everything started is stopped", file=sys.stderr, flush=True)
        return 128 + stop.signum


# -- records -----------------------------------------------------------------------------------------


def groups_dir(state_dir: Path) -> Path:
    return state_dir / "groups"


def records(state_dir: Path) -> list[tuple[Path, dict]]:
    found = []
    for path in sorted(groups_dir(state_dir).glob("*.json")):
        with contextlib.suppress(OSError, ValueError):
            found.append((path, json.loads(path.read_text())))
    return found


def stop_recorded(state_dir: Path, only_orphans: bool = False, owner: int | None = None) -> list[str]:
    """Stop the recorded groups of ``state_dir`` (all, an owner's, or those whose owner died);
    the names of the groups stopped."""
    marker = str(state_dir.resolve())
    stopped = []
    # Guards last: a guard told to stop would race this loop for its owner's groups.
    for path, rec in sorted(records(state_dir), key=lambda r: r[1].get("name") == "guard"):
        if owner is not None and rec.get("owner_pid") != owner:
            continue
        if only_orphans and alive(rec.get("owner_pid", 0), rec.get("owner_start")):
            continue
        if stop_group(int(rec["pgid"]), marker):
            stopped.append(f"{rec['name']} (group {rec['pgid']})")
        path.unlink(missing_ok=True)
    return stopped


@dataclass
class Service:
    name: str
    proc: subprocess.Popen
    log: Path
    record: Path | None = None
    marker: str = ""

    def stop(self, timeout_s: float = 10.0) -> None:
        if self.marker:
            stop_group(self.proc.pid, self.marker, timeout_s)
        else:  # not started by LocalCloud._spawn: its leader only
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        if self.record is not None:
            self.record.unlink(missing_ok=True)


def _record(path: Path, name: str, port: int | None, pgid: int, argv: list[str], log: Path) -> None:
    owner = os.getpid()
    path.write_text(
        json.dumps(
            {
                "name": name,
                "port": port,
                "pgid": pgid,
                "argv": argv,
                "log": str(log),
                "owner_pid": owner,
                "owner_start": start_time(owner),
            }
        )
    )


_GUARDS: dict[Path, Service] = {}


def start_guard(state_dir: Path) -> Service:
    """One guard per launcher process and state dir (``python -m infra.localcloud guard``): when this
    process ends however it ends — SIGKILL included — the guard stops every group it recorded."""
    key = state_dir.resolve()
    if key in _GUARDS and _GUARDS[key].proc.poll() is None:
        return _GUARDS[key]
    owner, marker = os.getpid(), str(key)
    argv = [sys.executable, "-m", "infra.localcloud", "guard", "--owner", str(owner), "--state-dir", marker]
    log = state_dir / f"guard-{owner}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT), MARKER: marker},
            start_new_session=True,
            cwd=ROOT,
        )
    record = groups_dir(state_dir) / f"guard-{owner}-{proc.pid}.json"
    _record(record, "guard", None, proc.pid, argv, log)
    if not _GUARDS:
        atexit.register(stop_guards)
    _GUARDS[key] = Service("guard", proc, log, record, marker)
    return _GUARDS[key]


def stop_guards() -> None:
    """At a normal exit: the guards have nothing left to watch."""
    while _GUARDS:
        _GUARDS.popitem()[1].stop()


@dataclass
class LocalCloud:
    """Starts and stops the local cloud; ``env`` is what clients and functions need to find it."""

    project: str = "demo-aduan"
    ports: Ports = DEMO_PORTS
    state_dir: Path = STATE_DIR
    services: dict[str, Service] = field(default_factory=dict)
    guard: bool = True  # a guard process stops this process's groups if it dies without stopping them

    @property
    def env(self) -> dict[str, str]:
        return {
            "FIRESTORE_EMULATOR_HOST": f"{HOST}:{self.ports.firestore}",
            "PUBSUB_EMULATOR_HOST": f"{HOST}:{self.ports.pubsub}",
            "GOOGLE_CLOUD_PROJECT": self.project,
            "X_API_BASE_URL": f"http://{HOST}:{self.ports.xsim}",
            "X_BEARER_TOKEN": "local-simulator-token",
            "ADUAN_SMTP_HOST": HOST,
            "ADUAN_SMTP_PORT": str(self.ports.smtp),
            "ADUAN_STATUS_BASE_URL": f"http://{HOST}:{self.ports.status}",
            # Urgent alerts need an SMTP server listening: tests and the demo that show them turn them on.
            "ADUAN_ALERTS": "off",
        }

    @property
    def marker(self) -> str:
        return str(self.state_dir.resolve())

    def _claim_port(self, name: str, port: int) -> None:
        """Free ``port`` of what this checkout's dead launchers left, or say who holds it."""
        if not port_open(port):
            return
        reclaimed = stop_recorded(self.state_dir, only_orphans=True)
        if reclaimed:
            print(f"stopped what an earlier run left behind: {', '.join(reclaimed)}", file=sys.stderr)
            with contextlib.suppress(RuntimeError):
                wait_until(lambda: not port_open(port), f"port {port} to be free", 10)
        if not port_open(port):
            return
        ours = [r for _, r in records(self.state_dir) if r.get("port") == port]
        holder = (
            f"this checkout's {ours[0]['name']}, started by process {ours[0]['owner_pid']}, which is still "
            f"running (stop it, or run `make down`)"
            if ours
            else "a program this checkout did not start (another checkout's demo or tests?); stop it "
            "there, or shift these ports (ADUAN_DEMO_PORT_OFFSET, ADUAN_TEST_PORT_OFFSET)"
        )
        raise RuntimeError(f"port {port} for {name} is already in use on {HOST} by {holder}")

    def _spawn(
        self,
        name: str,
        argv: list[str],
        port: int | None,
        env: dict[str, str] | None = None,
        append_log: bool = False,
    ) -> Service:
        if port is not None:
            self._claim_port(name, port)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        groups_dir(self.state_dir).mkdir(exist_ok=True)
        if self.guard:
            start_guard(self.state_dir)
        stem = f"{name}-{port}" if port is not None else f"{name}-{self.project}"
        log = self.state_dir / f"{stem}.log"  # port-qualified: a demo and test runs can coexist
        out = log.open("ab" if append_log else "wb")
        proc = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1", **(env or {}), MARKER: self.marker},
            start_new_session=True,
            cwd=ROOT,
        )
        out.close()
        record = groups_dir(self.state_dir) / f"{stem}-{proc.pid}.json"
        _record(record, name, port, proc.pid, argv, log)
        service = Service(name, proc, log, record, self.marker)
        self.services[name] = service
        return service

    # -- emulators ---------------------------------------------------------------------------

    def _firestore_argv(self) -> list[str]:
        return ["gcloud", "emulators", "firestore", "start", f"--host-port={HOST}:{self.ports.firestore}"]

    def _wait_firestore(self, service: Service) -> None:
        wait_until(
            lambda: http_ok(f"http://{HOST}:{self.ports.firestore}/"),
            "Firestore emulator",
            90,
            service.proc,
            service.log,
        )

    def start_emulators(self) -> None:
        fs = self._spawn("firestore", self._firestore_argv(), self.ports.firestore)
        self.start_pubsub()
        self._wait_firestore(fs)
        os.environ.update({k: v for k, v in self.env.items() if k.endswith("EMULATOR_HOST")})

    def start_pubsub(self) -> Service:
        """The Pub/Sub emulator alone (started with the Firestore one by ``start_emulators``)."""
        pubsub_data = self.state_dir / f"pubsub-{self.ports.pubsub}"
        pubsub_data.mkdir(parents=True, exist_ok=True)
        ps = self._spawn(
            "pubsub",
            [
                "gcloud",
                "beta",
                "emulators",
                "pubsub",
                "start",
                f"--host-port={HOST}:{self.ports.pubsub}",
                f"--data-dir={pubsub_data}",
            ],
            self.ports.pubsub,
        )
        wait_until(
            lambda: http_ok(f"http://{HOST}:{self.ports.pubsub}/"), "Pub/Sub emulator", 90, ps.proc, ps.log
        )
        os.environ["PUBSUB_EMULATOR_HOST"] = f"{HOST}:{self.ports.pubsub}"
        return ps

    def stop_firestore(self) -> None:
        """Really stop the Firestore emulator: every process of its group; its in-memory data is lost."""
        self.services.pop("firestore").stop()

    def start_firestore(self) -> None:
        """Start the Firestore emulator again on the same port (empty), its log appended to."""
        self._wait_firestore(
            self._spawn("firestore", self._firestore_argv(), self.ports.firestore, None, True)
        )

    def reset_firestore(self, project: str | None = None) -> None:
        url = (
            f"http://{HOST}:{self.ports.firestore}/emulator/v1/projects/{project or self.project}"
            f"/databases/(default)/documents"
        )
        req = urllib.request.Request(url, method="DELETE")
        with urllib.request.urlopen(req, timeout=10):  # noqa: S310 - loopback only
            pass

    # -- functions and simulator ---------------------------------------------------------------

    def start_function(
        self,
        target: str,
        port: int,
        extra_env: dict[str, str] | None = None,
        source: Path = FUNCTIONS_DIR / "main.py",
        name: str | None = None,
        append_log: bool = False,
    ) -> Service:
        """A functions-framework process serving ``target`` from ``source`` on 127.0.0.1:``port``."""
        argv = [
            sys.executable,
            "-m",
            "functions_framework",
            "--target",
            target,
            "--source",
            str(source),
            "--host",
            HOST,
            "--port",
            str(port),
        ]
        env = {**self.env, "PYTHONPATH": f"{FUNCTIONS_DIR}{os.pathsep}{ROOT}", **(extra_env or {})}
        svc = self._spawn(name or target, argv, port, env, append_log)
        wait_until(lambda: port_open(port), f"function {target}", 30, svc.proc, svc.log)
        return svc

    def start_relay(self, name: str, subscription: str, endpoint: str, **options: float) -> Service:
        """The local push relay for ``subscription`` (see ``infra.pushrelay`` and ``infra.wiring``)."""
        argv = [
            sys.executable,
            "-m",
            "infra.pushrelay",
            "--subscription",
            subscription,
            "--endpoint",
            endpoint,
        ]
        for key, value in options.items():
            argv += [f"--{key.replace('_', '-')}", str(value)]
        env = {**self.env, "PYTHONPATH": f"{ROOT}{os.pathsep}{FUNCTIONS_DIR}"}
        return self._spawn(name, argv, None, env)

    def start_simulator(self, seed: int = 1, generate: int = 0) -> Service:
        argv = [
            sys.executable,
            "-m",
            "infra.xsim",
            "--port",
            str(self.ports.xsim),
            "--seed",
            str(seed),
            "--config",
            str(ROOT / "config"),
            "--generate",
            str(generate),
        ]
        svc = self._spawn("xsim", argv, self.ports.xsim, {"PYTHONPATH": f"{ROOT}:{FUNCTIONS_DIR}"})
        wait_until(lambda: port_open(self.ports.xsim), "X API simulator", 30, svc.proc, svc.log)
        return svc

    def start_smtp_sink(self, out: Path) -> Service:
        argv = [sys.executable, "-m", "infra.smtp_sink", "--port", str(self.ports.smtp), "--out", str(out)]
        svc = self._spawn("smtp", argv, self.ports.smtp, {"PYTHONPATH": f"{ROOT}:{FUNCTIONS_DIR}"})
        wait_until(lambda: port_open(self.ports.smtp), "SMTP sink", 30, svc.proc, svc.log)
        return svc

    def stop(self) -> None:
        """Stop every service, last started first; records are removed as their groups stop."""
        for service in reversed(list(self.services.values())):
            service.stop()
        self.services.clear()

    def __enter__(self) -> LocalCloud:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def guard(owner: int, state_dir: Path, poll_s: float = 0.5) -> int:
    """Wait until process ``owner`` ends (or this guard is told to stop), then stop the groups it
    recorded: a launcher killed with SIGKILL leaves nothing running for long."""
    owner_start = start_time(owner)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the owner's terminal closing is the owner's business
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(Stopped), stopping_on_signals((signal.SIGTERM,)):
        while alive(owner, owner_start):
            time.sleep(poll_s)
    own_pid = os.getpid()
    for path, rec in records(state_dir):
        if rec.get("owner_pid") == owner and rec.get("pgid") != own_pid:
            if stop_group(int(rec["pgid"]), str(state_dir.resolve())):
                print(
                    f"guard: stopped {rec['name']} (group {rec['pgid']}) left by process {owner}", flush=True
                )
            path.unlink(missing_ok=True)
    for path, rec in records(state_dir):
        if rec.get("pgid") == own_pid:
            path.unlink(missing_ok=True)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.localcloud", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("up", "down", "guard"))
    parser.add_argument("--state-dir", type=Path, default=STATE_DIR)
    parser.add_argument("--port-offset", type=int, default=None, help="shift the demo ports (up)")
    parser.add_argument("--owner", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--with-functions", action="store_true", help="up: also start the four functions")
    args = parser.parse_args(argv)
    if args.command == "guard":
        return guard(args.owner, args.state_dir)
    if args.command == "down":
        stopped = stop_recorded(args.state_dir)
        print(f"stopped {len(stopped)} process group(s) this checkout started" + (":" if stopped else ""))
        for name in stopped:
            print(f"  {name}")
        return 0
    ports = DEMO_PORTS if args.port_offset is None else Ports().shifted(args.port_offset)
    try:
        with stopping_on_signals(), LocalCloud(ports=ports, state_dir=args.state_dir) as cloud:
            cloud.start_emulators()
            from infra.wiring import wire_pubsub

            wire_pubsub(cloud)
            if args.with_functions:
                for target, port in (
                    ("classify_mention", ports.classify),
                    ("fetch_mentions", ports.fetch),
                    ("status_page", ports.status),
                ):
                    cloud.start_function(target, port, {"ADUAN_LINK_SIGNING_KEY": os.urandom(24).hex()})
            print("local cloud up:", flush=True)
            for key, value in cloud.env.items():
                print(f"  export {key}={value}", flush=True)
            while True:
                time.sleep(3600)
    except Stopped as stop:
        print(f"local cloud {stop}; everything it started is stopped", flush=True)
        return 128 + stop.signum


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
