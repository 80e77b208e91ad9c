"""Keeping data safe: online backups of SQLite, and erasing contact data after retention.

Both are operations the CLI calls; they flush or write files, and the caller commits.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from survey import audit
from survey.models import Response, Wave, WaveState
from survey.models.base import utcnow

CONTACT_COLUMNS = ("contact_name", "contact_email", "contact_phone")


class BackupError(ValueError):
    pass


def backup_sqlite(engine: Engine, target: Path) -> int:
    """Copy the live SQLite database to ``target`` with SQLite's online backup API.

    The copy is consistent even while the app writes: SQLite copies a snapshot page by
    page and restarts pages that change underneath. Returns the number of pages copied.
    """
    if engine.dialect.name != "sqlite":
        raise BackupError("backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)")
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    source = sqlite3.connect(database)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
        return destination.execute("PRAGMA page_count").fetchone()[0]
    finally:
        destination.close()
        source.close()


def erase_contacts(session: Session, older_than_days: int) -> int:
    """Erase the contact details of responses in waves closed more than ``older_than_days``
    ago; answers, profiles and scorecards (anonymous statistics) stay. Returns the count."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    waves = select(Wave.id).where(Wave.state == WaveState.CLOSED, Wave.closes_at < cutoff)
    has_contact = or_(*(getattr(Response, c).is_not(None) for c in CONTACT_COLUMNS))
    result = session.execute(
        update(Response)
        .where(Response.wave_id.in_(waves), has_contact)
        .values(dict.fromkeys(CONTACT_COLUMNS))
        .execution_options(synchronize_session=False)
    )
    erased = result.rowcount or 0
    audit.record(
        session,
        "retention.contacts_erased",
        object_type="responses",
        count=erased,
        older_than_days=older_than_days,
    )
    session.flush()
    return erased
