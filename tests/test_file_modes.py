"""Files with personal data are the app user's alone, whatever the process umask.

Every test sets the common umask 022 first: without explicit modes the files would then
be created 0644, readable by every account on the machine.
"""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from sqlalchemy import select, text

from survey import files
from survey.exports import jobs
from survey.extensions import db as _db
from survey.models import ExportJob, JobState, Role
from tests import factories
from tests.conftest import make_app
from tests.staff.staff_helpers import logged_in


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def common_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_sqlite_database_and_its_wal_files_are_private(tmp_path):
    path = tmp_path / "survey.sqlite"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        with _db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        # The WAL files exist while a connection is open.
        assert {mode(path), mode(f"{path}-wal"), mode(f"{path}-shm")} == {0o600}
        _db.engine.dispose()


def test_an_existing_readable_database_is_tightened_when_the_app_connects(tmp_path):
    path = tmp_path / "old.sqlite"
    sqlite3.connect(path).close()  # made before modes were set: 0644 under this umask
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"old.sqlite{suffix}").touch()
    assert {mode(path), mode(f"{path}-wal"), mode(f"{path}-shm")} == {0o644}
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        _db.session.execute(text("SELECT 1"))
        _db.session.remove()
        _db.engine.dispose()
    assert {mode(path), mode(f"{path}-wal"), mode(f"{path}-shm")} == {0o600}


def test_the_instance_folder_is_tightened_when_the_app_connects(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(instance))
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert app.instance_path == str(instance)
    with app.app_context():
        _db.session.execute(text("SELECT 1"))
        _db.session.remove()
        _db.engine.dispose()
    assert mode(instance) == 0o700


def test_an_export_workbook_is_private(client, db):
    logged_in(client, db, Role.ANALYST)
    wave = factories.wave(name="Đợt quyền tệp")
    factories.response(wave, factories.enterprise(), {}, submit=False)
    db.session.commit()
    token = client.csrf_token(f"/staff/dashboard?wave={wave.id}")
    response = client.post("/staff/exports", data={"csrf_token": token, "wave": wave.id, "kind": "responses"})
    assert response.status_code == 303
    job = db.session.scalars(select(ExportJob).filter_by(wave_id=wave.id)).one()
    assert job.state is JobState.DONE
    path = jobs.folder() / job.file_name
    try:
        assert mode(path) == 0o600
    finally:
        path.unlink()


def test_create_private_never_follows_a_symlink_or_overwrites(tmp_path):
    target = tmp_path / "elsewhere"
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(FileExistsError):
        files.create_private(tmp_path / "link")
    assert not target.exists()
    (tmp_path / "there").write_bytes(b"keep")
    with pytest.raises(FileExistsError):
        files.create_private(tmp_path / "there")
    assert (tmp_path / "there").read_bytes() == b"keep"
    with files.create_private(tmp_path / "new") as fh:
        fh.write(b"x")
    assert mode(tmp_path / "new") == 0o600
