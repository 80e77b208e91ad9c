"""Log-in, log-out, password change, throttling, the safe ``next``, and their audit entries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import limiter
from survey.models import AuditEvent, Role
from tests.staff.conftest import PASSWORD, log_in, make_staff


def events(db, action):
    return db.session.scalars(select(AuditEvent).filter_by(action=action)).all()


def test_log_in_and_out(client, db, analyst):
    response = log_in(client, "ANALYST@staff.example.org ")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert len(events(db, "login")) == 1 and events(db, "login")[0].actor_id == analyst.id
    token = client.csrf_token("/staff/")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/staff/").status_code == 302
    assert len(events(db, "logout")) == 1


def test_wrong_password_is_refused_and_audited(client, db, analyst):
    response = log_in(client, analyst.email, "wrong-password-here")
    assert response.status_code == 401
    assert "mật khẩu" in response.get_data(as_text=True).lower()  # Vietnamese by default
    failed = events(db, "login.failed")
    assert len(failed) == 1 and failed[0].details["email"] == analyst.email
    assert client.get("/staff/").status_code == 302


def test_deactivated_accounts_cannot_log_in(client, db):
    user = make_staff(db, Role.ANALYST, active=False)
    assert log_in(client, user.email).status_code == 401


def test_failed_logins_are_throttled_per_account(client, db, analyst):
    limiter.reset()
    for _ in range(5):
        assert log_in(client, analyst.email, "wrong-password-here").status_code == 401
    blocked = client.post(
        "/staff/login",
        data={"email": analyst.email, "password": PASSWORD, "csrf_token": client.csrf_token("/staff/login")},
        headers={"Accept-Language": "en"},
    )
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    # Another account from the same address is not blocked by this one's failures.
    other = make_staff(db, Role.VIEWER, email="other@staff.example.org")
    assert log_in(client, other.email).status_code == 302


def test_failed_logins_are_throttled_per_address(client, db):
    limiter.reset()
    for n in range(10):
        assert log_in(client, f"nobody{n}@staff.example.org", "wrong-password-here").status_code == 401
    assert log_in(client, "nobody-else@staff.example.org", "wrong-password-here").status_code == 429


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/staff/waves", "/staff/waves"),
        ("https://evil.example/staff", "/staff/"),
        ("//evil.example/", "/staff/"),
        ("/\\evil.example", "/staff/"),
    ],
)
def test_next_after_log_in_is_local_only(client, db, analyst, target, expected):
    response = log_in(client, analyst.email, next_url=target)
    assert response.headers["Location"] == expected


def test_a_staff_page_asks_to_log_in_and_comes_back(client, db, analyst):
    response = client.get("/staff/waves")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/staff/login?next=")
    page = client.get(login_url).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/staff/waves"' in page


def test_change_password(client, db, analyst):
    log_in(client, analyst.email)
    token = client.csrf_token("/staff/password")
    weak = client.post(
        "/staff/password", data={"current": PASSWORD, "new": "short", "confirm": "short", "csrf_token": token}
    )
    assert weak.status_code == 400
    assert "Mật khẩu phải có ít nhất 12 ký tự." in weak.get_data(as_text=True)  # the rule, in Vietnamese
    new = "another-long-password-2026"
    response = client.post(
        "/staff/password", data={"current": PASSWORD, "new": new, "confirm": new, "csrf_token": token}
    )
    assert response.status_code == 302
    db.session.refresh(analyst)
    assert analyst.check_password(new)
    assert len(events(db, "password.changed")) == 1
    # Still logged in on this session after the change.
    assert client.get("/staff/").status_code == 200


def test_a_password_change_ends_other_sessions(app, client, db, analyst):
    other = app.test_client()
    log_in(other, analyst.email)
    assert other.get("/staff/").status_code == 200
    analyst.set_password("a-brand-new-password-x")
    db.session.commit()
    assert other.get("/staff/").status_code == 302
