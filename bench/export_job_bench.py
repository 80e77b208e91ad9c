"""A 100,000-response workbook through gunicorn: the request returns at once, the
background job outlives gunicorn's 30-second worker timeout, and the file has every row.
"""

from __future__ import annotations

import http.client
import json
import re
import tempfile
import time
from io import BytesIO
from urllib.parse import urlencode

from openpyxl import load_workbook
from sqlalchemy import select

from bench.data import load_wave, prepare_database
from bench.rollup_bench import scratch_url
from bench.servers import Gunicorn, session_cookie
from survey import create_app
from survey.extensions import db
from survey.models import FrameworkVersion, Role, StaffUser

PASSWORD = "bench-password-long"  # noqa: S105


class Browser:
    """Just enough of a browser: one connection, the session cookie, CSRF tokens."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, body: dict | None = None, accept: str = "text/html"):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie, "Accept": accept}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        self.cookie = session_cookie(response) or self.cookie
        conn.close()
        return response, payload

    def token(self, path: str) -> str:
        _, page = self.request("GET", path)
        return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()


def run(backend: str, n: int, pg_url: str) -> bool:
    url, cleanup = scratch_url(backend, pg_url, "survey_bench_export_job")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret"})
    try:
        with app.app_context():
            prepare_database(app)
            wave = load_wave(db.session.scalars(select(FrameworkVersion)).first(), n, seed=9)
            wave_id = wave.id
            user = StaffUser(email="analyst@example.org", role=Role.ANALYST)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
            db.engine.dispose()
        server = Gunicorn(url, tempfile.mkdtemp(prefix="survey-bench-instance-"), RATELIMIT_ENABLED="false")
        try:
            browser = Browser(server.port)
            token = browser.token("/staff/login")
            browser.request(
                "POST",
                "/staff/login",
                {"email": "analyst@example.org", "password": PASSWORD, "csrf_token": token},
            )
            token = browser.token(f"/staff/dashboard?wave={wave_id}")
            started = time.perf_counter()
            response, _ = browser.request(
                "POST", "/staff/exports", {"csrf_token": token, "wave": wave_id, "kind": "responses"}
            )
            answered = time.perf_counter() - started
            status_path = response.getheader("Location")
            state = {}
            while time.perf_counter() - started < 900:
                _, payload = browser.request("GET", status_path, accept="application/json")
                state = json.loads(payload)
                if state["state"] in ("done", "failed"):
                    break
                time.sleep(2)
            finished = time.perf_counter() - started
            ok = state.get("state") == "done"
            rows = 0
            if ok:
                _, data = browser.request("GET", f"{status_path}/download")
                book = load_workbook(BytesIO(data), read_only=True)
                rows = sum(1 for _ in book["Responses"].iter_rows(min_row=2))
                ok = rows == n
        finally:
            server.stop()
        print(f"\n== responses workbook through gunicorn on {backend} ({n:,} responses)")
        print(
            f"  request answered in {answered * 1000:.0f} ms; workbook ready after {finished:.0f} s "
            f"(gunicorn worker timeout 30 s); rows in the file {rows:,} of {n:,}  {'ok' if ok else 'MISSED'}"
        )
        return ok
    finally:
        cleanup()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    run(args.db, args.n, args.pg_url)
