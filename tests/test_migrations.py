"""Migrations: one head, no drift from the models, and a clean downgrade, on both databases."""

from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from survey.extensions import db
from tests.conftest import make_app, scratch_database


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database of its own, so these tests cannot disturb the shared one."""
    with scratch_database(database_url, "mig", tmp_path) as url:
        yield url


def test_exactly_one_head(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config(app.extensions["migrate"].directory)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_matches_models_and_downgrade_empties(scratch_url):
    app = make_app(scratch_url)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            drift = compare_metadata(MigrationContext.configure(conn), db.metadata)
            tables = set(inspect(conn).get_table_names())
        assert drift == [], f"models and migrations differ: {drift}"
        assert {"responses", "enterprises", "framework_versions", "audit_events"} <= tables

        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}

        # And back up again: a downgrade leaves nothing that blocks a new upgrade.
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            assert "responses" in inspect(conn).get_table_names()
        db.engine.dispose()


def test_constraints_follow_the_naming_convention(app, db):
    inspector = inspect(db.session.connection())
    uniques = {c["name"] for c in inspector.get_unique_constraints("responses")}
    fks = {c["name"] for c in inspector.get_foreign_keys("responses")}
    assert "uq_responses_enterprise_id_wave_id" in uniques
    assert "fk_responses_wave_id_waves" in fks


def test_responses_leave_room_for_updates_in_place_on_postgresql(scratch_url):
    """The rows re-scoring rewrites keep free room on their pages (fillfactor), so that
    PostgreSQL can update them in place; the migration and the models say the same."""
    app = make_app(scratch_url)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            db.engine.dispose()
            pytest.skip("fillfactor is a PostgreSQL setting")
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            migrated = dict(
                conn.exec_driver_sql(
                    "SELECT relname, reloptions FROM pg_class "
                    "WHERE relname IN ('responses', 'response_pillar_scores')"
                ).all()
            )
        db.engine.dispose()
    assert migrated == {"responses": ["fillfactor=70"], "response_pillar_scores": ["fillfactor=80"]}
    for name, options in migrated.items():
        assert options == [f"fillfactor={db.metadata.tables[name].kwargs['postgresql_with']['fillfactor']}"]
