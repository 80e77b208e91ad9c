"""A wave carries unscored modules: chosen by staff, fixed once it has responses, audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from survey import waves
from survey.models import AuditEvent, FrameworkVersion, Role
from tests import factories


def _values(db, **overrides) -> dict:
    version = db.session.scalars(select(FrameworkVersion).filter_by(code="dbi-2021-sme", version=2)).one()
    return {
        "name": "Khảo sát có phần phụ",
        "year": 2027,
        "framework_version_id": version.id,
        "opens_at": datetime(2027, 3, 1, 1, 0, tzinfo=UTC),
        "closes_at": datetime(2027, 6, 30, 10, 0, tzinfo=UTC),
        **overrides,
    }


def _ids(*codes) -> list[int]:
    return [factories.module_version(code).id for code in codes]


def test_a_wave_is_created_with_its_modules_in_order_and_audited(app, db):
    with app.test_request_context():
        wave = waves.create(db.session, _values(db, modules=_ids("readiness", "barriers-needs")))
    assert [m.module_version.code for m in wave.modules] == ["readiness", "barriers-needs"]
    event = db.session.scalars(select(AuditEvent).filter_by(action="wave.created")).one()
    assert event.details["after"]["modules"] == ["readiness v1", "barriers-needs v1"]


def test_modules_change_while_empty_and_are_fixed_once_answered(app, db):
    with app.test_request_context():
        wave = waves.create(db.session, _values(db, modules=_ids("barriers-needs")))
        assert waves.edit(db.session, wave, {"modules": _ids("barriers-needs", "readiness")})
        assert waves.module_ids(wave) == _ids("barriers-needs", "readiness")
        assert db.session.scalars(select(AuditEvent.action).filter_by(action="wave.modules")).all()
        assert not waves.edit(db.session, wave, {"modules": _ids("barriers-needs", "readiness")})
        factories.response(wave, submit=False)
        assert "modules" in waves.locked_fields(db.session, wave)
        with pytest.raises(waves.Locked):
            waves.edit(db.session, wave, {"modules": _ids("barriers-needs")})
    assert waves.module_ids(wave) == _ids("barriers-needs", "readiness")


def test_an_unknown_module_version_is_refused(app, db):
    with app.test_request_context(), pytest.raises(waves.ModuleRefused):
        waves.create(db.session, _values(db, modules=[999_999]))


def test_the_staff_form_offers_the_modules_and_saves_them(client, db, as_role):
    as_role(Role.ADMIN)
    page = client.get("/staff/waves/new").get_data(as_text=True)
    offered = re.findall(r'name="modules" id="[^"]+"\s+value="(\d+)"', page)
    assert sorted(map(int, offered)) == sorted(_ids("barriers-needs", "readiness"))
    data = {
        "name": "Khảo sát 2028",
        "year": "2028",
        "framework_version_id": str(_values(db)["framework_version_id"]),
        "opens_at": "2028-03-01T08:00",
        "closes_at": "2028-06-30T17:00",
        "kinds": ["enterprise"],
        "modules": [str(i) for i in _ids("readiness")],
        "csrf_token": client.csrf_token("/staff/waves/new"),
    }
    assert client.post("/staff/waves/new", data=data).status_code == 302
    wave = db.session.scalars(select(waves.Wave).filter_by(name="Khảo sát 2028")).one()
    assert [m.module_version.code for m in wave.modules] == ["readiness"]
    refused = client.post("/staff/waves/new", data={**data, "name": "Khác", "modules": ["999999"]})
    assert refused.status_code == 400
