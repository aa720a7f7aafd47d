"""Start-up checks per function: what only one function reads is validated when its instance starts.

functions-framework (and Cloud Run functions) set ``FUNCTION_TARGET`` before
importing ``main.py``; a mistake in the vocabulary, the mail settings or the
signing key then stops the instance before it takes a request — instead of
failing every request (or dead-lettering every post) afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping

from aduan import names
from aduan.config import Config
from aduan.settings import Settings


def prepare(target: str, settings: Settings, config: Config, env: Mapping[str, str]) -> None:
    if target == names.FETCH_MENTIONS:
        settings.require_x_token()
    elif target == names.CLASSIFY_MENTION:
        from aduan import classify_job

        classify_job.warm(settings, config, env)
    elif target == names.SEND_DIGESTS:
        from aduan.mail import MailSettings

        MailSettings.from_env(env)
    elif target == names.TRAIN_CLASSIFIER:
        from aduan import train_job

        train_job.prepare(settings, config)
    elif target == names.STATUS_PAGE:
        from aduan.statuspage import app

        app.prepare(settings, config, env)
    elif target == names.SEND_REPLIES:
        from aduan.replies import job

        job.prepare(settings, config, env)
