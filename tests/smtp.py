"""A real SMTP server on 127.0.0.1 (aiosmtpd, in a thread) for the mail tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


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


@contextmanager
def inbox_for(app, monkeypatch) -> Iterator[Inbox]:
    """A server on a free port of 127.0.0.1, with ``app`` sending its mail there."""
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
    try:
        yield handler
    finally:
        controller.stop()
