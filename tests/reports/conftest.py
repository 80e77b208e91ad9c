"""Helpers of the report tests: an app of its own on the test's own transaction."""

from __future__ import annotations

from contextlib import contextmanager

from survey.extensions import db as _db
from tests.exports.conftest import export_wave  # noqa: F401  (the fixture, for every test here)


@contextmanager
def on_the_test_transaction(app, db):
    """Run ``app`` (made by ``own_app``) on the ``db`` fixture's connection, so it sees the
    test's data and its writes are rolled back with the test."""
    connection = db.engines[None]
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        engines[None] = connection
        try:
            yield app
        finally:
            _db.session.remove()
            engines[None] = engine
