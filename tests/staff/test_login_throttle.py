"""The log-in throttle: who is counted, bursts, equal timing, and the per-process warning (issue 21)."""

from __future__ import annotations

import logging
import re
import statistics
import threading
import time

import pytest
from flask.testing import FlaskClient

from survey.auth import login as login_module
from survey.extensions import db as _db
from survey.extensions import limiter
from survey.models import Role, StaffUser
from survey.models import staff as staff_models
from tests.conftest import make_app, scratch_database
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


def test_an_unknown_account_answers_no_faster(client, db, admin):
    def timed(email):
        runs = []
        for _ in range(5):
            limiter.reset()
            start = time.perf_counter()
            assert attempt(client, email, WRONG, ADMIN_OFFICE).status_code == 401
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    timed("warm-up@staff.example.org")
    known, unknown = timed(admin.email), timed("nobody@staff.example.org")
    # Before: 72.6 ms against 11.0 ms. The page and the CSRF token cost the same either way.
    assert unknown > 0.6 * known, (known, unknown)


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


class BurstClient(FlaskClient):
    def csrf_token(self, path: str = "/") -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).get_data(as_text=True)).group(1)


@pytest.fixture(scope="module")
def burst_app(database_url, tmp_path_factory):
    with scratch_database(database_url, "burst", tmp_path_factory.mktemp("burst")) as url:
        app = make_app(url)
        app.test_client_class = BurstClient
        assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
        with app.app_context():
            user = StaffUser(email="target@burst.test", role=Role.ADMIN)
            user.set_password(PASSWORD)
            _db.session.add(user)
            _db.session.commit()
        yield app
        with app.app_context():
            _db.engine.dispose()


def test_a_burst_of_wrong_attempts_cannot_overshoot_the_limit(burst_app):
    limiter.reset()
    clients = [burst_app.test_client() for _ in range(12)]
    tokens = [c.csrf_token("/staff/login") for c in clients]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def run(client, token):
        barrier.wait()
        response = client.post(
            "/staff/login",
            data={"email": "target@burst.test", "password": WRONG, "csrf_token": token},
            environ_overrides={"REMOTE_ADDR": ATTACKER},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    limiter.reset()
    # Five passwords checked (RATELIMIT_LOGIN_PER_ACCOUNT), however many arrived at once.
    assert sorted(statuses) == [401] * 5 + [429] * 7
