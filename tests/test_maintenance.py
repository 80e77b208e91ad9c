"""Backups that restore every response, and erasing contact data after retention."""

from __future__ import annotations

import os
import secrets
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from survey import frameworks, maintenance
from survey.exports import jobs
from survey.extensions import db as _db
from survey.models import AuditEvent, Enterprise, ExportJob, Invitation, JobState, Response, Role, WaveState
from survey.models.base import utcnow
from tests import factories
from tests.conftest import make_app
from tests.staff.staff_helpers import logged_in


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


def sqlite_app(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite'}")
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    return app


def backup(app, target):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", "-o", str(target)])
        _db.engine.dispose()
    return result


def test_a_backup_is_readable_by_the_app_user_only(tmp_path):
    old = os.umask(0o022)  # the usual umask, under which a plain open() makes 0644
    try:
        result = backup(sqlite_app(tmp_path), tmp_path / "copy.sqlite")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(tmp_path / "copy.sqlite").st_mode) == 0o600


@pytest.mark.parametrize("points_to", ["missing", "existing"])
def test_a_backup_never_follows_a_symlink(tmp_path, points_to):
    app = sqlite_app(tmp_path)
    target = tmp_path / "elsewhere.sqlite"
    if points_to == "existing":
        target.write_bytes(b"someone else's file")
    link = tmp_path / "backup.sqlite"
    link.symlink_to(target)

    result = backup(app, link)

    assert result.exit_code != 0 and "exists; choose a new file name" in result.output
    assert link.is_symlink()
    if points_to == "missing":
        assert not target.exists()  # a dangling link is not followed to create its target
    else:
        assert target.read_bytes() == b"someone else's file"


def test_a_backup_refuses_a_path_that_appears_before_it_is_created(tmp_path, monkeypatch):
    app = sqlite_app(tmp_path)
    target = tmp_path / "raced.sqlite"
    monkeypatch.setattr(maintenance.os.path, "lexists", lambda path: False)  # lost the race
    target.symlink_to(tmp_path / "nowhere")
    result = backup(app, target)
    assert result.exit_code != 0 and "exists" in result.output
    assert not (tmp_path / "nowhere").exists()


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


CONTACT = {"contact_name": "Lê Văn C", "contact_email": "c@example.vn", "contact_phone": "0225 111 222"}


def past_wave(name: str, state: WaveState = WaveState.CLOSED):
    return factories.wave(
        name=name,
        opens_at=utcnow() - timedelta(days=4000),
        closes_at=utcnow() - timedelta(days=3000),
        state=state,
    )


def contact_of(record) -> tuple:
    return (record.contact_name, record.contact_email, record.contact_phone)


def erase(runner, days: int = 365):
    result = runner.invoke(args=["erase-contacts", "--older-than-days", str(days)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_wave_left_open_past_its_closing_time_counts_as_closed(runner, db):
    never_closed = past_wave("Đợt quên đóng", state=WaveState.OPEN)
    closed_early = factories.wave(name="Đợt đóng sớm", state=WaveState.CLOSED)  # closes in 30 days
    old = factories.response(never_closed, **CONTACT)
    recent = factories.response(closed_early, **CONTACT)
    db.session.commit()

    assert "Erased the contact details of 1 responses" in erase(runner)

    db.session.expire_all()
    assert contact_of(old) == (None, None, None)
    assert contact_of(recent) == tuple(CONTACT.values())


def test_register_contacts_are_erased_once_every_wave_of_the_firm_is_past_retention(runner, db):
    old, recent = past_wave("Đợt 2015"), factories.wave(name="Đợt 2026")
    firms = {
        name: factories.enterprise(**CONTACT) for name in ("answered", "invited", "both", "fresh", "never")
    }
    factories.response(old, firms["answered"], **CONTACT)
    db.session.add(Invitation(wave=old, enterprise=firms["invited"], token_hash="a" * 64))
    factories.response(old, firms["both"], **CONTACT)
    db.session.add(Invitation(wave=recent, enterprise=firms["both"], token_hash="b" * 64))
    factories.response(old, firms["fresh"], **CONTACT)
    db.session.flush()
    long_ago = utcnow() - timedelta(days=2000)
    db.session.execute(
        update(Enterprise)
        .where(Enterprise.id.in_([f.id for name, f in firms.items() if name != "fresh"]))
        .values(updated_at=long_ago)
    )
    db.session.commit()

    assert "Erased the register contacts of 2 firms" in erase(runner)

    db.session.expire_all()
    erased = {name for name, firm in firms.items() if contact_of(firm) == (None, None, None)}
    # Kept: a firm invited to a current wave, one whose row an import changed since the
    # cutoff, and one never surveyed (its contact is the register's own).
    assert erased == {"answered", "invited"}
    assert contact_of(firms["both"]) == tuple(CONTACT.values())
    assert firms["answered"].name == "Công ty TNHH Thử Nghiệm"  # only the contact goes
    event = db.session.scalar(select(AuditEvent).filter_by(action="retention.contacts_erased"))
    assert (event.details["count"], event.details["enterprises"]) == (3, 2)


def test_export_files_with_contacts_of_erased_waves_are_deleted_and_cannot_be_downloaded(
    app, client, runner, db
):
    old, recent = past_wave("Đợt xuất cũ"), factories.wave(name="Đợt xuất mới")
    factories.response(old, **CONTACT)
    admin = logged_in(client, db, Role.ADMIN)
    folder = jobs.folder(app)

    def job(wave, kind: str = "responses", contacts: bool = True) -> tuple[ExportJob, Path]:
        name = f"{secrets.token_hex(8)}.xlsx"
        (folder / name).write_bytes(b"workbook with contacts")
        record = ExportJob(
            kind=kind,
            wave=wave,
            params={"contacts": contacts},
            requested_by_id=admin.id,
            state=JobState.DONE,
            file_name=name,
        )
        db.session.add(record)
        return record, folder / name

    with_contacts, its_file = job(old)
    kept = [job(old, contacts=False), job(old, kind="summary", contacts=False), job(recent)]
    db.session.commit()
    try:
        offered = client.get(f"/staff/exports/{with_contacts.id}/download")
        assert offered.status_code == 200
        offered.close()

        output = erase(runner)

        assert "Deleted 1 export files with their contact data (1 export jobs marked erased)" in output
        assert not its_file.exists()
        db.session.expire_all()
        assert (with_contacts.state, with_contacts.file_name) == (JobState.FAILED, None)
        assert with_contacts.error == maintenance.ERASED_EXPORT
        assert client.get(f"/staff/exports/{with_contacts.id}/download").status_code == 404
        for record, path in kept:
            assert record.state is JobState.DONE and path.exists()
        event = db.session.scalar(select(AuditEvent).filter_by(action="retention.contacts_erased"))
        assert (event.details["export_files"], event.details["export_jobs"]) == (1, 1)
        assert event.details["waves"] == [old.id]
    finally:
        for _, path in kept:
            path.unlink(missing_ok=True)


def test_free_text_answers_to_the_modules_are_erased_with_the_contacts_ratings_stay(runner, db):
    from survey.responses import modules

    framework = frameworks.load("dbi-2021-sme", 1)
    old = factories.with_modules(past_wave("Đợt cũ có rào cản"), "barriers-needs")
    recent = factories.with_modules(factories.wave(name="Đợt mới có rào cản"), "barriers-needs")
    words = {"cost": 5, "needs": ["cloud"], "proposals": "Gọi cho chị Lan, 0912 345 678"}
    gone = factories.response(old, answers=factories.answers_at(framework, 0.5))
    kept = factories.response(recent, answers=factories.answers_at(framework, 0.5))
    factories.answer_module(gone, "barriers-needs", words)
    factories.answer_module(kept, "barriers-needs", words)
    db.session.commit()
    output = erase(runner)
    assert "Erased 1 free-text answers to the unscored modules." in output
    db.session.expire_all()
    (carried,) = modules.carried(gone.wave)
    left = modules.answers_of(gone, carried)
    assert left["cost"] == 5 and left["needs"] == ["cloud"] and left.get("proposals") is None
    (carried,) = modules.carried(kept.wave)
    assert modules.answers_of(kept, carried)["proposals"] == words["proposals"]
    event = db.session.scalar(select(AuditEvent).filter_by(action="retention.contacts_erased"))
    assert event.details["module_texts"] == 1
