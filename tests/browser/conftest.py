"""A live server in a thread over its own database, and Debian's chromium via Playwright."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from survey.extensions import db as _db
from survey.models import Invitation, Response
from tests import factories
from tests.conftest import make_app, scratch_database

CHROMIUM = "/usr/bin/chromium"
# Without these, chromium tries to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_app(database_url, tmp_path_factory):
    with scratch_database(database_url, "live", tmp_path_factory.mktemp("live")) as url:
        # Export jobs go through the job queue here, as in production (a worker: live_server).
        app = make_app(url, EXPORT_INLINE=False)
        runner = app.test_cli_runner()
        for args in (["init-db"], ["seed-reference"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        yield app
        with app.app_context():
            _db.engine.dispose()


def _closed_before_sent(app):
    """The app, with every response's body read and closed before the server writes it.

    werkzeug's development server skips a body's close() when the browser drops the connection
    mid-response (a navigation cancels a favicon's fetch); the open static file then surfaces as a
    ResourceWarning in whichever test happens to run when it is collected.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(live_app):
    from tests.jobs.helpers import ThreadWorker

    server = make_server("127.0.0.1", 0, _closed_before_sent(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    worker = ThreadWorker(live_app)  # the queue's worker, beside the server as in production
    yield f"http://127.0.0.1:{server.server_port}"
    worker.stop()
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def live_wave(live_app, request):
    """An open wave in the live database, removed with its responses afterwards.

    On version 1 unless the test is parametrised indirectly with another version.
    """
    version = getattr(request, "param", 1)
    with live_app.app_context():
        wave = factories.wave(
            name="Đợt khảo sát thử nghiệm 2025", framework_version=factories.framework_version(version)
        )
        _db.session.commit()
        wave_id = wave.id
    yield wave_id
    with live_app.app_context():
        # Responses and invitations first: they point at the wave.
        for model in (Response, Invitation):
            for row in _db.session.scalars(select(model).filter_by(wave_id=wave_id)):
                _db.session.delete(row)
            _db.session.flush()
        _db.session.delete(_db.session.get(type(wave), wave_id))
        _db.session.commit()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # A phone-sized window of a Vietnamese user.
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server, locale="vi-VN"
    )
    page = context.new_page()
    yield page
    context.close()
