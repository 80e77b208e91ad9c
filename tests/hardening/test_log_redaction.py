"""Resume, invitation and recovery tokens never appear whole in an access log.

Both servers are run for real: gunicorn with ``-c python:survey.gunicorn_conf`` (its
access log read back from a file), and Werkzeug's development server (its request log
read through a handler on the ``werkzeug`` logger, where the dev server writes it).
"""

from __future__ import annotations

import http.client
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from survey.security import redact_tokens
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
TOKENS = {
    "/resume/": "Rz3bJ8kQ1vW0xY7uT5sN2mL4pO9iU6yH3gF1dS8aZ0c",
    "/i/": "Ik2mN4bV6cX8zL0kJ9hG7fD5sA3qW1eR2tY4uI6oP8a",
    "/recover/": "Rc9oP7iU5yT3rE1wQ2aS4dF6gH8jK0lZ1xC3vB5nM7q",
}
PATHS = [prefix + token for prefix, token in TOKENS.items()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, **headers) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def assert_redacted(log: str) -> None:
    for prefix, token in TOKENS.items():
        assert token not in log, f"{prefix} token in the log"
        assert token[:8] not in log
        assert f"{prefix}{token[:4]}…" in log, f"no redacted {prefix} line"


def test_redaction_keeps_the_route_and_a_prefix():
    assert redact_tokens('"GET /resume/AbCdEfGhIj HTTP/1.1" 404') == '"GET /resume/AbCd… HTTP/1.1" 404'
    assert (
        redact_tokens("https://khaosat.example.gov.vn/i/XyZw1234?x=1")
        == "https://khaosat.example.gov.vn/i/XyZw…?x=1"
    )
    assert redact_tokens("GET /staff/invitations?wave=1") == "GET /staff/invitations?wave=1"


def test_gunicorns_access_log_has_no_token(database_url, tmp_path):
    port = free_port()
    access = tmp_path / "access.log"
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": database_url,
        "SURVEY_SECRET_KEY": TEST_SECRET,
        "SURVEY_INSTANCE_PATH": str(tmp_path),
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c",
        "python:survey.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--access-logfile",
        str(access),
    ]
    server = subprocess.Popen(
        [*command, "wsgi:app"], cwd=ROOT, env=env, start_new_session=True, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode()
            try:
                if get(port, "/healthz") == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        for path in PATHS:
            get(port, path, Referer=f"http://127.0.0.1:{port}{path}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server.stderr.close()
    log = access.read_text(encoding="utf-8")
    assert log.count("\n") >= len(PATHS) + 1
    assert_redacted(log)


def test_gunicorns_error_log_has_no_token(tmp_path):
    """gunicorn names the URI when a request fails ("Error handling request /resume/…")."""
    from gunicorn.config import Config

    from survey.gunicorn_conf import RedactingLogger

    errors = tmp_path / "error.log"
    cfg = Config()
    cfg.set("errorlog", str(errors))
    logger = RedactingLogger(cfg)
    try:
        for path in PATHS:
            logger.error("Error handling request %s", path)
        logger.exception("Error handling request " + PATHS[0])
    finally:
        for handler in logger.error_log.handlers:
            handler.close()
    assert_redacted(errors.read_text(encoding="utf-8"))


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_the_development_servers_request_log_has_no_token(own_app):
    app = own_app()
    server = make_server("127.0.0.1", free_port(), app)
    logger = logging.getLogger("werkzeug")
    handler = Collect()
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in PATHS:
            get(server.server_port, path)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        logger.removeHandler(handler)
        logger.setLevel(level)
    log = "\n".join(handler.lines)
    assert len(handler.lines) >= len(PATHS)
    assert_redacted(log)
