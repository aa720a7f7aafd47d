"""``python -m infra.xsim --port 8689 --seed 1 --config config --generate 200``.

Runs the simulator in the foreground until SIGTERM or SIGINT; the local-cloud launcher
starts it this way and stops it by process group.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

import yaml

from infra.xsim.generator import DEFAULT_ACCOUNTS, Account, accounts_from_agencies
from infra.xsim.server import Simulator


def load_accounts(config_dir: Path | None) -> list[Account]:
    """The accounts of ``config_dir/agencies.yaml``, or the built-in sample without a config."""
    if config_dir is None:
        return list(DEFAULT_ACCOUNTS)
    with open(config_dir / "agencies.yaml", encoding="utf-8") as f:
        accounts = accounts_from_agencies(yaml.safe_load(f).get("agencies") or [])
    if not accounts:
        raise SystemExit(f"{config_dir / 'agencies.yaml'}: no agency has an X account")
    return accounts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.xsim", description="X API v2 simulator on 127.0.0.1"
    )
    parser.add_argument("--port", type=int, default=8689)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--config", type=Path, default=None, help="directory holding agencies.yaml")
    parser.add_argument(
        "--generate", type=int, default=0, help="posts to create at start, over the last hour"
    )
    args = parser.parse_args(argv)

    sim = Simulator(seed=args.seed, accounts=load_accounts(args.config))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    base_url = sim.start(port=args.port)
    if args.generate:
        sim.generate(args.generate)
    print(f"xsim listening on {base_url} ({args.generate} posts)", flush=True)
    stop.wait()
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
