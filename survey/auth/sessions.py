"""Staff sessions kept on the server, so that the server alone decides when one ends.

The signed session cookie used to be the whole session: log-out only asked the browser
to forget it, a copy kept by anyone else went on working, and nothing ended it before
31 days. Now each log-in is a ``StaffSession`` row and the cookie carries its random id
(only the digest is stored). Every request of a logged-in user checks the row
(``live``): log-out sets ``ended_at`` (so a replayed cookie finds an ended session), and
a session is over ``STAFF_SESSION_IDLE_MINUTES`` after its last request and
``STAFF_SESSION_MAX_HOURS`` after the log-in, whatever the cookie says.

``last_seen_at`` is brought forward at most once a minute (``TOUCH_EVERY``): writing
on every page view would make each read a write, and the idle limit is measured in tens
of minutes. Functions here flush or leave committing to the caller, except ``touch``,
see there.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from flask import session as cookie
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from survey import work
from survey.models.base import utcnow
from survey.models.staff import StaffSession, StaffUser

#: The key of the session id in Flask's (signed) session cookie.
COOKIE_KEY = "staff_session"
TOUCH_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def limits() -> tuple[timedelta, timedelta]:
    """(idle limit, absolute limit) from the configuration."""
    config = current_app.config
    return (
        timedelta(minutes=config["STAFF_SESSION_IDLE_MINUTES"]),
        timedelta(hours=config["STAFF_SESSION_MAX_HOURS"]),
    )


def begin(session: Session, user: StaffUser) -> str:
    """Record a new session of ``user`` and put its id in the cookie; returns the id."""
    token = secrets.token_urlsafe(32)
    address = request.remote_addr if has_request_context() else None
    session.add(StaffSession(token_hash=_digest(token), user_id=user.id, client_address=address))
    session.flush()
    cookie[COOKIE_KEY] = token
    return token


def live(session: Session, user_id: int, now: datetime | None = None) -> StaffSession | None:
    """The cookie's session if it belongs to ``user_id`` and has not ended, else None."""
    token = cookie.get(COOKIE_KEY)
    if not isinstance(token, str) or not token:
        return None
    row = session.scalar(select(StaffSession).filter_by(token_hash=_digest(token)))
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return None
    now = now or utcnow()
    idle, absolute = limits()
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        return None
    return row


def touch(session: Session, row: StaffSession, *, own_transaction: bool, now: datetime | None = None) -> None:
    """Bring ``last_seen_at`` forward if a minute has passed.

    In a unit that writes, the change goes with the request's own commit. A page that only
    reads must still count as activity: if the user is loaded before the request did any
    other database work (``own_transaction``), what was read so far is let go and the
    touch is a unit of its own; otherwise it waits for a later request. On SQLite a
    concurrent writer can hold the lock past the busy timeout ("database is locked"); the
    touch is then skipped, and a later request tries again.
    """
    now = now or utcnow()
    if now - row.last_seen_at < TOUCH_EVERY:
        return
    if work.writing():
        row.last_seen_at = now
        return
    if not own_transaction:
        return
    row_id = row.id
    session.rollback()  # only the user's rows were read; they load again when used
    try:
        with work.unit(writes=True):
            session.execute(update(StaffSession).where(StaffSession.id == row_id).values(last_seen_at=now))
    except OperationalError:
        pass


def end(session: Session) -> None:
    """End the cookie's session on the server and take its id out of the cookie."""
    token = cookie.pop(COOKIE_KEY, None)
    if isinstance(token, str) and token:
        session.execute(
            update(StaffSession)
            .where(StaffSession.token_hash == _digest(token), StaffSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def end_all(session: Session, user: StaffUser, keep_current: bool = False) -> None:
    """End every open session of ``user`` (deactivation, a new password), or all but this one."""
    stmt = update(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
    token = cookie.get(COOKIE_KEY) if has_request_context() else None
    if keep_current and isinstance(token, str):
        stmt = stmt.where(StaffSession.token_hash != _digest(token))
    session.execute(stmt.values(ended_at=utcnow()))


def forget_old(session: Session, user: StaffUser) -> None:
    """Delete the user's sessions that are past every limit by a day (they can only be refused)."""
    _, absolute = limits()
    cutoff = utcnow() - absolute - timedelta(days=1)
    session.execute(
        StaffSession.__table__.delete().where(
            StaffSession.user_id == user.id, StaffSession.created_at < cutoff
        )
    )
