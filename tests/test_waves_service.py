"""The wave rules live in survey/waves.py: the service refuses what the page greys out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey import waves
from survey.models import AuditEvent, FrameworkVersion, Wave, WaveState
from tests import factories


def _version(db, n: int) -> FrameworkVersion:
    return db.session.scalars(select(FrameworkVersion).filter_by(code="dbi-2021-sme", version=n)).one()


def _values(db, **overrides) -> dict:
    return {
        "name": " Khảo sát 2027 ",
        "year": 2027,
        "framework_version_id": _version(db, 2).id,
        "opens_at": datetime(2027, 3, 1, 1, 0, tzinfo=UTC),
        "closes_at": datetime(2027, 6, 30, 10, 0, tzinfo=UTC),
        **overrides,
    }


def _actions(db) -> list[str]:
    return db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("wave.%")).order_by(AuditEvent.id)
    ).all()


def test_create_makes_an_audited_draft(app, db):
    with app.test_request_context():
        wave = waves.create(db.session, _values(db))
    assert wave.name == "Khảo sát 2027" and wave.state is WaveState.DRAFT
    assert _actions(db) == ["wave.created"]


def test_a_name_is_taken_once(app, db):
    factories.wave(name="Khảo sát 2027")
    with app.test_request_context():
        with pytest.raises(waves.NameTaken):
            waves.create(db.session, _values(db))
        other = factories.wave(name="Khác")
        with pytest.raises(waves.NameTaken):
            waves.edit(db.session, other, {"name": "Khảo sát 2027"})
    assert db.session.scalar(select(func.count()).select_from(Wave).filter_by(name="Khảo sát 2027")) == 1


def test_a_withdrawn_framework_version_is_refused_for_a_new_wave(app, db):
    with app.test_request_context(), pytest.raises(waves.WaveError):
        waves.create(db.session, _values(db, framework_version_id=_version(db, 1).id))


@pytest.mark.parametrize("field", ["year", "framework_version_id", "opens_at"])
def test_a_wave_with_responses_refuses_its_locked_fields(app, db, field):
    wave = factories.wave(framework_version=_version(db, 1))
    factories.response(wave)
    db.session.flush()
    new = {
        "year": wave.year + 1,
        "framework_version_id": _version(db, 2).id,
        "opens_at": wave.opens_at - timedelta(days=3),
    }[field]
    before = getattr(wave, field)
    with app.test_request_context(), pytest.raises(waves.Locked) as refused:
        waves.edit(db.session, wave, {field: new})
    assert refused.value.fields == [field]
    assert getattr(wave, field) == before
    assert _actions(db) == []


def test_a_wave_with_responses_still_takes_a_new_name_and_closing_time(app, db):
    wave = factories.wave()
    factories.response(wave)
    db.session.flush()
    closes = wave.closes_at + timedelta(days=7)
    with app.test_request_context():
        assert waves.edit(db.session, wave, {"name": "Gia hạn", "closes_at": closes})
    assert wave.name == "Gia hạn" and wave.closes_at == closes
    assert _actions(db) == ["wave.edited"]


def test_an_empty_wave_can_change_everything(app, db):
    wave = factories.wave(framework_version=_version(db, 1))
    with app.test_request_context():
        assert waves.edit(db.session, wave, {"year": 2030, "opens_at": wave.opens_at - timedelta(days=3)})
    assert wave.year == 2030


def test_open_and_close_are_audited_once(app, db):
    wave = factories.wave(open_now=False)
    with app.test_request_context():
        assert waves.set_state(db.session, wave, WaveState.OPEN)
        assert not waves.set_state(db.session, wave, WaveState.OPEN)
        assert waves.set_state(db.session, wave, WaveState.CLOSED)
    assert _actions(db) == ["wave.open", "wave.close"]
