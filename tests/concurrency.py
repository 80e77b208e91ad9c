"""Helpers for tests that race real requests on a database of their own.

The suite's rolled-back test transaction cannot be shared by threads, so these tests
commit for real, on a scratch database beside the test database.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from contextlib import contextmanager

from flask.testing import FlaskClient

from survey.extensions import db
from tests.conftest import make_app, scratch_database


class ServerClient(FlaskClient):
    """Each request in its own app context, as a server runs it (no test transaction)."""

    def csrf_token(self, path: str = "/") -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).get_data(as_text=True)).group(1)


@contextmanager
def scratch_app(database_url: str, folder, name: str, *commands: str):
    """An app on a migrated scratch database ``name``, after running the CLI ``commands``."""
    with scratch_database(database_url, name, folder) as url:
        app = make_app(url)
        app.test_client_class = ServerClient
        runner = app.test_cli_runner()
        for command in ("init-db", *commands):
            result = runner.invoke(args=[command])
            assert result.exit_code == 0, result.output
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


def at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run each call in its own thread, all released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
