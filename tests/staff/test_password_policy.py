"""Common, guessable and reused passwords are refused wherever a password is chosen (issue 21)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from survey.auth.passwords import generate_password, password_problem
from survey.models import StaffUser
from tests.staff.conftest import PASSWORD, log_in

COMMON = ["password1234", "qwertyuiop12", "iloveyou1234", "123456789012", "P@ssw0rd1234", "Haiphong2025"]
GOOD = ["Brand-new pass phrase 2025", "lúa chín vàng bên sông Cấm", "correct horse battery staple"]


@pytest.mark.parametrize("password", COMMON)
def test_common_and_guessable_passwords_are_refused(app, password):
    with app.test_request_context(), force_locale("en"):
        problem = password_problem(password, "lan@staff.example.org")
    assert problem and "too easy to guess" in problem


@pytest.mark.parametrize("password", GOOD)
def test_long_unusual_passwords_pass(app, password):
    with app.test_request_context():
        assert password_problem(password, "lan@staff.example.org") is None


def test_generated_passwords_pass_the_rules(app):
    with app.test_request_context():
        assert all(password_problem(generate_password()) is None for _ in range(20))


def change(client, current, new):
    token = client.csrf_token("/staff/password")
    return client.post(
        "/staff/password",
        data={"current": current, "new": new, "confirm": new, "csrf_token": token},
        headers={"Accept-Language": "en"},
    )


def test_the_change_form_refuses_a_common_password(client, db, analyst):
    log_in(client, analyst.email)
    response = change(client, PASSWORD, "password1234")
    assert response.status_code == 400
    assert "too easy to guess" in response.get_data(as_text=True)
    db.session.refresh(analyst)
    assert analyst.check_password(PASSWORD)


def test_the_change_form_refuses_the_current_password(client, db, analyst):
    log_in(client, analyst.email)
    response = change(client, PASSWORD, PASSWORD)
    assert response.status_code == 400
    assert "must differ from the current one" in response.get_data(as_text=True)
    db.session.refresh(analyst)
    version = analyst.session_version
    # A reset password must be replaced by a new one, not typed again.
    assert change(client, PASSWORD, "Brand-new pass phrase 2025").status_code == 302
    db.session.refresh(analyst)
    assert analyst.session_version == version + 1


def test_create_user_refuses_a_common_password(runner, db):
    result = runner.invoke(args=["create-user", "x@example.org", "--role", "analyst"], input="iloveyou1234\n")
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 0
