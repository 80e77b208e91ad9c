"""Ids from URLs and forms: only numbers a primary key can hold reach the database.

A URL like ``/staff/users/99999999999999999999/role`` matches ``<int:user_id>``, and
SQLite cannot even bind such a number (OverflowError, a 500). No row has such an id,
so these helpers answer "not found" without asking.
"""

from __future__ import annotations

from flask import abort

from survey.extensions import db

#: The largest value of an integer primary key (PostgreSQL's ``integer``).
MAX_ID = 2**31 - 1


def parse_id(text: str | None) -> int | None:
    """The id written in ``text`` (ASCII digits only), or None if it is not one."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def get_or_404(model, ident: int, **options):
    """The ``model`` row with primary key ``ident``, or a 404."""
    if not 0 < ident <= MAX_ID:
        abort(404)
    return db.session.get(model, ident, **options) or abort(404)
