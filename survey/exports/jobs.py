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
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey import files, jobs, work
from survey.exports.cells import ERASED_ID
from survey.extensions import db
from survey.jobs import tracked
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
    worker = tracked.new_worker()
    if not tracked.claim(ExportJob, job_id, worker):
        return  # another worker has it, or it was finished, failed or erased meanwhile
    path = None
    try:
        path = folder(app) / f"{job_id}-{secrets.token_hex(8)}.xlsx"
        with tracked.heartbeat(ExportJob, job_id, worker, app), work.unit(writes=False):
            _write(db.session.get(ExportJob, job_id), path)
        with work.unit(writes=True):
            finished = tracked.finish(
                ExportJob, job_id, worker, state=JobState.DONE, file_name=path.name, error=None
            )
        if not finished:
            path.unlink(missing_ok=True)  # the job was taken from this attempt (swept)
    except Exception as exc:
        app.logger.exception("export job %s failed", job_id)
        if path is not None:
            path.unlink(missing_ok=True)
        tracked.fail(ExportJob, job_id, worker, exc)


def _progress(job_id: int, **counts: int) -> None:
    tracked.progress(ExportJob, job_id, **counts)


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


def sweep_stale(app: Flask | None = None) -> list[int]:
    """Queue again, or fail, export jobs whose worker died (survey/jobs/tracked.py)."""
    return tracked.sweep(ExportJob, start, app)


@jobs.sweeper
def _sweep() -> None:
    with work.unit(writes=True):
        forget_old()
