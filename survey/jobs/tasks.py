"""Running a Task (survey/models/task.py) on the queue: one function per kind.

``start`` records the task in the caller's unit and queues it once that commits;
``runs(kind, writes=...)`` registers the function that does the work. A writing task's
work and its outcome commit together (a task taken from this attempt by the sweep rolls
its work back); a reading task reads in a unit of its own, then records its result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import current_app
from flask_babel import force_locale

from survey import jobs, work
from survey.extensions import db
from survey.jobs import tracked
from survey.models import JobState, StaffUser, Task, TaskKind

log = logging.getLogger(__name__)

#: The job on the queue that runs tasks (its message carries the task's id).
JOB = "task"

_bodies: dict[TaskKind, tuple[Callable[[Task], dict], bool]] = {}


class Taken(Exception):
    """The sweep gave the task to another attempt while this one worked."""


def runs(kind: TaskKind, *, writes: bool):
    """Register ``fn(task) -> result`` as the work of tasks of ``kind``."""

    def register(fn: Callable[[Task], dict]) -> Callable[[Task], dict]:
        _bodies[kind] = (fn, writes)
        return fn

    return register


def start(kind: TaskKind, requested_by: StaffUser, **params) -> Task:
    """Add a queued task in the running unit; it is handed to a worker once the unit commits."""
    task = Task(kind=kind, params=params, requested_by_id=requested_by.id, state=JobState.QUEUED)
    db.session.add(task)
    db.session.flush()
    task_id = task.id
    work.after_commit(lambda: jobs.enqueue(JOB, task_id=task_id))
    return task


@jobs.job(JOB)
def run(task_id: int) -> None:
    worker = tracked.new_worker()
    if not tracked.claim(Task, task_id, worker):
        return  # another worker has it, or it was finished meanwhile
    try:
        kind = db.session.get(Task, task_id).kind
        db.session.rollback()  # the claim's read done; the work opens its own unit
        body, writes = _bodies[kind]
        with tracked.heartbeat(Task, task_id, worker):
            if writes:
                with work.unit(writes=True):
                    _record(task_id, worker, body(db.session.get(Task, task_id)))
            else:
                with work.unit(writes=False):
                    result = body(db.session.get(Task, task_id))
                with work.unit(writes=True):
                    _record(task_id, worker, result)
    except Taken:
        log.warning("task %s was taken from this attempt; its work is rolled back", task_id)
    except Exception as exc:
        current_app.logger.exception("task %s failed", task_id)
        tracked.fail(Task, task_id, worker, exc)


def _record(task_id: int, worker: str, result: dict) -> None:
    if not tracked.finish(Task, task_id, worker, state=JobState.DONE, result=result, error=None):
        raise Taken(task_id)


@contextmanager
def in_language(lang: str) -> Iterator[None]:
    """Messages made inside (a check's row errors) in ``lang``, the requester's language:
    a task runs outside any request, and the messages read the request's locale."""
    app = current_app._get_current_object()
    with app.test_request_context("/", headers={"Accept-Language": lang}), force_locale(lang):
        yield


@jobs.sweeper
def _sweep() -> None:
    with work.unit(writes=True):
        tracked.sweep(Task, lambda task_id: jobs.enqueue(JOB, task_id=task_id))
