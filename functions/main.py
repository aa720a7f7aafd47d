"""Aduan's Cloud Functions entry points: parse the trigger, call the package, return.

Configuration is loaded and validated when this module is imported, so a bad
``config/`` or environment stops the instance at start-up with a message naming
the file, the item and the field; what only one function reads (vocabulary,
mail settings, signing key) is checked for the function this instance serves
(``aduan.startup``). Everything else is imported on first use (cold start).
"""

from __future__ import annotations

import os
from pathlib import Path

import functions_framework

from aduan.adapters.config_files import load_config
from aduan.settings import Settings
from aduan.startup import prepare

HERE = Path(__file__).resolve().parent
# Deployed, config/ sits beside main.py; in the repository it is one level up.
DEFAULT_CONFIG_DIR = HERE / "config" if (HERE / "config").is_dir() else HERE.parent / "config"

SETTINGS = Settings.from_env(os.environ, DEFAULT_CONFIG_DIR)
CONFIG = load_config(SETTINGS.config_dir)
prepare(os.environ.get("FUNCTION_TARGET", ""), SETTINGS, CONFIG, os.environ)


@functions_framework.http
def fetch_mentions(request):
    """Cloud Scheduler, every few minutes: poll X for every agency account and publish new posts."""
    from aduan import fetch_job

    return fetch_job.run(SETTINGS, CONFIG), 200


@functions_framework.cloud_event
def classify_mention(event):
    """Pub/Sub push (or Eventarc): classify one post, route it and file it once."""
    from aduan import classify_job

    classify_job.handle(event.data, SETTINGS, CONFIG, env=os.environ)


@functions_framework.http
def send_digests(request):
    """Cloud Scheduler, daily 07:00 WIB: weekly digests on Mondays, daily ones every day; each sent once.

    POST only: it sends e-mail, so a GET (a health probe, a crawler, a prefetch) must not."""
    if request.method != "POST":
        return "send_digests takes POST only\n", 405, {"Allow": "POST"}
    from aduan.digest import job

    return job.run(
        SETTINGS, CONFIG, os.environ, week=request.args.get("week"), day=request.args.get("day")
    ), 200


if os.environ.get("FUNCTION_TARGET") == "status_page":

    @functions_framework.errorhandler(404)
    def not_routed(error):
        """functions-framework answers some paths itself with a 404 (/robots.txt, /favicon.ico, a path
        with a newline); this documented hook hands them to the status page, which serves or refuses
        them in the right format (an Open311 path gets the spec's error, not an HTML page)."""
        from flask import request

        from aduan.statuspage import app

        return app.handle(request, SETTINGS, CONFIG, os.environ)


@functions_framework.http
def status_page(request):
    """Public: the status site, the Open311 GeoReport v2 API and the agencies' signed action pages."""
    from aduan.statuspage import app

    return app.handle(request, SETTINGS, CONFIG, os.environ)


@functions_framework.cloud_event
def send_replies(event):
    """Pub/Sub push: post one reply (acknowledgement or the agency's answer) on the citizen's channel, once."""
    from aduan.replies import job

    job.handle(event.data, SETTINGS, CONFIG, os.environ)
@functions_framework.http
def train_classifier(request):
    """Cloud Scheduler, weekly: retrain the classifier from agencies' corrections; publish only if not worse."""
    from aduan import train_job

    return train_job.run(SETTINGS, CONFIG), 200
