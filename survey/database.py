"""Connection-level settings for SQLite, applied to every engine the app creates."""

from __future__ import annotations

import sqlite3

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

from survey import files


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; turn it
    # off and emit BEGIN ourselves (survey/work.py knows whether the work writes), as
    # SQLAlchemy documents.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    _keep_private(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # WAL lets readers proceed while a respondent's save is being written.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _keep_private(cursor) -> None:
    """Make the database file, and the instance folder, the app user's alone.

    SQLite creates its file with the umask's mode (often 0644: readable by every account
    on the machine) and gives the -wal and -shm files the database file's own mode, so
    tightening the file before WAL is switched on covers all three; files made before
    this are tightened too.
    """
    if has_app_context():
        files.tighten(current_app.instance_path, files.FOLDER_MODE)
    for _seq, name, path in cursor.execute("PRAGMA database_list").fetchall():
        if name == "main" and path:  # "" for an in-memory database
            for suffix in ("", "-wal", "-shm"):
                files.tighten(path + suffix)
