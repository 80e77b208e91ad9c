"""Staff sessions end on the server: at log-out, after idle time, and after a fixed lifetime (issue 21)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.models import Role
from survey.models.base import utcnow
from survey.models.staff import StaffSession
from tests.staff.conftest import log_in


def logged_in(app, email):
    client = app.test_client()
    assert log_in(client, email).status_code == 302
    assert client.get("/staff/").status_code == 200
    return client


def replay(app, cookie_value: str):
    """A fresh client presenting a copy of somebody's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie_value)
    return thief


def rows(db, user):
    return db.session.scalars(select(StaffSession).filter_by(user_id=user.id).order_by(StaffSession.id)).all()


def test_a_cookie_replayed_after_log_out_opens_nothing(app, client, db, analyst):
    assert log_in(client, analyst.email).status_code == 302
    copy = client.get_cookie("session").value
    assert replay(app, copy).get("/staff/").status_code == 200  # the copy works while the session lives
    token = client.csrf_token("/staff/")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    response = replay(app, copy).get("/staff/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")
    (row,) = rows(db, analyst)
    assert row.ended_at is not None


def test_the_server_stores_only_a_digest_of_the_session_id(client, db, analyst):
    log_in(client, analyst.email)
    (row,) = rows(db, analyst)
    assert len(row.token_hash) == 64
    assert row.token_hash not in client.get_cookie("session").value


def test_log_out_ends_only_that_session(app, db, analyst):
    office, phone = logged_in(app, analyst.email), logged_in(app, analyst.email)
    office.post("/staff/logout", data={"csrf_token": office.csrf_token("/staff/")})
    assert office.get("/staff/").status_code == 302
    assert phone.get("/staff/").status_code == 200
    assert [row.ended_at is None for row in rows(db, analyst)] == [False, True]


def age(db, user, *, idle=timedelta(0), since_login=timedelta(0)):
    for row in rows(db, user):
        row.last_seen_at = utcnow() - idle
        row.created_at = utcnow() - since_login
    db.session.commit()


def test_a_session_ends_after_thirty_idle_minutes(app, db, analyst):
    assert app.config["STAFF_SESSION_IDLE_MINUTES"] == 30
    client = logged_in(app, analyst.email)
    age(db, analyst, idle=timedelta(minutes=29), since_login=timedelta(minutes=29))
    assert client.get("/staff/").status_code == 200
    # That request counted as activity: the idle time starts again from it.
    (row,) = rows(db, analyst)
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)
    age(db, analyst, idle=timedelta(minutes=31), since_login=timedelta(minutes=40))
    response = client.get("/staff/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")


def test_a_busy_session_still_ends_twelve_hours_after_log_in(app, db, analyst):
    assert app.config["STAFF_SESSION_MAX_HOURS"] == 12
    client = logged_in(app, analyst.email)
    age(db, analyst, idle=timedelta(seconds=5), since_login=timedelta(hours=11, minutes=59))
    assert client.get("/staff/").status_code == 200
    age(db, analyst, idle=timedelta(seconds=5), since_login=timedelta(hours=12, minutes=1))
    assert client.get("/staff/").status_code == 302


def test_the_limits_are_settings(app, db, analyst, monkeypatch):
    client = logged_in(app, analyst.email)
    monkeypatch.setitem(app.config, "STAFF_SESSION_IDLE_MINUTES", 5)
    age(db, analyst, idle=timedelta(minutes=6), since_login=timedelta(minutes=6))
    assert client.get("/staff/").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(app, db, analyst):
    client = logged_in(app, analyst.email)
    age(db, analyst, idle=timedelta(seconds=30), since_login=timedelta(seconds=30))
    (row,) = rows(db, analyst)
    seen = row.last_seen_at
    assert client.get("/staff/").status_code == 200
    db.session.refresh(row)
    assert row.last_seen_at == seen


@pytest.mark.parametrize("how", ["deactivate", "password"])
def test_deactivation_and_a_new_password_end_the_other_sessions(app, client, db, as_role, analyst, how):
    other = logged_in(app, analyst.email)
    if how == "deactivate":
        as_role(Role.ADMIN)
        token = client.csrf_token("/staff/users")
        client.post(f"/staff/users/{analyst.id}/active", data={"csrf_token": token})
    else:
        assert log_in(client, analyst.email).status_code == 302
        new = "Brand-new pass phrase 2025"
        token = client.csrf_token("/staff/password")
        data = {"current": "a-long-test-password", "new": new, "confirm": new, "csrf_token": token}
        assert client.post("/staff/password", data=data).status_code == 302
        assert client.get("/staff/").status_code == 200  # this one goes on
    assert other.get("/staff/").status_code == 302
    ended = [row for row in rows(db, analyst) if row.ended_at is not None]
    assert len(ended) == 1
