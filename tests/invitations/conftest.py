"""A real SMTP server on 127.0.0.1 (aiosmtpd, in a thread) that refuses chosen addresses."""

from __future__ import annotations

import socket

import pytest

from tests import factories

BASE_URL = "https://khaosat.example.gov.vn"


class Inbox:
    """What the server received, in order; ``refuse`` holds addresses answered with 550."""

    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self) -> list[str]:
        return [str(message["To"]) for message in self.messages]


@pytest.fixture
def inbox(app, monkeypatch):
    from aiosmtpd.controller import Controller

    # A free port: aiosmtpd checks that its server answers, which port 0 defeats.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)
    yield handler
    controller.stop()


@pytest.fixture
def wave(db):
    wave = factories.wave(name="Khảo sát 2025")
    db.session.commit()
    return wave


@pytest.fixture
def no_pause(monkeypatch):
    """The pacing's waits, recorded instead of slept."""
    from survey.invitations import mailer

    waits: list[float] = []
    monkeypatch.setattr(mailer, "sleep", waits.append)
    return waits
