"""A database of its own for the job tests (workers in other processes must see what the
test commits), with a wave of responses and an analyst, shared by the module's tests."""

from __future__ import annotations

import pytest

from survey import frameworks
from survey.extensions import db as _db
from survey.models import Role, StaffUser
from tests import factories
from tests.conftest import make_app, scratch_database
from tests.jobs.helpers import FAST

PASSWORD = "a-long-test-password"
EMAIL = "worker.analyst@staff.example.org"
ADMIN_EMAIL = "worker.admin@staff.example.org"
RESPONSES = 8


@pytest.fixture(scope="session")
def jobs_database(database_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("jobsdb")
    with scratch_database(database_url, "jobs", folder) as url:
        app = make_app(url)
        runner = app.test_cli_runner()
        for args in (["init-db"], ["seed-reference"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        framework = frameworks.load("dbi-2021-sme", 1)
        with app.app_context():
            wave = factories.wave(name="Đợt hàng đợi")
            for index in range(RESPONSES):
                firm = factories.enterprise(contact_email=f"q{index}@example.vn")
                factories.response(wave, firm, factories.answers_at(framework, index / RESPONSES))
            for email, role in ((EMAIL, Role.ANALYST), (ADMIN_EMAIL, Role.ADMIN)):
                user = StaffUser(email=email, role=role)
                user.set_password(PASSWORD)
                _db.session.add(user)
            wave_id = wave.id  # before the commit: reading it after would check out a connection
            _db.session.commit()
            _db.session.remove()
            _db.engine.dispose()
        yield url, wave_id


@pytest.fixture
def site(jobs_database, tmp_path):
    """Settings one installation's app servers and workers share, and a way to make apps."""
    url, wave_id = jobs_database
    settings = {
        "DATABASE_URL": url,
        "JOBS_URL": f"sqlite:///{tmp_path / 'queue' / 'jobs.sqlite'}",
        "EXPORT_DIR": str(tmp_path / "exports"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "EXPORT_MAX_PENDING_PER_USER": 100,
        "SECRET_KEY": "test-secret-key-not-for-production",
        **FAST,
    }
    made = []

    def app(**extra):
        made.append(make_app(url, **{**settings, "EXPORT_INLINE": False, **extra}))
        return made[-1]

    yield Site(settings, app, wave_id)
    for each in made:
        with each.app_context():
            _db.engine.dispose()


class Site:
    def __init__(self, settings: dict, app, wave_id: int) -> None:
        self.settings = settings
        self.app = app
        self.wave_id = wave_id
