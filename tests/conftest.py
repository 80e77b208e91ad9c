"""Fixtures: one migrated database per run, each test in a rolled-back transaction.

The suite runs on SQLite by default and on PostgreSQL when SURVEY_TEST_DATABASE_URL
names one. The schema comes from the migrations (not ``create_all``), so every run
also proves that the migrations build what the models describe.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

import flask_migrate
import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from survey import create_app
from survey.extensions import db as _db
from survey.extensions import limiter
from survey.registry import reference_data

TEST_SECRET = "test-secret-key-not-for-production"


@pytest.hookimpl(tryfirst=True)  # before -m deselects, so that `-m "not slow"` sees the mark
def pytest_collection_modifyitems(items):
    """Browser tests count as slow: `make check` (pytest -m "not slow") leaves them out."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


def make_app(database_url: str, **extra):
    # Export jobs run inside the request in tests: a thread could not share the test's
    # transaction (the live server of the browser tests runs them in threads, as production does).
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": TEST_SECRET,
            "EXPORT_INLINE": True,
            **extra,
        }
    )


@contextmanager
def scratch_database(database_url: str, suffix: str, folder):
    """An empty database of its own beside the test database: a SQLite file in
    ``folder``, or a PostgreSQL database named ``<test database>_<suffix>``."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{folder / (suffix + '.sqlite')}"
        return
    name = f"{url.database}_{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("SURVEY_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


def _drop_everything() -> None:
    """Start from an empty database even if a previous run left tables behind."""
    _db.drop_all()
    with _db.engine.begin() as conn:
        if "alembic_version" in inspect(conn).get_table_names():
            conn.execute(text("DROP TABLE alembic_version"))


@pytest.fixture(scope="session")
def app(database_url):
    app = make_app(database_url)
    with app.app_context():
        _drop_everything()
        flask_migrate.upgrade()
        reference_data.load_units(_db.session)
        reference_data.load_sectors(_db.session)
        reference_data.load_reference_figures(_db.session)
        reference_data.record_frameworks(_db.session)
        reference_data.record_modules(_db.session)
        _db.session.commit()
        _db.session.remove()
        # Sessions join the per-test transaction through a SAVEPOINT, so code under test
        # may commit and roll back as it does in production.
        _db.session.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database, inside a transaction rolled back after the test."""
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection
        try:
            yield _db
        finally:
            _db.session.remove()
            transaction.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture
def own_app(database_url):
    """Make apps of their own (other settings) on the test database.

    Their connection pools are closed afterwards: psycopg warns about a connection left
    to the garbage collector, and the suite treats warnings as errors.
    """
    made = []

    def make(**extra):
        app = make_app(database_url, **extra)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            _db.engine.dispose()


class Client(FlaskClient):
    """A test client whose requests run as in production, each in its own app context.

    Without this, a request would reuse the test's app context: its database session,
    ``g`` and per-request caches (such as the chosen language) would leak between
    requests. Afterwards the test's own session forgets what it had cached, so it
    sees what the request wrote.
    """

    def open(self, *args, **kwargs):
        _db.session.flush()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response

    def csrf_token(self, path: str = "/") -> str:
        page = self.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)


@pytest.fixture
def client(app, db):
    # Rate-limit counters live as long as the app; each test starts with none used.
    limiter.reset()
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def framework_version(db):
    from sqlalchemy import select

    from survey.models import FrameworkVersion

    return db.session.scalars(select(FrameworkVersion).filter_by(code="dbi-2021-sme", version=1)).one()


@pytest.fixture
def framework():
    from survey import frameworks

    return frameworks.load("dbi-2021-sme", 1)


# The staff fixtures (logged-in clients by role) serve tests outside tests/staff too.
from tests.staff.conftest import as_role  # noqa: E402, F401
