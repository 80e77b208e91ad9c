"""Admin management of staff accounts."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.models import AuditEvent, Role, StaffUser
from tests.staff.conftest import log_in, make_staff


def _password_on(page: str) -> str:
    return re.search(r'value="([^"]+)" data-testid="password-once"', page).group(1)


def test_admin_creates_an_account_with_a_one_time_password(app, client, db, as_role):
    as_role(Role.ADMIN)
    token = client.csrf_token("/staff/users")
    page = client.post(
        "/staff/users",
        data={"email": "New.Analyst@staff.example.org", "role": "analyst", "csrf_token": token},
    )
    assert page.status_code == 200
    password = _password_on(page.get_data(as_text=True))
    user = db.session.scalar(select(StaffUser).filter_by(email="new.analyst@staff.example.org"))
    assert user.role is Role.ANALYST and user.must_change_password and user.check_password(password)
    event = db.session.scalar(select(AuditEvent).filter_by(action="user.created"))
    assert event.details["after"] == {"email": "new.analyst@staff.example.org", "role": "analyst"}
    # The new user must change the password before anything else.
    other = app.test_client()
    log_in(other, "new.analyst@staff.example.org", password)
    assert other.get("/staff/responses").headers["Location"].endswith("/staff/password")


def test_duplicate_account_is_refused(client, db, as_role, analyst):
    as_role(Role.ADMIN)
    token = client.csrf_token("/staff/users")
    client.post("/staff/users", data={"email": analyst.email, "role": "viewer", "csrf_token": token})
    assert db.session.scalar(select(StaffUser).filter_by(email=analyst.email)).role is Role.ANALYST


def test_change_role_is_audited(client, db, as_role, analyst):
    as_role(Role.ADMIN)
    token = client.csrf_token("/staff/users")
    client.post(f"/staff/users/{analyst.id}/role", data={"role": "viewer", "csrf_token": token})
    db.session.refresh(analyst)
    assert analyst.role is Role.VIEWER
    event = db.session.scalar(select(AuditEvent).filter_by(action="user.role"))
    assert event.details == {"before": {"role": "analyst"}, "after": {"role": "viewer"}}


def test_deactivation_logs_the_user_out_and_keeps_the_account(app, client, db, as_role, analyst):
    other = app.test_client()
    log_in(other, analyst.email)
    assert other.get("/staff/").status_code == 200
    as_role(Role.ADMIN)
    token = client.csrf_token("/staff/users")
    client.post(f"/staff/users/{analyst.id}/active", data={"csrf_token": token})
    db.session.refresh(analyst)
    assert analyst.active is False
    assert other.get("/staff/").status_code == 302
    # Reactivate: never deleted, the audit trail keeps its actors.
    client.post(f"/staff/users/{analyst.id}/active", data={"csrf_token": token})
    db.session.refresh(analyst)
    assert analyst.active is True


def test_the_last_admin_cannot_be_deactivated_or_demoted(client, db, as_role):
    me = as_role(Role.ADMIN)
    token = client.csrf_token("/staff/users")
    client.post(f"/staff/users/{me.id}/active", data={"csrf_token": token})
    client.post(f"/staff/users/{me.id}/role", data={"role": "viewer", "csrf_token": token})
    db.session.refresh(me)
    assert me.active and me.role is Role.ADMIN


def test_reset_password_shows_a_new_one_once(app, client, db, as_role, viewer):
    as_role(Role.ADMIN)
    token = client.csrf_token("/staff/users")
    page = client.post(f"/staff/users/{viewer.id}/reset", data={"csrf_token": token})
    password = _password_on(page.get_data(as_text=True))
    db.session.refresh(viewer)
    assert viewer.check_password(password) and viewer.must_change_password
    assert db.session.scalar(select(AuditEvent).filter_by(action="user.password_reset")).object_id == str(
        viewer.id
    )


def test_audit_log_page_filters_and_cannot_edit(client, db, as_role, analyst):
    make_staff(db, Role.VIEWER, email="v2@staff.example.org")
    as_role(Role.ADMIN)
    page = client.get("/staff/audit?action=login").get_data(as_text=True)
    assert "login" in page
    assert client.get("/staff/audit?from=not-a-date").status_code == 400
    # No route changes or deletes audit events.
    from flask import current_app

    for rule in current_app.url_map.iter_rules():
        assert not ("audit" in rule.rule and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}), rule
