"""E-mailing the resume and recovery links, when an SMTP server is configured; never fatal."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _

from survey.invitations.smtp import connection


def send_resume_link(to: str | None, link: str | None) -> bool:
    """Send the resume ``link`` to ``to``; False (and a log line) when mail is off or fails.

    The survey must go on without mail: the link is also shown on the page.
    """
    return _send(
        to,
        _("Your link to continue the digital readiness assessment"),
        _(
            "Thank you for taking part. Keep this link private: it lets you continue your "
            "assessment and see your result.\n\n%(link)s\n",
            link=link,
        ),
        link,
    )


def send_recovery_link(to: str, link: str) -> bool:
    """Send a one-time recovery link (see ``survey.respondent.recovery``)."""
    return _send(
        to,
        _("A new link to your digital readiness assessment"),
        _(
            "Someone asked for a new link to your enterprise's assessment. The link below works "
            "once, within 24 hours; opening it ends every earlier link and session. If you did "
            "not ask for it, you can ignore this message.\n\n%(link)s\n",
            link=link,
        ),
        link,
    )


def send_link_from_staff(to: str, link: str) -> bool:
    """Send the recovery link staff issued from the response's page (the firm asked them)."""
    return _send(
        to,
        _("Your link to the digital readiness assessment"),
        _(
            "The department sends you a link to your business's digital readiness assessment, "
            "as you asked. The link works once, within 24 hours; opening it ends every earlier "
            "link and session and shows you a new resume link to keep. If you did not ask for "
            "it, you can ignore this message.\n\n%(link)s\n",
            link=link,
        ),
        link,
    )


def enabled() -> bool:
    return bool(current_app.config["MAIL_SERVER"])


def _send(to: str | None, subject: str, body: str, link: str | None) -> bool:
    config = current_app.config
    if not (config["MAIL_SERVER"] and to and link):
        return False
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message.set_content(body)
    try:
        with connection() as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # The address, not the link: links are secrets and must not reach the logs.
        current_app.logger.warning("resume e-mail to %s failed: %s", to, type(exc).__name__)
        return False
    return True
