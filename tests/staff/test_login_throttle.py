"""The log-in throttle: who is counted, bursts, equal timing, and the per-process warning (issue 21)."""

from __future__ import annotations

import logging

import pytest

from survey.auth import login as login_module
from survey.extensions import db as _db
from survey.extensions import limiter
from survey.models import Role, StaffUser
from survey.models import staff as staff_models
from tests.concurrency import at_once, scratch_app
from tests.staff.conftest import PASSWORD, make_staff

ATTACKER, ADMIN_OFFICE = "203.0.113.66", "198.51.100.7"
WRONG = "wrong-password-here"


def attempt(client, email, password, address):
    token = client.csrf_token("/staff/login")
    return client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_overrides={"REMOTE_ADDR": address},
        headers={"Accept-Language": "en"},
    )


def test_an_attacker_cannot_lock_the_admin_out(app, client, db, admin):
    for _ in range(5):
        assert attempt(client, admin.email, WRONG, ATTACKER).status_code == 401
    # The attacker's address is stopped for this account, the right password included...
    blocked = attempt(client, admin.email, PASSWORD, ATTACKER)
    assert blocked.status_code == 429 and "Too many attempts" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0
    # ...while the administrator, from the office, logs in as usual.
    office = app.test_client()
    assert attempt(office, admin.email, PASSWORD, ADMIN_OFFICE).status_code == 302


def test_a_correct_password_forgives_the_users_own_slips(app, client, db, admin):
    for _ in range(4):
        assert attempt(client, admin.email, WRONG, ADMIN_OFFICE).status_code == 401
    assert attempt(client, admin.email, PASSWORD, ADMIN_OFFICE).status_code == 302
    later = app.test_client()
    for _ in range(4):
        assert attempt(later, admin.email, WRONG, ADMIN_OFFICE).status_code == 401


def test_one_address_is_limited_across_accounts(client, db):
    for n in range(10):
        assert attempt(client, f"nobody{n}@staff.example.org", WRONG, ATTACKER).status_code == 401
    assert attempt(client, "nobody-else@staff.example.org", WRONG, ATTACKER).status_code == 429
    assert attempt(client, "nobody-else@staff.example.org", WRONG, ADMIN_OFFICE).status_code == 401


def test_many_addresses_reach_the_account_ceiling(app, client, db, admin):
    assert app.config["RATELIMIT_LOGIN_ACCOUNT_CEILING"] == "30 per 5 minutes"
    for n in range(6):
        for _ in range(5):
            assert attempt(client, admin.email, WRONG, f"192.0.2.{n + 1}").status_code == 401
    # Thirty failures from six addresses: now the account is closed to everyone for the window.
    assert attempt(client, admin.email, WRONG, "192.0.2.99").status_code == 429
    assert attempt(client, admin.email, PASSWORD, ADMIN_OFFICE).status_code == 429


def test_unknown_and_known_accounts_cost_one_password_hash_each(client, db, admin, monkeypatch):
    checked = []

    def counting(real):
        def check(pwhash, password):
            checked.append(pwhash)
            return real(pwhash, password)

        return check

    monkeypatch.setattr(login_module, "check_password_hash", counting(login_module.check_password_hash))
    monkeypatch.setattr(staff_models, "check_password_hash", counting(staff_models.check_password_hash))
    deactivated = make_staff(db, Role.ANALYST, email="gone@staff.example.org", active=False)
    for email in ("nobody@staff.example.org", admin.email, deactivated.email):
        checked.clear()
        assert attempt(client, email, WRONG, ADMIN_OFFICE).status_code == 401
        assert len(checked) == 1, email
        assert checked[0].startswith("scrypt:"), "the dummy hash is made like the real ones"


def test_memory_storage_outside_tests_is_warned_about(own_app, caplog):
    with caplog.at_level(logging.WARNING):
        own_app(TESTING=False)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("RATELIMIT_STORAGE_URI is memory://" in w and "multiplied" in w for w in warnings)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        own_app()  # testing: one process
    assert not [r for r in caplog.records if "RATELIMIT_STORAGE_URI" in r.getMessage()]


# --- a burst of simultaneous attempts, on a database of its own ---------------------------------


@pytest.fixture(scope="module")
def burst_app(database_url, tmp_path_factory):
    with scratch_app(database_url, tmp_path_factory.mktemp("burst"), "burst") as app:
        with app.app_context():
            user = StaffUser(email="target@burst.test", role=Role.ADMIN)
            user.set_password(PASSWORD)
            _db.session.add(user)
            _db.session.commit()
        yield app


def test_a_burst_of_wrong_attempts_cannot_overshoot_the_limit(burst_app):
    limiter.reset()
    clients = [burst_app.test_client() for _ in range(12)]
    tokens = [c.csrf_token("/staff/login") for c in clients]

    def attempt_with(client, token):
        data = {"email": "target@burst.test", "password": WRONG, "csrf_token": token}
        return lambda: (
            client.post("/staff/login", data=data, environ_overrides={"REMOTE_ADDR": ATTACKER}).status_code
        )

    statuses = at_once([attempt_with(c, t) for c, t in zip(clients, tokens, strict=True)])
    limiter.reset()
    # Five passwords checked (RATELIMIT_LOGIN_PER_ACCOUNT), however many arrived at once.
    assert sorted(statuses) == [401] * 5 + [429] * 7
