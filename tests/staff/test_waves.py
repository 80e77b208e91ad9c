"""Waves: create, edit while empty, framework fixed once answered, open and close."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from survey.models import AuditEvent, FrameworkVersion, Role, Wave, WaveState
from tests import factories


def _form(db, **overrides):
    version = db.session.scalars(select(FrameworkVersion).filter_by(code="dbi-2021-sme", version=2)).one()
    data = {
        "name": "Khảo sát 2026",
        "year": "2026",
        "framework_version_id": str(version.id),
        "opens_at": "2026-03-01T08:00",
        "closes_at": "2026-06-30T17:00",
        "kinds": ["enterprise", "branch", "cooperative"],
    }
    data.update(overrides)
    return data


def test_create_a_wave_in_local_time(client, db, as_role):
    as_role(Role.ADMIN)
    token = client.csrf_token("/staff/waves/new")
    response = client.post("/staff/waves/new", data={**_form(db), "csrf_token": token})
    assert response.status_code == 302
    wave = db.session.scalar(select(Wave).filter_by(name="Khảo sát 2026"))
    assert wave.state is WaveState.DRAFT
    # 08:00 in Hải Phòng (UTC+7) is 01:00 UTC.
    assert wave.opens_at == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assert db.session.scalar(select(AuditEvent).filter_by(action="wave.created")).object_id == str(wave.id)


def test_closing_before_opening_is_refused(client, db, as_role):
    as_role(Role.ADMIN)
    token = client.csrf_token("/staff/waves/new")
    response = client.post(
        "/staff/waves/new", data={**_form(db, closes_at="2026-02-01T08:00"), "csrf_token": token}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Wave).filter_by(name="Khảo sát 2026")) is None


def test_open_and_close_change_what_the_public_sees(client, db, as_role):
    wave = factories.wave(open_now=False, name="Đợt mở thử")
    db.session.commit()
    as_role(Role.ADMIN)
    assert "Đợt mở thử" not in client.get("/start").get_data(as_text=True)
    token = client.csrf_token("/staff/waves")
    client.post(f"/staff/waves/{wave.id}/open", data={"csrf_token": token})
    db.session.refresh(wave)
    assert wave.state is WaveState.OPEN
    assert "Đợt mở thử" in client.get("/start").get_data(as_text=True)
    client.post(f"/staff/waves/{wave.id}/close", data={"csrf_token": token})
    db.session.refresh(wave)
    assert wave.state is WaveState.CLOSED
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("wave.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["wave.open", "wave.close"]


def test_a_wave_with_responses_keeps_its_framework_and_opening(client, db, as_role):
    wave = factories.wave(name="Đợt có trả lời")
    factories.response(wave)
    db.session.commit()
    as_role(Role.ADMIN)
    url = f"/staff/waves/{wave.id}/edit"
    token = client.csrf_token(url)
    page = client.get(url).get_data(as_text=True)
    data = {
        "name": "Đợt có trả lời (gia hạn)",
        "year": str(wave.year),
        "framework_version_id": str(wave.framework_version_id),
        "opens_at": _value(page, "opens_at"),
        "closes_at": "2099-12-31T17:00",
        "kinds": list(wave.kinds),
        "csrf_token": token,
    }
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(wave)
    assert wave.name == "Đợt có trả lời (gia hạn)" and wave.closes_at.year == 2099
    refused = client.post(url, data={**data, "opens_at": "2020-01-01T00:00"})
    assert refused.status_code == 409


def _value(page: str, name: str) -> str:
    import re

    return re.search(rf'id="{name}" name="{name}"[^>]*value="([^"]+)"', page).group(1)


def test_new_waves_are_offered_version_2_not_the_withdrawn_version_1(client, db, as_role):
    as_role(Role.ADMIN)
    v1, v2 = (
        db.session.scalars(select(FrameworkVersion).filter_by(code="dbi-2021-sme", version=n)).one()
        for n in (1, 2)
    )
    page = client.get("/staff/waves/new").get_data(as_text=True)
    select_ = re.search(r'<select[^>]*name="framework_version_id".*?</select>', page, re.S).group(0)
    assert f'value="{v2.id}"' in select_
    assert f'value="{v1.id}"' not in select_
    token = client.csrf_token("/staff/waves/new")
    refused = client.post(
        "/staff/waves/new", data={**_form(db, framework_version_id=str(v1.id)), "csrf_token": token}
    )
    assert refused.status_code == 400
    assert db.session.scalar(select(Wave).filter_by(name="Khảo sát 2026")) is None


def test_a_wave_pinned_to_version_1_keeps_it_when_edited(client, db, as_role, framework_version):
    as_role(Role.ADMIN)
    wave = factories.wave(framework_version=framework_version)
    page = client.get(f"/staff/waves/{wave.id}/edit").get_data(as_text=True)
    assert f'value="{framework_version.id}"' in page
