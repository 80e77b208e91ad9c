"""One unit of work: how every request, command and job uses the database.

A unit begins, does its work, commits once at the end and rolls back on any error; nothing
else in the app commits (tests/intent/test_unit_of_work.py looks). Whether it writes is
declared by the work itself: a view with ``@work.writes``, a command or job with
``unit(writes=True)``. On SQLite that choice takes the write lock up front (BEGIN
IMMEDIATE): a deferred transaction that reads first and writes later cannot wait for the
lock and fails at once with "database is locked" when another writer committed meanwhile.
A unit declared read-only that tries to write stops with :class:`ReadOnlyWork` on every
database, so a forgotten declaration shows in the tests instead of under load.

Requests: ``init_app`` reads the declaration of the matched view before anything touches
the database, and wraps every view so that it commits when the view returns a response
(whatever its status: a refused log-in still records its audit line) and rolls back when
it raises. Work that must wait for the commit (starting a job, sending mail that names a
stored token) is handed to :func:`after_commit`.

This mirrors indico's request handler: the view never commits, the frame around it does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

from survey.extensions import db

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session

F = TypeVar("F", bound=Callable)

# True: the running unit writes; False: it only reads; None: no unit (migrations, tests).
_writes: ContextVar[bool | None] = ContextVar("survey_unit_writes", default=None)

_CHANGES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
_AFTER_COMMIT = "survey.after_commit"


class ReadOnlyWork(RuntimeError):
    """A unit declared read-only tried to change the database."""


def writes(view: F) -> F:
    """Declare that a view changes the database (its unit takes the write lock)."""
    view.survey_writes = True  # type: ignore[attr-defined]
    return view


def writing() -> bool:
    """Whether the running unit was declared as one that writes."""
    return bool(_writes.get())


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once the running unit has committed (never if it rolls back)."""
    db.session().info.setdefault(_AFTER_COMMIT, []).append(callback)


def _finish(session) -> None:
    callbacks = session.info.pop(_AFTER_COMMIT, [])
    session.commit()
    for callback in callbacks:
        callback()


def _abandon(session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
    session.rollback()


@contextmanager
def unit(*, writes: bool) -> Iterator[None]:
    """One unit of work on the app's session: commit at the end, roll back on error."""
    token = _writes.set(writes)
    session = db.session()
    try:
        yield
        _finish(session)
    except BaseException:
        _abandon(session)
        raise
    finally:
        _writes.reset(token)


@contextmanager
def beside() -> Iterator[Session]:
    """A short writing unit on a session of its own, beside the running unit.

    For bookkeeping that must be seen while a long read goes on (an export's progress):
    the read keeps its own transaction and snapshot, and this one commits at once.
    """
    token = _writes.set(True)
    session = db.session.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        _writes.reset(token)


def command(*, writes: bool) -> Callable[[F], F]:
    """Run a CLI command's body as one unit (put it under ``@with_appcontext``)."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def run(*args, **kwargs):
            with unit(writes=writes):
                return function(*args, **kwargs)

        return run  # type: ignore[return-value]

    return decorate


def _in_unit(view: Callable) -> Callable:
    @functools.wraps(view)
    def run(*args, **kwargs):
        session = db.session()
        try:
            response = view(*args, **kwargs)
            _finish(session)
        except BaseException:
            _abandon(session)
            raise
        return response

    return run


def init_app(app: Flask) -> None:
    """Declare each request's unit before anything else runs (call before the extensions)."""
    from flask import g, request

    @app.before_request
    def _declare() -> None:
        view = app.view_functions.get(request.endpoint)
        g.survey_unit = _writes.set(bool(getattr(view, "survey_writes", False)))

    @app.teardown_request
    def _forget(exc) -> None:
        token = g.pop("survey_unit", None)
        if token is not None:
            _writes.reset(token)


def wrap_views(app: Flask) -> None:
    """Make every registered view one unit (call after the blueprints are registered)."""
    for endpoint, view in list(app.view_functions.items()):
        if not getattr(view, "survey_unit_wrapped", False):
            wrapped = _in_unit(view)
            wrapped.survey_unit_wrapped = True  # type: ignore[attr-defined]
            app.view_functions[endpoint] = wrapped


@event.listens_for(Engine, "begin")
def _begin(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    # pysqlite's own BEGIN is switched off (survey/database.py); this is the one BEGIN.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _writes.get() else "BEGIN")


@event.listens_for(Engine, "before_cursor_execute")
def _refuse_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    if _writes.get() is False and _CHANGES.match(statement):
        raise ReadOnlyWork(
            "this work was declared read-only but tried to change the database; "
            "declare it with @work.writes or unit(writes=True)"
        )
