import pytest

from tests import factories
from tests.smtp import inbox_for


@pytest.fixture
def wave(db):
    wave = factories.wave(name="Khảo sát 2025")
    db.session.commit()
    return wave


@pytest.fixture
def inbox(app, monkeypatch):
    with inbox_for(app, monkeypatch) as handler:
        yield handler
