"""Background work on a job queue (Huey), run by ``flask --app survey worker`` processes.

A request never does long work itself: it records what is to be done (an ``ExportJob``
row, a mail-out) and hands a message to the queue once its unit has committed; a worker
process takes the message and runs the registered function in an app context of its own.

The queue's storage is ``JOBS_URL``:

- unset (the embedded default): Huey's SQLite storage in a file of its own,
  ``instance/jobs.sqlite``, beside (never inside) the app's database, so queue traffic
  never takes the app database's write lock;
- ``sqlite:////abs/path/jobs.sqlite``: the same, elsewhere;
- ``redis://host:port/db``: Redis (production; the rate limiter's Redis will do).

Every app server and worker of one installation names the same storage (and, with
Redis, the same ``JOBS_NAME``). The API for the rest of the app is two functions::

    @jobs.job("export")
    def run_export(job_id: int) -> None: ...   # runs inside an app context

    jobs.enqueue("export", job_id=job.id)       # after the unit that made the row commits

A job named in ``JOBS_APART`` (only ``"export"`` may be) goes to a queue of its own in the
same storage, ``<JOBS_NAME>.<job>``, which only a worker of its own takes from: the
export worker, ``python -m survey.exports.worker``, builds an app with nothing but what
exporting needs (``serve``). Every other job, and every job when ``JOBS_APART`` is empty
(the default), is on the main queue that ``flask --app survey worker`` takes from.

With ``JOBS_INLINE`` (the tests' default, through the older ``EXPORT_INLINE``) ``enqueue``
runs the function at once, in the caller's process. The queue only carries messages: the
state a user sees (queued, running, done, failed) is kept in the app's database by the
job itself, which is what makes a job safe to run twice or to retry (see
survey/exports/jobs.py for the claim, the heartbeat and the sweep).
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from flask import Flask
    from huey import Huey

log = logging.getLogger(__name__)

#: Modules whose ``@job`` functions every app and worker knows (JOBS_MODULES adds more).
MODULES = (
    "survey.exports.jobs",
    "survey.invitations.jobs",
    "survey.jobs.tasks",
    "survey.registry.register_jobs",
    "survey.responses.rescoring_jobs",
)

#: The jobs that may have a queue and a worker of their own (JOBS_APART), and the only
#: modules such a worker imports: its app registers no other job, so it must never be
#: handed another job's message (it could only drop it).
LANES: dict[str, tuple[str, ...]] = {"export": ("survey.exports.jobs",)}

#: JOBS_URL names Redis with one of these (anything else is SQLite, survey/config.py).
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

#: The one Huey task: it carries (job name, params) to the registered function.
TASK_NAME = "survey.job"
SWEEP_NAME = "survey.sweep"
_EXTENSION = "survey.jobs"
_SERVES = "survey.jobs.lane"

_registry: dict[str, Callable[..., object]] = {}
_sweepers: list[Callable[[], None]] = []
#: Set by the worker command: its SQLite connections wait longer for the write lock.
_busy_timeout_ms: int | None = None


class UnknownJob(KeyError):
    """``enqueue`` was given a name no ``@job`` registered."""


def job(name: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register ``fn(**params)`` as the job ``name``; it runs inside an app context."""

    def register(fn: Callable[..., object]) -> Callable[..., object]:
        known = _registry.get(name)
        if known is not None and known is not fn and known.__qualname__ != fn.__qualname__:
            raise ValueError(f"job {name!r} is already registered ({known.__module__}.{known.__qualname__})")
        _registry[name] = fn
        return fn

    return register


def sweeper(fn: Callable[[], None]) -> Callable[[], None]:
    """Register ``fn()`` to run at worker start and every minute (inside an app context)."""
    if fn not in _sweepers:
        _sweepers.append(fn)
    return fn


def enqueue(name: str, **params: object) -> None:
    """Queue the job ``name`` with ``params`` (picklable values: ids, strings, dicts).

    Call it once the rows the job reads are committed (``work.after_commit``).
    """
    app = current_app._get_current_object()
    load(app)
    if name not in _registry:
        raise UnknownJob(name)
    if app.config["JOBS_INLINE"]:
        run(app, name, params)
        return
    queue(app, name if name in app.config["JOBS_APART"] else None).enqueue_job(name, params)


def run(app: Flask, name: str, params: dict) -> None:
    """Run one job in an app context of its own (what a worker does with a message)."""
    from survey.extensions import db

    load(app)
    fn = _registry.get(name)
    if fn is None:
        log.error("unknown job %r (not registered in this process; JOBS_MODULES?)", name)
        return
    with app.app_context():
        try:
            fn(**params)
        finally:
            db.session.remove()


def sweep(app: Flask) -> None:
    """Run every registered sweeper (re-queue or fail jobs whose worker died), each on its own."""
    load(app)
    for fn in list(_sweepers):
        with app.app_context():
            try:
                fn()
            except Exception:
                log.exception("sweeper %s failed", fn.__qualname__)
            finally:
                from survey.extensions import db

                db.session.remove()


def load(app: Flask) -> None:
    """Import the modules that register jobs (once per process): every module, or only
    those of the lane a worker of its own serves."""
    lane = serves(app)
    for module in LANES[lane] if lane else (*MODULES, *app.config.get("JOBS_MODULES", ())):
        importlib.import_module(module)


def serve(app: Flask, lane: str) -> None:
    """Make ``app`` a worker of its own for the job ``lane`` (one of LANES): its worker
    takes from that job's queue, and it knows that job only."""
    if lane not in LANES:
        raise ValueError(f"no worker of its own for job {lane!r} (one of {sorted(LANES)})")
    app.extensions[_SERVES] = lane


def serves(app: Flask) -> str | None:
    """The lane ``app``'s worker takes from: None is the main queue (every other job)."""
    return app.extensions.get(_SERVES)


def worker_name() -> str:
    """Who runs a job: host, process and thread (written into the job's row)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class _Queue:
    """One of an app's Huey instances, the main queue or a lane's, and its one task
    (built on first use, then kept)."""

    def __init__(self, app: Flask, lane: str | None) -> None:
        self.huey = build_huey(app, lane)
        self._task = self.huey.task(name=TASK_NAME)(lambda name, params: run(app, name, params))
        from huey import crontab

        self.huey.periodic_task(crontab(minute="*"), name=SWEEP_NAME)(lambda: sweep(app))

    def enqueue_job(self, name: str, params: dict) -> None:
        self._task(name, params)


def queue(app: Flask | None = None, lane: str | None = None) -> _Queue:
    """The main queue, or the queue of the job ``lane`` (JOBS_APART)."""
    app = app or current_app._get_current_object()
    queues = app.extensions.setdefault(_EXTENSION, {})
    found = queues.get(lane)
    if found is None:
        found = queues[lane] = _Queue(app, lane)
    return found


def build_huey(app: Flask, lane: str | None = None) -> Huey:
    """The Huey instance JOBS_URL names (see the module's docstring); a lane's queue is
    another name in the same storage."""
    from huey import RedisHuey, SqliteHuey

    from survey import files

    url = app.config["JOBS_URL"]
    name = app.config["JOBS_NAME"] + (f".{lane}" if lane else "")
    if url.startswith(REDIS_SCHEMES):
        return RedisHuey(name, url=url, results=False)
    path = Path(url.removeprefix("sqlite:///"))
    files.private_folder(path.parent)
    huey = SqliteHuey(name, filename=str(path), results=False, timeout=app.config["JOBS_SQLITE_BUSY_SECONDS"])
    # The messages carry ids and filters, but filters may name a firm: the app's user only.
    for suffix in ("", "-wal", "-shm"):
        files.tighten(str(path) + suffix)
    return huey


def consumer(app: Flask, workers: int = 1, worker_type: str = "thread"):
    """Huey's consumer over the queue this app serves (the ``worker`` command runs it)."""
    global _busy_timeout_ms
    _busy_timeout_ms = int(app.config["JOBS_SQLITE_BUSY_SECONDS"] * 1000)
    from huey.consumer import Consumer

    return Consumer(queue(app, serves(app)).huey, workers=workers, worker_type=worker_type)


@contextmanager
def beating(beat: Callable[[], object], every: float) -> Iterator[None]:
    """Call ``beat()`` every ``every`` seconds in a thread while the block runs (a heartbeat)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                beat()
            except Exception:
                log.exception("heartbeat failed")

    thread = threading.Thread(target=loop, name="job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


@event.listens_for(Engine, "connect")
def _patient_sqlite(dbapi_connection, connection_record) -> None:
    """In a worker, wait up to JOBS_SQLITE_BUSY_SECONDS for the write lock (survey/database.py
    sets 5 s for the app servers, whose requests should not hang)."""
    if _busy_timeout_ms and isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA busy_timeout={_busy_timeout_ms:d}")
