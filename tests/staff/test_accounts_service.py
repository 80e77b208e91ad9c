"""One service for staff accounts (survey/auth/accounts.py): the staff page and the
command line create, reset and change accounts through it, so both follow one rule."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.auth import accounts
from survey.models import AuditEvent, Role, StaffUser
from survey.models.staff import StaffSession
from tests.staff.conftest import PASSWORD, log_in, make_staff


def _created_lines(db) -> dict[str, dict]:
    events = db.session.scalars(select(AuditEvent).filter_by(action="user.created")).all()
    return {event.object_id: event.details for event in events}


def _user(db, email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).filter_by(email=email))


def test_the_page_and_the_command_line_create_accounts_alike(client, runner, db, as_role):
    cli = runner.invoke(
        args=["create-user", "  Cli.Person@Example.ORG ", "--role", "viewer"], input="a-long-secret-phrase\n"
    )
    assert cli.exit_code == 0, cli.output
    admin = as_role(Role.ADMIN)
    token = client.csrf_token("/staff/users")
    page = client.post(
        "/staff/users", data={"email": "Web.Person@Example.ORG", "role": "viewer", "csrf_token": token}
    )
    assert page.status_code == 200
    by_cli, by_page = _user(db, "cli.person@example.org"), _user(db, "web.person@example.org")
    assert by_cli is not None and by_page is not None  # the same normalised e-mail
    # The same audit line for both (the page's names its actor).
    lines = _created_lines(db)
    assert lines[str(by_cli.id)] == {"after": {"email": "cli.person@example.org", "role": "viewer"}}
    assert lines[str(by_page.id)] == {"after": {"email": "web.person@example.org", "role": "viewer"}}
    actors = dict(
        db.session.execute(
            select(AuditEvent.object_id, AuditEvent.actor_id).filter_by(action="user.created")
        ).all()
    )
    assert actors == {str(by_cli.id): None, str(by_page.id): admin.id}
    # A typed password is the account's own; a generated one is to be changed first.
    assert not by_cli.must_change_password and by_page.must_change_password


def test_a_duplicate_differing_in_case_is_refused_by_both(client, runner, db, as_role):
    make_staff(db, Role.ANALYST, email="taken@example.org")
    cli = runner.invoke(
        args=["create-user", "TAKEN@example.org", "--role", "viewer"], input="a-long-secret-phrase\n"
    )
    assert cli.exit_code != 0 and "already exists" in cli.output
    as_role(Role.ADMIN)
    token = client.csrf_token("/staff/users")
    page = client.post(
        "/staff/users", data={"email": "Taken@Example.org", "role": "viewer", "csrf_token": token}
    )
    assert page.status_code == 409
    assert (
        db.session.scalar(select(func.count()).select_from(StaffUser).filter_by(email="taken@example.org"))
        == 1
    )
    assert _user(db, "taken@example.org").role is Role.ANALYST


@pytest.mark.parametrize("password", ["short-one", "iloveyou1234", "qwertyuiop12"])
def test_the_service_itself_refuses_a_weak_password(app, db, password):
    with app.test_request_context(), pytest.raises(accounts.AccountRuleError):
        accounts.create_account(db.session, "weak@example.org", Role.ADMIN, password)
    assert _user(db, "weak@example.org") is None


def test_the_service_refuses_what_is_not_an_email(app, db):
    with app.test_request_context(), pytest.raises(accounts.AccountRuleError):
        accounts.create_account(db.session, "nobody-at-all", Role.VIEWER)
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 0


def test_a_reset_password_ends_the_accounts_sessions(app, client, db, as_role, analyst):
    other = app.test_client()
    assert log_in(other, analyst.email).status_code == 302
    as_role(Role.ADMIN)
    token = client.csrf_token("/staff/users")
    assert client.post(f"/staff/users/{analyst.id}/reset", data={"csrf_token": token}).status_code == 200
    assert other.get("/staff/").status_code == 302
    rows = db.session.scalars(select(StaffSession).filter_by(user_id=analyst.id)).all()
    assert rows and all(row.ended_at is not None for row in rows)
    db.session.refresh(analyst)
    assert analyst.must_change_password and not analyst.check_password(PASSWORD)
    assert db.session.scalar(
        select(AuditEvent).filter_by(action="user.password_reset", object_id=str(analyst.id))
    )


def test_a_password_change_needs_the_current_one_and_a_new_one(app, db, analyst):
    with app.test_request_context():
        with pytest.raises(accounts.WrongPassword):
            accounts.change_password(db.session, analyst, "not the password", "Brand-new pass phrase 2025")
        with pytest.raises(accounts.AccountRuleError):
            accounts.change_password(db.session, analyst, PASSWORD, PASSWORD)
        with pytest.raises(accounts.AccountRuleError):
            accounts.change_password(db.session, analyst, PASSWORD, "iloveyou1234")
        assert analyst.check_password(PASSWORD)
        accounts.change_password(db.session, analyst, PASSWORD, "Brand-new pass phrase 2025")
    assert analyst.check_password("Brand-new pass phrase 2025")
    assert db.session.scalar(
        select(AuditEvent).filter_by(action="password.changed", object_id=str(analyst.id))
    )
