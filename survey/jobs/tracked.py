"""The life of a job whose state staff see: claim, heartbeat, progress, finish, sweep.

Export jobs (ExportJob) and the other background tasks (Task: register checks and
imports, wave re-scoring) keep their state in a row of the app's database with the same
columns: ``state`` (queued, running, done, failed), ``attempts``, ``worker``,
``heartbeat_at``, ``updated_at``, ``finished_at`` and ``error``. The queue only carries
the row's id; these functions are what make running it safe:

1. ``claim`` moves the row queued -> running for one worker in one conditional UPDATE
   (``WHERE state = 'queued'``): of two workers handed the same id, one wins;
2. while it works, ``heartbeat`` beats from a thread, and ``progress`` records counts,
   each in a short unit of its own beside the job's long one;
3. ``finish`` records the outcome only if the row is still this attempt's;
4. ``sweep`` (every worker, at start and each minute) queues again a running job whose
   heartbeat stopped (its worker died) or fails it after JOBS_MAX_ATTEMPTS claims, and
   queues again a queued job whose message was lost. No job stays running for ever.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import nullcontext
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import func, select, update

from survey import jobs, work
from survey.extensions import db
from survey.models.base import utcnow
from survey.models.export_job import PENDING_STATES, JobState

STOPPED = "stopped: its worker stopped answering (restarted or killed?) in each of %d attempts"


def new_worker() -> str:
    """This attempt's name: host, process, thread and a random part (one per claim)."""
    return f"{jobs.worker_name()}:{secrets.token_hex(4)}"


def claim(model, row_id: int, worker: str) -> bool:
    """queued -> running for ``worker``, in one statement: only one claimant wins."""
    now = utcnow()
    with work.unit(writes=True):
        claimed = db.session.execute(
            update(model)
            .where(model.id == row_id, model.state == JobState.QUEUED)
            .values(
                state=JobState.RUNNING,
                attempts=model.attempts + 1,
                worker=worker,
                heartbeat_at=now,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    return claimed == 1


def finish(model, row_id: int, worker: str, **values) -> bool:
    """Record the outcome, if the row is still this attempt's (running, claimed by ``worker``).

    Runs in the caller's writing unit (so that an outcome and what it describes commit
    together); returns whether it was recorded.
    """
    now = utcnow()
    return (
        db.session.execute(
            update(model)
            .where(model.id == row_id, model.state == JobState.RUNNING, model.worker == worker)
            .values(finished_at=now, updated_at=now, heartbeat_at=now, **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def failure(exc: BaseException) -> str:
    """What a failed job's row says: the error's first line only (SQLAlchemy's further
    lines quote the statement and its values, which may hold personal data)."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}".rstrip(": ")[:500]


def fail(model, row_id: int, worker: str, exc: BaseException) -> bool:
    """Record ``exc`` as the outcome, in a unit of its own."""
    with work.unit(writes=True):
        return finish(model, row_id, worker, state=JobState.FAILED, error=failure(exc))


def heartbeat(model, row_id: int, worker: str, app: Flask | None = None):
    """A context in which a thread writes the row's heartbeat (nothing inline: the tests'
    inline jobs share one connection, and a request that dies takes its job with it)."""
    app = app or current_app._get_current_object()
    if app.config["JOBS_INLINE"]:
        return nullcontext()

    def beat() -> None:
        with app.app_context(), work.beside() as session:
            session.execute(
                update(model).where(model.id == row_id, model.worker == worker).values(heartbeat_at=utcnow())
            )

    return jobs.beating(beat, app.config["JOBS_HEARTBEAT_SECONDS"])


def progress(model, row_id: int, **counts: int) -> None:
    """Record how far the job is, at once, beside the long unit that does the work."""
    with work.beside() as session:
        session.execute(update(model).where(model.id == row_id).values(heartbeat_at=utcnow(), **counts))


def sweep(model, requeue: Callable[[int], None], app: Flask | None = None) -> list[int]:
    """Queue again, or fail, the rows whose worker died; queue again those whose message
    was lost. Runs in the caller's writing unit; ``requeue(id)`` is called for each row
    queued again once it commits. Returns their ids."""
    app = app or current_app
    now = utcnow()
    stale = now - timedelta(seconds=app.config["JOBS_STALE_SECONDS"])
    most = app.config["JOBS_MAX_ATTEMPTS"]
    last_sign = func.coalesce(model.heartbeat_at, model.updated_at)
    again = []
    found = db.session.execute(
        select(model.id, model.state, model.attempts).where(
            model.state.in_(PENDING_STATES),
            (model.state == JobState.RUNNING) & (last_sign < stale)
            | (model.state == JobState.QUEUED) & (model.updated_at < stale),
        )
    ).all()
    for row_id, state, attempts in found:
        same = [model.id == row_id, model.state == state, model.attempts == attempts]
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
            update(model)
            .where(*same)
            .values(updated_at=now, **values)
            .execution_options(synchronize_session="fetch")
        ).rowcount
        if changed and values["state"] is JobState.QUEUED:
            again.append(row_id)
    if again:
        work.after_commit(lambda: [requeue(row_id) for row_id in again])
    return again
