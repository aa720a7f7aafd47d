"""The local cloud: the real Firestore and Pub/Sub emulators, production's topics and
subscriptions, functions-framework processes behind push subscriptions, the X API
simulator — started together and stopped together.

Every process starts in its own session (``setsid``) and is stopped by process
group: stopping only the gcloud wrapper would leave the emulator's Java running.
Everything listens on 127.0.0.1 only. Ports (``Ports``) are fixed and documented
in the README; tests use the same layout shifted by 100 so they can run beside a demo.

    python -m infra.localcloud up      # start and wait (Ctrl-C stops everything)
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
STATE_DIR = ROOT / ".localcloud"
HOST = "127.0.0.1"


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


DEMO_PORTS = Ports()
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


@dataclass
class Service:
    name: str
    proc: subprocess.Popen
    log: Path

    def stop(self, timeout_s: float = 10.0) -> None:
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


@dataclass
class LocalCloud:
    """Starts and stops the local cloud; ``env`` is what clients and functions need to find it."""

    project: str = "demo-aduan"
    ports: Ports = DEMO_PORTS
    state_dir: Path = STATE_DIR
    services: dict[str, Service] = field(default_factory=dict)

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

    def _spawn(self, name: str, argv: list[str], port: int, env: dict[str, str] | None = None) -> Service:
        if port_open(port):
            raise RuntimeError(
                f"port {port} for {name} is already in use on {HOST}; "
                f"stop what is running there (make down) and retry"
            )
        self.state_dir.mkdir(parents=True, exist_ok=True)
        log = self.state_dir / f"{name}-{port}.log"  # port-qualified: a demo and test runs can coexist
        out = log.open("wb")
        proc = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1", **(env or {})},
            start_new_session=True,
            cwd=ROOT,
        )
        out.close()
        service = Service(name, proc, log)
        self.services[name] = service
        return service

    # -- emulators ---------------------------------------------------------------------------

    def start_emulators(self) -> None:
        pubsub_data = self.state_dir / f"pubsub-{self.ports.pubsub}"
        pubsub_data.mkdir(parents=True, exist_ok=True)
        fs = self._spawn(
            "firestore",
            ["gcloud", "emulators", "firestore", "start", f"--host-port={HOST}:{self.ports.firestore}"],
            self.ports.firestore,
        )
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
            lambda: http_ok(f"http://{HOST}:{self.ports.firestore}/"),
            "Firestore emulator",
            90,
            fs.proc,
            fs.log,
        )
        wait_until(
            lambda: http_ok(f"http://{HOST}:{self.ports.pubsub}/"), "Pub/Sub emulator", 90, ps.proc, ps.log
        )
        os.environ.update({k: v for k, v in self.env.items() if k.endswith("EMULATOR_HOST")})

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
        svc = self._spawn(name or target, argv, port, env)
        wait_until(lambda: port_open(port), f"function {target}", 30, svc.proc, svc.log)
        return svc

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
        for service in reversed(list(self.services.values())):
            service.stop()
        self.services.clear()

    def __enter__(self) -> LocalCloud:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str]) -> int:
    if argv[:1] != ["up"]:
        print(__doc__)
        return 2
    cloud = LocalCloud()
    try:
        cloud.start_emulators()
        from infra.wiring import wire_pubsub

        wire_pubsub(cloud)
        print("local cloud up:")
        for key, value in cloud.env.items():
            print(f"  export {key}={value}")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
