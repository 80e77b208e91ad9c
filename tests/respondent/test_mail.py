"""The resume link by e-mail: sent when SMTP is configured, harmless when it is not or fails."""

from __future__ import annotations

import smtplib
from typing import ClassVar

from sqlalchemy import func, select

from survey.models import Response
from tests import factories
from tests.respondent import helpers


class RecordingSMTP:
    """Stands in for the SMTP server at the network boundary; records what was sent."""

    sent: ClassVar[list] = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        RecordingSMTP.sent.append(message)


def test_resume_link_is_mailed_when_smtp_is_configured(app, client, db, wave, monkeypatch):
    RecordingSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    helpers.start(client, factories.tax_code())
    assert len(RecordingSMTP.sent) == 1
    message = RecordingSMTP.sent[0]
    assert message["To"] == "lan@example.vn"
    link = helpers.resume_link(client)
    assert link in message.get_content()


def test_an_unreachable_mail_server_does_not_break_the_start(app, client, db, wave, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there: connection refused
    response = helpers.start(client, factories.tax_code())
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    link = helpers.resume_link(client)
    # The failure is logged, without the secret link.
    assert "resume e-mail to lan@example.vn failed" in caplog.text
    assert link.rsplit("/", 1)[1] not in caplog.text


def test_no_mail_server_means_no_mail(client, db, wave, monkeypatch):
    RecordingSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    helpers.start(client, factories.tax_code())
    assert RecordingSMTP.sent == []
