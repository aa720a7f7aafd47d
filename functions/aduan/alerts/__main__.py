"""Print an agency's alert-webhook key, for the agency's receiver: ``python -m aduan.alerts key AGENCY``.

The key derives from ``ADUAN_WEBHOOK_SIGNING_KEY`` (read from the environment here, by the
administrator's shell) and the agency id; rotating the master secret rotates every agency's key.
"""

from __future__ import annotations

import argparse
import os
import sys

from aduan import names
from aduan.alerts import webhook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aduan.alerts", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["key"])
    parser.add_argument("agency", help="agency id from config/agencies.yaml")
    args = parser.parse_args(argv)
    master = os.environ.get(names.ENV_WEBHOOK_SIGNING_KEY, "").strip()
    if len(master) < 32:
        print(
            f"error: {names.ENV_WEBHOOK_SIGNING_KEY} must hold the webhook secret (≥ 32 characters)",
            file=sys.stderr,
        )
        return 2
    print(webhook.agency_key(master, args.agency))
    return 0


if __name__ == "__main__":
    sys.exit(main())
