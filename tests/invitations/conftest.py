"""The invitation tests' SMTP server (tests/smtp.py), with the links on the public BASE_URL."""

from __future__ import annotations

import pytest

from tests import factories
from tests.smtp import inbox_for

BASE_URL = "https://khaosat.example.gov.vn"


@pytest.fixture
def inbox(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)
    with inbox_for(app, monkeypatch) as handler:
        yield handler


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
