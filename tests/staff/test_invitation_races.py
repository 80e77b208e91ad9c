"""Issuing and reissuing links at the same moment: never a 500, never two live links.

Committed transactions on a database of their own (the suite's rolled-back test
transaction cannot be shared by two threads). On SQLite writers are serialised by
``BEGIN IMMEDIATE`` already; on PostgreSQL the wave's row lock does it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Invitation, Role, StaffUser
from tests import factories
from tests.concurrency import at_once, scratch_app
from tests.staff.staff_helpers import PASSWORD, login, staff_token

ROUNDS = 4


@pytest.fixture(scope="module")
def race_app(database_url, tmp_path_factory):
    with scratch_app(database_url, tmp_path_factory.mktemp("race"), "race_inv", "seed-reference") as app:
        with app.app_context():
            factories.framework_version(1)
            for n in range(2):
                user = StaffUser(email=f"analyst{n}@race.test", role=Role.ANALYST)
                user.set_password(PASSWORD)
                db.session.add(user)
            db.session.commit()
        yield app


def _together(posts) -> list[int]:
    """Each (client, path, data) POST in its own thread, released at once: their statuses."""
    return at_once([lambda c=c, p=p, d=d: c.post(p, data=d).status_code for c, p, d in posts])


def _clients(app):
    clients = []
    for n in range(2):
        client = app.test_client()
        assert login(client, f"analyst{n}@race.test").status_code == 302
        clients.append(client)
    return clients


def test_two_issues_at_once_give_each_firm_one_live_link(race_app):
    clients = _clients(race_app)
    for _ in range(ROUNDS):
        with race_app.app_context():
            wave = factories.wave()
            for _ in range(30):
                factories.enterprise()
            db.session.commit()
            wave_id = wave.id
        path = f"/staff/invitations/{wave_id}/issue"
        posts = [(c, path, {"csrf_token": staff_token(c)}) for c in clients]
        assert _together(posts) == [200, 200]
        with race_app.app_context():
            live = db.session.execute(
                select(Invitation.enterprise_id, func.count())
                .where(Invitation.wave_id == wave_id, Invitation.revoked_at.is_(None))
                .group_by(Invitation.enterprise_id)
            ).all()
            assert live and all(n == 1 for _firm, n in live)


def test_two_reissues_of_one_link_at_once_leave_one_live_link(race_app):
    clients = _clients(race_app)
    for _ in range(ROUNDS):
        with race_app.app_context():
            wave = factories.wave()
            firm = factories.enterprise()
            invitation = Invitation(wave_id=wave.id, enterprise=firm, token_hash=f"{wave.id:064d}")
            db.session.add(invitation)
            db.session.commit()
            wave_id, invitation_id = wave.id, invitation.id
        path = f"/staff/invitations/link/{invitation_id}/reissue"
        posts = [(c, path, {"csrf_token": staff_token(c)}) for c in clients]
        assert sorted(_together(posts)) == [200, 409]
        with race_app.app_context():
            live = db.session.scalar(
                select(func.count()).where(Invitation.wave_id == wave_id, Invitation.revoked_at.is_(None))
            )
            assert live == 1
