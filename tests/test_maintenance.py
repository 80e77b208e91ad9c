"""Backups that restore every response, and erasing contact data after retention."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from survey import frameworks
from survey.extensions import db as _db
from survey.models import AuditEvent, Response, WaveState
from survey.models.base import utcnow
from tests import factories
from tests.conftest import make_app


def test_backup_restores_every_response(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite'}")
    runner = app.test_cli_runner()
    for args in (["init-db"], ["seed-reference"], ["seed-demo", "--firms", "80", "--seed", "3"]):
        assert runner.invoke(args=args).exit_code == 0
    with app.app_context():
        counts = _db.session.execute(select(Response.state, func.count()).group_by(Response.state)).all()
        result = runner.invoke(args=["backup", "-o", str(tmp_path / "copy.sqlite")])
        _db.session.rollback()
        _db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    restored = make_app(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    with restored.app_context():
        copied = _db.session.execute(select(Response.state, func.count()).group_by(Response.state)).all()
        _db.engine.dispose()
    assert sorted(copied) == sorted(counts) and sum(n for _, n in counts) > 50
    # Never overwrites an existing file.
    again = runner.invoke(args=["backup", "-o", str(tmp_path / "copy.sqlite")])
    assert again.exit_code != 0 and "exists" in again.output


def test_backup_of_postgresql_points_to_pg_dump(tmp_path):
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = app.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "never.sqlite")])
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_erase_contacts_after_retention_keeps_scorecards(runner, db):
    framework = frameworks.load("dbi-2021-sme", 1)
    old = factories.wave(
        name="Đợt cũ",
        opens_at=utcnow() - timedelta(days=4000),
        closes_at=utcnow() - timedelta(days=3000),
        state=WaveState.CLOSED,
    )
    recent = factories.wave(name="Đợt mới")
    kept = factories.response(
        recent, answers=factories.answers_at(framework, 0.5), contact_email="a@example.vn"
    )
    erased = factories.response(
        old, answers=factories.answers_at(framework, 0.5), contact_email="b@example.vn", contact_name="B"
    )
    level = erased.overall_level
    db.session.commit()
    result = runner.invoke(args=["erase-contacts", "--older-than-days", "365"])
    assert result.exit_code == 0 and "Erased the contact details of 1 responses" in result.output
    db.session.expire_all()
    assert (erased.contact_email, erased.contact_name, erased.contact_phone) == (None, None, None)
    assert erased.overall_level == level and len(erased.pillar_scores) == 6
    assert kept.contact_email == "a@example.vn"
    event = db.session.scalar(select(AuditEvent).filter_by(action="retention.contacts_erased"))
    assert event.details["count"] == 1
