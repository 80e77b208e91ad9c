"""There is always an active administrator, also when two of them act at the same moment (issue 21).

The rule on both databases through the pages and the service; then the race the probe
found, on PostgreSQL: two administrators demoting (or deactivating) each other at once.
Each thread runs the service in a transaction of its own on a database of its own (the
suite's rolled-back test transaction cannot be shared by two threads), and holds its
transaction open at a barrier before committing, so that without the lock both would
count the other as the remaining administrator.
"""

from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import func, select

from survey.auth import accounts
from survey.extensions import db as _db
from survey.models import Role, StaffUser
from tests.concurrency import scratch_app
from tests.staff.conftest import make_staff


def test_the_last_admin_keeps_role_and_account_through_the_pages(client, db, as_role):
    me = as_role(Role.ADMIN)
    token = client.csrf_token("/staff/users")
    refused = client.post(f"/staff/users/{me.id}/role", data={"role": "viewer", "csrf_token": token})
    assert refused.status_code == 302
    page = client.get("/staff/users").get_data(as_text=True)
    assert "flash-error" in page
    db.session.refresh(me)
    assert me.role is Role.ADMIN and me.active


def test_the_service_refuses_to_take_the_last_admin(app, db):
    only = make_staff(db, Role.ADMIN, email="only.admin@staff.example.org")
    other = make_staff(db, Role.ANALYST, email="not.admin@staff.example.org")
    with app.test_request_context():
        with pytest.raises(accounts.AccountRuleError):
            accounts.change_role(db.session, only, Role.ANALYST)
        with pytest.raises(accounts.AccountRuleError):
            accounts.set_active(db.session, only, False, actor=other)
        with pytest.raises(accounts.AccountRuleError):  # nor one's own account
            accounts.set_active(db.session, other, False, actor=other)
        # With a second active admin, either may go.
        assert accounts.change_role(db.session, other, Role.ADMIN)
        assert accounts.change_role(db.session, only, Role.VIEWER)
        with pytest.raises(accounts.AccountRuleError):
            accounts.set_active(db.session, other, False, actor=only)
        # An inactive admin does not count as the remaining one.
        assert accounts.change_role(db.session, only, Role.ADMIN)
        assert accounts.set_active(db.session, only, False, actor=other)
        with pytest.raises(accounts.AccountRuleError):
            accounts.change_role(db.session, other, Role.VIEWER)


@pytest.fixture(scope="module")
def race_app(database_url, tmp_path_factory):
    with scratch_app(database_url, tmp_path_factory.mktemp("race"), "race_admin") as app:
        yield app


def _two_admins(app) -> tuple[int, int]:
    with app.app_context():
        _db.session.execute(StaffUser.__table__.delete())
        ids = []
        for name in ("a", "b"):
            user = StaffUser(email=f"{name}@race-admin.test", role=Role.ADMIN, password_hash="x")
            _db.session.add(user)
            _db.session.flush()
            ids.append(user.id)
        _db.session.commit()
        _db.session.remove()
    return ids[0], ids[1]


def _at_once(app, actions) -> list[str]:
    """Run each ``action(session, target, actor)`` in its own thread and transaction."""
    barrier = threading.Barrier(len(actions))
    outcomes = [""] * len(actions)

    def run(i, action, target_id, actor_id):
        with app.test_request_context(method="POST"), app.app_context():
            session = _db.session
            target, actor = session.get(StaffUser, target_id), session.get(StaffUser, actor_id)
            try:
                action(session, target, actor)
                outcomes[i] = "done"
            except accounts.AccountRuleError:
                session.rollback()
                outcomes[i] = "refused"
            # Both have checked and changed before either commits, unless a lock made one
            # wait: then the barrier times out and the first commits alone.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=3)
            session.commit()
            _db.session.remove()

    threads = [threading.Thread(target=run, args=(i, *a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _active_admins(app) -> int:
    with app.app_context():
        count = _db.session.scalar(
            select(func.count()).select_from(StaffUser).where(StaffUser.role == Role.ADMIN, StaffUser.active)
        )
        _db.session.remove()
    return count


def _demote(session, target, actor):
    accounts.change_role(session, target, Role.VIEWER)


def _deactivate(session, target, actor):
    accounts.set_active(session, target, False, actor)


@pytest.mark.parametrize("action", [_demote, _deactivate], ids=["demote", "deactivate"])
def test_two_admins_taking_each_other_leave_one(race_app, database_url, action):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one writing request at a time (BEGIN IMMEDIATE); the race is PostgreSQL's")
    a, b = _two_admins(race_app)
    outcomes = _at_once(race_app, [(action, b, a), (action, a, b)])
    assert sorted(outcomes) == ["done", "refused"]
    assert _active_admins(race_app) == 1
