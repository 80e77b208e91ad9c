"""The SMTP connection on the MAIL_* settings, shared by every mail the app sends (the
respondent's links, survey.respondent.mail; the mail-outs, survey.invitations.mailer)."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app


@contextmanager
def connection() -> Iterator[smtplib.SMTP]:
    """An SMTP connection: STARTTLS and log-in as configured, closed (QUIT) afterwards.

    Raises ``OSError`` or ``smtplib.SMTPException`` when the server cannot be reached or
    refuses the log-in.
    """
    config = current_app.config
    with smtplib.SMTP(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config.get("MAIL_TIMEOUT", 10)
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        yield smtp
