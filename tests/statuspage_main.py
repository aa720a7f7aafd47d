"""The ``status_page`` entry point exactly as ``functions/main.py`` declares it, for tests run before it lands there."""

from __future__ import annotations

import os

import functions_framework

from aduan.adapters.config_files import load_config
from aduan.settings import Settings
from infra.localcloud import ROOT

SETTINGS = Settings.from_env(os.environ, ROOT / "config")
CONFIG = load_config(SETTINGS.config_dir)


@functions_framework.http
def status_page(request):
    from aduan.statuspage import app

    return app.handle(request, SETTINGS, CONFIG, os.environ)
