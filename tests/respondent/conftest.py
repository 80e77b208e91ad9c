import socket

import pytest

from tests import factories


@pytest.fixture
def wave(db):
    wave = factories.wave(name="Khảo sát 2025")
    db.session.commit()
    return wave


class Inbox:
    """What a real SMTP server on 127.0.0.1 received (aiosmtpd, in a thread)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


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
    yield handler
    controller.stop()
