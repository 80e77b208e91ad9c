"""One unit of work (survey/work.py): begin, commit once, roll back on any error.

These run on a scratch database of their own: what they prove is what reaches the
database for real, which the suite's rolled-back test transaction would hide.
"""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from survey import work
from survey.extensions import db
from survey.models import AdminUnit, AuditEvent
from tests.concurrency import scratch_app

SURVEY = Path(__file__).resolve().parents[2] / "survey"


def _events(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).filter_by(action=action))


@pytest.fixture
def app_with_probes(database_url, tmp_path):
    """A scratch app with four probe views, wrapped like every other view."""
    with scratch_app(database_url, tmp_path, "unit_of_work") as app:
        mailed: list[str] = []

        @work.writes
        def writes_and_returns():
            db.session.add(AuditEvent(action="probe.kept", details={}))
            work.after_commit(lambda: mailed.append("kept"))
            return "", 204

        @work.writes
        def writes_and_raises():
            db.session.add(AuditEvent(action="probe.lost", details={}))
            db.session.flush()
            work.after_commit(lambda: mailed.append("lost"))
            raise RuntimeError("the view failed after writing")

        @work.writes
        def writes_and_refuses():
            db.session.add(AuditEvent(action="probe.refused", details={}))
            from flask import abort

            abort(409)

        def reads_but_writes():
            db.session.add(AuditEvent(action="probe.undeclared", details={}))
            db.session.flush()
            return "", 204

        for view in (writes_and_returns, writes_and_raises, writes_and_refuses, reads_but_writes):
            app.add_url_rule(f"/_probe/{view.__name__}", view_func=view, methods=["GET", "POST"])
        work.wrap_views(app)
        app.config["WTF_CSRF_ENABLED"] = False
        app.mailed = mailed
        yield app


def test_a_view_that_returns_commits_once_and_then_runs_what_waited_for_the_commit(app_with_probes):
    assert app_with_probes.test_client().post("/_probe/writes_and_returns").status_code == 204
    assert _events(app_with_probes, "probe.kept") == 1
    assert app_with_probes.mailed == ["kept"]


def _raised(caplog) -> list[type]:
    """The exceptions the app's error page logged (it answers 500 instead of raising)."""
    return [record.exc_info[0] for record in caplog.records if record.exc_info]


def test_a_view_that_raises_after_writing_leaves_nothing_and_sends_nothing(app_with_probes, caplog):
    assert app_with_probes.test_client().post("/_probe/writes_and_raises").status_code == 500
    assert _raised(caplog) == [RuntimeError]
    assert _events(app_with_probes, "probe.lost") == 0
    assert app_with_probes.mailed == []


def test_an_aborted_view_keeps_nothing(app_with_probes):
    assert app_with_probes.test_client().post("/_probe/writes_and_refuses").status_code == 409
    assert _events(app_with_probes, "probe.refused") == 0


def test_a_view_not_declared_as_writing_cannot_write(app_with_probes, caplog):
    assert app_with_probes.test_client().get("/_probe/reads_but_writes").status_code == 500
    assert _raised(caplog) == [work.ReadOnlyWork]
    assert _events(app_with_probes, "probe.undeclared") == 0


def test_a_failing_command_keeps_none_of_what_it_did_before_failing(database_url, tmp_path):
    """seed-reference loads the units, then refuses the sectors file: the units stay as they were."""
    with scratch_app(database_url, tmp_path, "unit_of_work_cli", "seed-reference") as app:
        units = (SURVEY / "data" / "admin_units.csv").read_text(encoding="utf-8").splitlines()
        code = units[1].split(",")[0]
        units[1] = units[1].replace(units[1].split(",")[1], "Phường Đổi Tên")
        (tmp_path / "units.csv").write_text("\n".join(units) + "\n", encoding="utf-8")
        (tmp_path / "sectors.csv").write_text("not,a,sector,file\n1,2,3,4\n", encoding="utf-8")
        result = app.test_cli_runner().invoke(
            args=[
                "seed-reference",
                "--units",
                str(tmp_path / "units.csv"),
                "--sectors",
                str(tmp_path / "sectors.csv"),
            ]
        )
        assert result.exit_code != 0
        with app.app_context():
            unit = db.session.scalars(select(AdminUnit).filter_by(code=code)).one()
            assert unit.name_vi != "Phường Đổi Tên"


@pytest.mark.parametrize("writes", [True, False])
def test_on_sqlite_work_that_writes_holds_the_write_lock_from_its_first_read(database_url, tmp_path, writes):
    """A deferred transaction that reads first could not wait for the lock when it came to write."""
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL locks rows")
    with scratch_app(database_url, tmp_path, "unit_of_work_lock") as app, app.app_context():
        path = make_url(db.engine.url).database
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            with work.unit(writes=writes):
                db.session.scalar(select(func.count()).select_from(AuditEvent))  # a read, nothing more
                if writes:
                    with pytest.raises(sqlite3.OperationalError, match="locked"):
                        other.execute("BEGIN IMMEDIATE")
                else:
                    other.execute("BEGIN IMMEDIATE")
                    other.execute("ROLLBACK")
        finally:
            other.close()


def _commits(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
    ]


def test_nothing_in_the_app_commits_but_the_unit_of_work():
    found = {
        str(path.relative_to(SURVEY.parent)): lines
        for path in SURVEY.rglob("*.py")
        if path.name != "work.py" and (lines := _commits(path))
    }
    assert found == {}, f"commit() outside survey/work.py: {found}"
