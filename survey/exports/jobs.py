"""Building export workbooks on the job queue, so no request has to wait for one.

A 100,000-response workbook takes longer than a WSGI worker's request timeout, so a
request only records an ``ExportJob`` (queued) and, once that is committed, queues the
job "export" (survey/jobs). A worker process then:

1. claims the row with one conditional UPDATE (queued -> running, attempts + 1, its name
   and a heartbeat, ``WHERE state = 'queued'``): of two workers given the same job, one
   wins and the other does nothing;
2. writes the workbook into EXPORT_DIR in a read-only unit, recording its progress (and
   a heartbeat, also from a thread every JOBS_HEARTBEAT_SECONDS) in short units beside it;
3. finishes in one short unit: done with the file's name, or failed with the error. Any
   exception after the claim fails the job; a job claimed by another attempt meanwhile
   is left to it (and this attempt's file deleted).

A job whose worker died (killed, the machine restarted) stops beating: the sweep, run by
every worker at start and each minute, queues it again, or fails it after
JOBS_MAX_ATTEMPTS claims; a queued job whose message was lost is queued again. So no job
stays queued or running for ever. The file store is one folder, EXPORT_DIR, that every
app server reaches (a shared mount with several servers): any of them serves the file.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from survey import files, jobs, work
from survey.exports.cells import ERASED_ID
from survey.extensions import db
from survey.models import ExportJob, JobState, StaffUser
from survey.models.base import utcnow
from survey.models.export_job import PENDING_STATES
from survey.responses.scoring import framework_of

PROGRESS_EVERY = 2000


def folder(app: Flask | None = None) -> Path:
    """EXPORT_DIR, made if missing (0700: the files hold contact data)."""
    return files.private_folder((app or current_app).config["EXPORT_DIR"])


def has_room(session: Session, user: StaffUser) -> bool:
    """Whether ``user`` may queue another job (fewer than EXPORT_MAX_PENDING_PER_USER pending).

    One viewer once queued 60 at once, each a thread and a workbook. The user's own row
    is locked first (SELECT … FOR UPDATE on PostgreSQL; SQLite's write requests run one
    at a time anyway), so that simultaneous requests of one user are counted one after
    another and cannot all slip under the cap. Call it in the transaction that adds the job.
    """
    session.execute(select(StaffUser.id).where(StaffUser.id == user.id).with_for_update())
    pending = session.scalar(
        select(func.count())
        .select_from(ExportJob)
        .where(ExportJob.requested_by_id == user.id, ExportJob.state.in_(PENDING_STATES))
    )
    return pending < current_app.config["EXPORT_MAX_PENDING_PER_USER"]


def start(job_id: int) -> None:
    """Queue job ``job_id`` (committed) for a worker (at once, inline, with JOBS_INLINE).

    Takes the id, not the object: reading a committed object would open a new
    transaction in the caller's session for nothing.
    """
    jobs.enqueue("export", job_id=job_id)


@jobs.job("export")
def run_export(job_id: int) -> None:
    """The job in three units: claim it, write the file (reading only), record the outcome."""
    app = current_app._get_current_object()
    worker = f"{jobs.worker_name()}:{secrets.token_hex(4)}"
    if not _claim(job_id, worker):
        return  # another worker has it, or it was finished, failed or erased meanwhile
    path = None
    try:
        path = folder(app) / f"{job_id}-{secrets.token_hex(8)}.xlsx"
        with _heartbeat(app, job_id, worker), work.unit(writes=False):
            _write(db.session.get(ExportJob, job_id), path)
        with work.unit(writes=True):
            finished = _finish(job_id, worker, state=JobState.DONE, file_name=path.name, error=None)
        if not finished:
            path.unlink(missing_ok=True)  # the job was taken from this attempt (swept)
    except Exception as exc:
        app.logger.exception("export job %s failed", job_id)
        if path is not None:
            path.unlink(missing_ok=True)
        # First line only: SQLAlchemy's further lines quote the statement and its values.
        message = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
        with work.unit(writes=True):
            _finish(job_id, worker, state=JobState.FAILED, file_name=None, error=message[:500])


def _claim(job_id: int, worker: str) -> bool:
    """queued -> running for this worker, in one statement: only one claimant wins."""
    now = utcnow()
    with work.unit(writes=True):
        claimed = db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.state == JobState.QUEUED)
            .values(
                state=JobState.RUNNING,
                attempts=ExportJob.attempts + 1,
                worker=worker,
                heartbeat_at=now,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    return claimed == 1


def _finish(job_id: int, worker: str, **values) -> bool:
    """The outcome, if the job is still this attempt's (running, claimed by ``worker``)."""
    now = utcnow()
    return (
        db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.state == JobState.RUNNING, ExportJob.worker == worker)
            .values(finished_at=now, updated_at=now, heartbeat_at=now, **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def _heartbeat(app: Flask, job_id: int, worker: str):
    """A thread writing the heartbeat while the file is written (not inline: the tests'
    inline jobs share one connection, and a request that dies takes its job with it)."""
    if app.config["JOBS_INLINE"]:
        return _nothing()

    def beat() -> None:
        with app.app_context(), work.beside() as session:
            session.execute(
                update(ExportJob)
                .where(ExportJob.id == job_id, ExportJob.worker == worker)
                .values(heartbeat_at=utcnow())
            )

    return jobs.beating(beat, app.config["JOBS_HEARTBEAT_SECONDS"])


def _nothing():
    from contextlib import nullcontext

    return nullcontext()


def _progress(job_id: int, **counts: int) -> None:
    """Record how far the job is, at once, beside the long read that writes the file."""
    with work.beside() as session:
        session.execute(
            update(ExportJob).where(ExportJob.id == job_id).values(heartbeat_at=utcnow(), **counts)
        )


def _write(job: ExportJob, path: Path) -> None:
    from survey.exports import module_columns, workbooks
    from survey.exports import rows as export_rows
    from survey.exports.summary import write_summary
    from survey.reports import privacy

    params = job.params
    filters = params.get("filters", {})
    wave = job.wave
    framework = framework_of(wave.framework_version)
    wave_info = {"id": wave.id, "name": wave.name, "year": wave.year}
    if job.kind == "summary":
        # The same function as ``flask export summary``: the same workbook.
        with files.create_private(path) as target:  # 0600, as every export file
            write_summary(
                target,
                db.session,
                wave,
                filters,
                lang=params.get("lang", "vi"),
                min_group=privacy.min_group(),
                strata=current_app.config["ROLLUP_STRATA"],
                labels=params.get("labels", "codes"),
            )
        return
    _progress(job.id, rows_total=export_rows.count_responses(db.session, wave, filters))
    contacts = bool(params.get("contacts"))
    personal_ids = bool(params.get("personal_ids"))
    lang = params.get("lang", "vi")
    requester = db.session.get(StaffUser, job.requested_by_id)

    def counted(records):
        for done, record in enumerate(records, start=1):
            yield record
            if done % PROGRESS_EVERY == 0:
                _progress(job.id, rows_done=done)

    with files.create_private(path) as target:  # 0600: it holds contact data
        written = workbooks.write_responses_workbook(
            target,
            framework,
            counted(
                export_rows.response_rows(
                    db.session,
                    wave,
                    filters,
                    contacts=contacts,
                    personal_ids=personal_ids,
                    erased=ERASED_ID.get(lang, ERASED_ID["vi"]),
                    modules=True,
                )
            ),
            wave_info=wave_info,
            filters=filters,
            exported_by=requester.email,
            exported_at=utcnow(),
            labels=params.get("labels", "codes"),
            lang=params.get("lang", "vi"),
            include_contacts=contacts,
            include_personal_ids=personal_ids,
            modules=module_columns.pinned_modules(db.session, wave),
        )
    _progress(job.id, rows_done=written)


def forget_old(app: Flask | None = None) -> None:
    """Delete finished files after EXPORT_KEEP_HOURS, and sweep jobs whose worker died."""
    app = app or current_app
    keep = timedelta(hours=app.config["EXPORT_KEEP_HOURS"])
    for path in folder(app).glob("*.xlsx"):
        if path.stat().st_mtime < time.time() - keep.total_seconds():
            path.unlink(missing_ok=True)
    sweep_stale(app)


STOPPED = "stopped: its worker stopped answering (restarted or killed?) in each of %d attempts"


def sweep_stale(app: Flask | None = None) -> list[int]:
    """Queue again, or fail, jobs whose worker died; queue again jobs whose message was lost.

    Runs in the caller's writing unit; the new messages are sent once it commits.
    Returns the ids queued again.
    """
    app = app or current_app
    now = utcnow()
    stale = now - timedelta(seconds=app.config["JOBS_STALE_SECONDS"])
    most = app.config["JOBS_MAX_ATTEMPTS"]
    last_sign = func.coalesce(ExportJob.heartbeat_at, ExportJob.updated_at)
    again = []
    found = db.session.execute(
        select(ExportJob.id, ExportJob.state, ExportJob.attempts).where(
            ExportJob.state.in_(PENDING_STATES),
            (ExportJob.state == JobState.RUNNING) & (last_sign < stale)
            | (ExportJob.state == JobState.QUEUED) & (ExportJob.updated_at < stale),
        )
    ).all()
    for job_id, state, attempts in found:
        same = [ExportJob.id == job_id, ExportJob.state == state, ExportJob.attempts == attempts]
        if attempts >= most:
            values = {
                "state": JobState.FAILED,
                "error": STOPPED % attempts,
                "finished_at": now,
                "worker": None,
            }
        else:
            values = {"state": JobState.QUEUED, "worker": None, "heartbeat_at": None}
        changed = db.session.execute(
            update(ExportJob)
            .where(*same)
            .values(updated_at=now, **values)
            .execution_options(synchronize_session="fetch")
        ).rowcount
        if changed and values["state"] is JobState.QUEUED:
            again.append(job_id)
    if again:
        work.after_commit(lambda: [start(job_id) for job_id in again])
    return again


@jobs.sweeper
def _sweep() -> None:
    with work.unit(writes=True):
        forget_old()
