"""Staff accounts and logged-in clients for the staff workspace tests."""

from __future__ import annotations

import pytest

from survey.models import Role, StaffUser

PASSWORD = "a-long-test-password"


def make_staff(db, role: Role, email: str | None = None, **fields) -> StaffUser:
    user = StaffUser(email=email or f"{role.value}@staff.example.org", role=role, **fields)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def log_in(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    token = client.csrf_token("/staff/login")
    data = {"email": email, "password": password, "csrf_token": token}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/staff/login", data=data)


@pytest.fixture
def admin(db):
    return make_staff(db, Role.ADMIN)


@pytest.fixture
def analyst(db):
    return make_staff(db, Role.ANALYST)


@pytest.fixture
def viewer(db):
    return make_staff(db, Role.VIEWER)


@pytest.fixture
def as_role(client, db):
    """``as_role(Role.X)``: the client, logged in as a fresh account with that role."""

    def login_as(role: Role):
        user = make_staff(db, role, email=f"{role.value}.session@staff.example.org")
        response = log_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return login_as
