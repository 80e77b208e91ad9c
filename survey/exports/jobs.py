"""Building export workbooks in the background, so no request has to wait for one.

A 100,000-response workbook takes longer than a WSGI worker's request timeout, so a
request only records an ``ExportJob`` and starts a thread; the thread writes the file
into the instance's exports folder, counting its progress in the job row; the staff
member's page refreshes until the file is offered. ``EXPORT_INLINE`` runs the job inside
the request instead (tests, and the CLI, which has no time limit).

A job whose process died (a restart mid-export) stops updating; it is marked failed
after ``EXPORT_STALE_MINUTES`` so nobody waits for it for ever.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from survey import files, work
from survey.exports.cells import ERASED_ID
from survey.extensions import db
from survey.models import ExportJob, JobState, StaffUser
from survey.models.base import utcnow
from survey.models.export_job import PENDING_STATES
from survey.responses.scoring import framework_of

PROGRESS_EVERY = 2000


def folder(app: Flask | None = None) -> Path:
    path = Path((app or current_app).instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    """Run job ``job_id`` (committed) in a thread, or inline when EXPORT_INLINE is set.

    Takes the id, not the object: reading a committed object would open a new
    transaction in the caller's session for nothing.
    """
    app = current_app._get_current_object()
    if app.config["EXPORT_INLINE"]:
        run(app, job_id)
        return
    threading.Thread(target=run, args=(app, job_id), name=f"export-{job_id}", daemon=True).start()


def run(app: Flask, job_id: int) -> None:
    """The job in three units: claim it, write the file (reading only), record the outcome."""
    with app.app_context():
        try:
            with work.unit(writes=True):
                db.session.get(ExportJob, job_id).state = JobState.RUNNING
            name = f"{job_id}-{secrets.token_hex(8)}.xlsx"
            path = folder(app) / name
            error = None
            try:
                with work.unit(writes=False):
                    _write(db.session.get(ExportJob, job_id), path)
            except Exception as exc:
                app.logger.exception("export job %s failed", job_id)
                error = type(exc).__name__
                path.unlink(missing_ok=True)
            with work.unit(writes=True):
                job = db.session.get(ExportJob, job_id)
                job.state = JobState.FAILED if error else JobState.DONE
                job.error = error
                job.file_name = None if error else name
                job.finished_at = utcnow()
        finally:
            db.session.remove()


def _progress(job_id: int, **counts: int) -> None:
    """Record how far the job is, at once, beside the long read that writes the file."""
    with work.beside() as session:
        session.execute(update(ExportJob).where(ExportJob.id == job_id).values(**counts))


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
    """Delete finished files after EXPORT_KEEP_HOURS; fail jobs that stopped moving."""
    app = app or current_app
    now = utcnow()
    keep = timedelta(hours=app.config["EXPORT_KEEP_HOURS"])
    for path in folder(app).glob("*.xlsx"):
        if path.stat().st_mtime < time.time() - keep.total_seconds():
            path.unlink(missing_ok=True)
    stale = now - timedelta(minutes=app.config["EXPORT_STALE_MINUTES"])
    for job in db.session.scalars(
        db.select(ExportJob).where(
            ExportJob.state.in_([JobState.QUEUED, JobState.RUNNING]), ExportJob.updated_at < stale
        )
    ):
        job.state = JobState.FAILED
        job.error = "stopped (the server restarted during the export?)"
        job.finished_at = now
