"""Preview a digest without sending it: ``python -m aduan.digest --agency ID [--week 2026-W48 | --day
2026-11-30] --out DIR`` (default: the period the agency's next digest covers).

Reads the reports from Firestore (``GOOGLE_CLOUD_PROJECT``, and ``FIRESTORE_EMULATOR_HOST``
locally) and writes ``<agency>-<week>.eml``, ``.html`` and ``.txt`` for an administrator to open.
``--resubscribe AGENCY ADDRESS`` instead deletes an address's opt-out, so next week's digest reaches it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path

from aduan import names
from aduan.adapters.config_files import load_config
from aduan.config import ConfigError
from aduan.digest import job
from aduan.digest.week import Day, IsoWeek

REPO_CONFIG = Path(__file__).resolve().parents[3] / "config"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aduan.digest", description=__doc__.splitlines()[0])
    parser.add_argument("--agency", help="agency id from config/agencies.yaml")
    parser.add_argument("--week", help="ISO week, e.g. 2026-W48 (default: last week in WIB)")
    parser.add_argument(
        "--day", help="a day, e.g. 2026-11-30, for a daily digest (default: yesterday in WIB)"
    )
    parser.add_argument("--out", type=Path, help="folder for the .eml, .html and .txt")
    parser.add_argument(
        "--config", type=Path, default=Path(os.environ.get(names.ENV_CONFIG_DIR) or REPO_CONFIG)
    )
    parser.add_argument(
        "--resubscribe", nargs=2, metavar=("AGENCY", "ADDRESS"), help="undo ADDRESS's unsubscribe"
    )
    args = parser.parse_args(argv)

    from google.cloud import firestore

    from aduan.adapters.firestore_digest import FirestoreDigestSource
    from aduan.adapters.firestore_optouts import FirestoreOptOuts

    db = firestore.Client(project=os.environ.get(names.ENV_PROJECT) or None)
    if args.resubscribe:
        agency_id, address = args.resubscribe
        removed = FirestoreOptOuts(db).remove(agency_id, address)
        print(
            f"{address} {'re-subscribed to' if removed else 'had not unsubscribed from'} {agency_id}'s digest"
        )
        return 0
    if not (args.agency and args.out):
        parser.error("--agency and --out are required to preview a digest")

    try:
        config = load_config(args.config)
        # A preview sends nothing: a throwaway key signs its links unless the real one is set.
        preview_env = {
            names.ENV_SMTP_HOST: "127.0.0.1",
            names.ENV_LINK_SIGNING_KEY: secrets.token_urlsafe(32),
        }
        mail = job.MailSettings.from_env({**preview_env, **os.environ})
        now = datetime.now(UTC)
        agency = config.agencies.get(args.agency or "")
        if agency is None:
            raise ValueError(f"no agency {args.agency!r} in {args.config / 'agencies.yaml'}")
        if args.day or (agency.digest_frequency == "daily" and not args.week):
            week: IsoWeek | Day = Day.parse(args.day) if args.day else Day.previous_to(now)
        else:
            week = IsoWeek.parse(args.week) if args.week else IsoWeek.previous_to(now)
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    source = FirestoreDigestSource(db)
    digest = job.gather(agency, config, week, now, source, job.links_for(mail, agency, now))
    recipient = agency.recipients[0]
    message = job.messages_for(agency, digest, mail, week, now, [recipient])[recipient]
    html, text = (message.get_body(preferencelist=(kind,)).get_content() for kind in ("html", "plain"))
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{agency.id}-{week}"
    stem.with_suffix(".eml").write_bytes(message.as_bytes())
    stem.with_suffix(".html").write_text(html, encoding="utf-8")
    stem.with_suffix(".txt").write_text(text, encoding="utf-8")
    print(
        f"{stem}.eml, .html, .txt: {digest.new_total} new reports, {len(html.encode())} bytes of HTML, "
        f"{source.reads} Firestore reads"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
