"""The job API (survey.jobs) and the export job's rules, in the test process: the queue's
storage from the settings, a registered job run in an app context, a real SQLite queue
drained by a worker thread, a failing export failed with its message, the claim taken
once, and the sweep that queues lost jobs again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from survey import jobs, work
from survey.config import ConfigError
from survey.exports import jobs as export_jobs
from survey.jobs import tracked
from survey.models import ExportJob, JobState, Role, StaffUser
from survey.models.base import utcnow
from tests.conftest import make_app
from tests.dashboard.test_export_jobs import request_export
from tests.jobs.conftest import EMAIL, PASSWORD, RESPONSES
from tests.jobs.helpers import ThreadWorker, ask_for_export, log_in, wait_for
from tests.staff.conftest import make_staff

SEEN = []


@jobs.job("tests.remember")
def remember(**params) -> None:
    from flask import current_app

    SEEN.append((current_app.name, params))


def test_the_default_queue_is_a_sqlite_file_of_its_own_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    app = make_app(f"sqlite:///{tmp_path / 'survey.sqlite'}", EXPORT_INLINE=False)
    assert app.config["JOBS_URL"] == f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    assert app.config["EXPORT_DIR"] == str(tmp_path / "exports")
    huey = jobs.queue(app).huey
    assert isinstance(huey, SqliteHuey) and Path(huey.storage.filename) == tmp_path / "jobs.sqlite"
    assert any(name.endswith(jobs.SWEEP_NAME) for name in huey._registry._registry)  # each minute
    assert (tmp_path / "jobs.sqlite").stat().st_mode & 0o077 == 0


def test_a_redis_url_gives_the_redis_queue_and_the_apps_database_is_refused(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'a.sqlite'}", JOBS_URL="redis://127.0.0.1:6379/3")
    assert isinstance(jobs.queue(app).huey, RedisHuey)
    with pytest.raises(ConfigError, match="JOBS_URL"):
        make_app(f"sqlite:///{tmp_path / 'a.sqlite'}", JOBS_URL=f"sqlite:///{tmp_path / 'a.sqlite'}")
    with pytest.raises(ConfigError, match="JOBS_URL"):
        make_app(f"sqlite:///{tmp_path / 'a.sqlite'}", JOBS_URL="amqp://broker")
    with pytest.raises(ConfigError, match="JOBS_STALE_SECONDS"):
        make_app(f"sqlite:///{tmp_path / 'a.sqlite'}", JOBS_HEARTBEAT_SECONDS=60, JOBS_STALE_SECONDS=90)


def test_a_registered_job_runs_in_an_app_context_with_its_params(app, db):
    SEEN.clear()
    jobs.enqueue("tests.remember", wave_id=7, lang="vi")  # JOBS_INLINE in the tests
    assert [(app.name, {"wave_id": 7, "lang": "vi"})] == SEEN
    with pytest.raises(jobs.UnknownJob):
        jobs.enqueue("tests.no-such-job")


def test_a_real_sqlite_queue_drained_by_a_worker_thread(site):
    app = site.app()
    assert not app.config["JOBS_INLINE"]
    client = app.test_client()
    log_in(client, EMAIL, PASSWORD)
    job_id = ask_for_export(client, site.wave_id)
    assert wait_for(app, job_id, states=(JobState.QUEUED,), timeout=1)  # nobody took it yet
    worker = ThreadWorker(app)
    try:
        job = wait_for(app, job_id)
    finally:
        worker.stop()
    assert job.state is JobState.DONE and job.rows_done == RESPONSES and job.attempts == 1
    assert (Path(site.settings["EXPORT_DIR"]) / job.file_name).exists()


@pytest.fixture
def wave(db):
    from tests import factories

    wave = factories.wave(name="Đợt lỗi")
    factories.response(wave, factories.enterprise(), {}, submit=False)
    db.session.commit()
    return wave


def test_an_export_that_raises_is_failed_with_its_message_and_leaves_no_file(
    app, client, db, as_role, wave, monkeypatch
):
    def broken(job, path):
        path.write_bytes(b"half a workbook")
        raise RuntimeError("the disk is full\n[SQL: SELECT secret]")

    monkeypatch.setattr(export_jobs, "_write", broken)
    before = set(export_jobs.folder(app).iterdir())
    as_role(Role.ANALYST)
    assert request_export(client, wave, "responses").status_code == 303
    job = db.session.scalars(select(ExportJob)).one()
    assert job.state is JobState.FAILED and job.error == "RuntimeError: the disk is full"
    assert job.attempts == 1 and job.finished_at is not None
    assert set(export_jobs.folder(app).iterdir()) == before


def queued(db, wave, **fields) -> ExportJob:
    user = db.session.scalar(select(StaffUser).filter_by(email="queue@staff.example.org")) or make_staff(
        db, Role.ANALYST, email="queue@staff.example.org"
    )
    job = ExportJob(kind="summary", wave_id=wave.id, params={}, requested_by_id=user.id, **fields)
    db.session.add(job)
    db.session.commit()
    return job


def test_only_one_worker_claims_a_job(app, db, wave):
    job = queued(db, wave)
    with app.app_context():
        assert tracked.claim(ExportJob, job.id, "first") is True
        assert tracked.claim(ExportJob, job.id, "second") is False
    db.session.expire_all()
    assert (job.state, job.worker, job.attempts) == (JobState.RUNNING, "first", 1)
    # The first worker's outcome counts; another attempt's does not.
    with app.app_context(), work.unit(writes=True):
        assert tracked.finish(ExportJob, job.id, "second", state=JobState.DONE) is False


def test_the_sweep_queues_a_lost_job_again_and_a_worker_runs_it(app, db, wave):
    job = queued(db, wave)
    job.updated_at = utcnow() - timedelta(seconds=app.config["JOBS_STALE_SECONDS"] + 1)
    fresh = queued(db, wave)
    db.session.commit()
    jobs.sweep(app)  # what the worker does at start and each minute
    db.session.expire_all()
    assert job.state is JobState.DONE and job.attempts == 1  # queued again, run inline here
    assert fresh.state is JobState.QUEUED  # waiting its turn, not lost


def test_a_heartbeat_beats_while_the_block_runs():
    import time

    beats = []
    with jobs.beating(lambda: beats.append(1), 0.01):
        time.sleep(0.2)
    count = len(beats)
    time.sleep(0.05)
    assert count >= 3 and len(beats) == count
