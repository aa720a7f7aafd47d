"""Preview a digest without sending it: ``python -m aduan.digest --agency ID [--week 2026-W48] --out DIR``.

Reads the reports from Firestore (``GOOGLE_CLOUD_PROJECT``, and ``FIRESTORE_EMULATOR_HOST``
locally) and writes ``<agency>-<week>.eml``, ``.html`` and ``.txt`` for an administrator to open.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from aduan import names
from aduan.adapters.config_files import load_config
from aduan.config import ConfigError
from aduan.digest import job, render
from aduan.digest.week import IsoWeek

REPO_CONFIG = Path(__file__).resolve().parents[3] / "config"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aduan.digest", description=__doc__.splitlines()[0])
    parser.add_argument("--agency", required=True, help="agency id from config/agencies.yaml")
    parser.add_argument("--week", help="ISO week, e.g. 2026-W48 (default: last week in WIB)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the .eml, .html and .txt")
    parser.add_argument(
        "--config", type=Path, default=Path(os.environ.get(names.ENV_CONFIG_DIR) or REPO_CONFIG)
    )
    args = parser.parse_args(argv)

    from google.cloud import firestore

    from aduan.adapters.firestore_digest import FirestoreDigestSource

    try:
        config = load_config(args.config)
        mail = job.MailSettings.from_env({names.ENV_SMTP_HOST: "127.0.0.1", **os.environ})
        now = datetime.now(UTC)
        week = IsoWeek.parse(args.week) if args.week else IsoWeek.previous_to(now)
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    agency = config.agencies.get(args.agency)
    if agency is None:
        print(f"error: no agency {args.agency!r} in {args.config / 'agencies.yaml'}", file=sys.stderr)
        return 2
    source = FirestoreDigestSource(firestore.Client(project=os.environ.get(names.ENV_PROJECT) or None))
    digest = job.gather(agency, config, week, now, source, job.links_for(mail, agency, now))
    rendered = render.render(digest)
    message = next(iter(job.messages_for(agency, rendered, mail, week, now).values()))
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{agency.id}-{week}"
    stem.with_suffix(".eml").write_bytes(message.as_bytes())
    stem.with_suffix(".html").write_text(rendered.html, encoding="utf-8")
    stem.with_suffix(".txt").write_text(rendered.text, encoding="utf-8")
    print(
        f"{stem}.eml, .html, .txt: {digest.new_total} new reports, {len(rendered.html.encode())} bytes of HTML, "
        f"{source.reads} Firestore reads"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
