"""A full survey submission through gunicorn, against a bare endpoint of the same app.

Each simulated respondent holds a complete draft (made beforehand, not timed), opens
its resume link and review page to get a session and CSRF token, then the timed part:
POST /submit with the whole answer form (CSRF, validation, scoring, the real
transaction). The baseline POSTs the same form to /_bench/bare, which only parses it
and inserts one row in one transaction. Targets: throughput at least 0.7x the
baseline's, p99 under 2x its p99, no errors.
"""

from __future__ import annotations

import http.client
import re
import tempfile
import threading
import time
from urllib.parse import urlencode

from sqlalchemy import insert, select

from bench.data import open_wave, prepare_database, random_answer_sets
from bench.rollup_bench import scratch_url
from bench.servers import Gunicorn, session_cookie
from survey import create_app, tokens
from survey.extensions import db
from survey.models import Enterprise, FrameworkVersion, Response
from survey.models.base import utcnow
from survey.responses.scoring import framework_of


def _prepare(url: str, count: int) -> tuple[list[str], list[str]]:
    """Migrate, seed, and make ``count`` complete drafts; returns their tokens and forms."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret"})
    with app.app_context():
        prepare_database(app)
        version = db.session.scalars(select(FrameworkVersion)).first()
        framework = framework_of(version)
        now = utcnow()
        wave = open_wave(version, "bench submit")
        answers = random_answer_sets(framework, count, seed=3)
        secrets_, forms, firms, responses = [], [], [], []
        for i, a in enumerate(answers, start=1):
            token, digest = tokens.new_token()
            secrets_.append(token)
            forms.append(
                urlencode([(k, v) for k, vs in a.items() for v in (vs if isinstance(vs, list) else [vs])])
            )
            firms.append({"id": i, "tax_code": f"S{i:012d}", "name": f"Firm {i}", "sector_code": "C"})
            responses.append(
                {
                    "id": i,
                    "wave_id": wave.id,
                    "enterprise_id": i,
                    "state": "draft",
                    "review_state": "pending",
                    "answers": a,
                    "technologies": [],
                    "resume_token_hash": digest,
                    "sector_code": "C",
                    "employees": 20,
                    "created_at": now,
                    "updated_at": now,
                    "version_id": 1,
                }
            )
        db.session.execute(insert(Enterprise.__table__), firms)
        db.session.execute(insert(Response.__table__), responses)
        db.session.commit()
        db.engine.dispose()
    return secrets_, forms


def _session(port: int, token: str) -> tuple[str, str]:
    """Open the resume link and the review page: the session cookie and a CSRF token."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/resume/{token}")
    response = conn.getresponse()
    response.read()
    cookie = session_cookie(response) or ""
    conn.request("GET", "/review", headers={"Cookie": cookie})
    review = conn.getresponse()
    page = review.read().decode()
    # Rendering the CSRF token stores its secret in the session: keep the newer cookie.
    cookie = session_cookie(review) or cookie
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    conn.close()
    return cookie, csrf.group(1)


def post_all(port: int, jobs: list[tuple[str, str, str]], concurrency: int) -> dict:
    """Send every (path, body, cookie) job, ``concurrency`` at a time; time each."""
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    cursor = iter(jobs)

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                job = next(cursor, None)
            if job is None:
                break
            path, body, cookie = job
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if cookie:
                headers["Cookie"] = cookie
            start = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if response.status >= 400:
                    errors.append((response.status, body[:300]))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {
        "rps": len(latencies) / wall,
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def run(backend: str, pg_url: str, per_level: int = 600) -> bool:
    levels = (16, 64)
    url, cleanup = scratch_url(backend, pg_url, "survey_bench_submit")
    instance = tempfile.mkdtemp(prefix="survey-bench-instance-")
    ok = True
    try:
        secrets_, forms = _prepare(url, per_level * len(levels))
        server = Gunicorn(url, instance, RATELIMIT_ENABLED="false", BENCH_ENDPOINTS="true")
        try:
            print(f"\n== submit through gunicorn on {backend} ({per_level} submissions per level)")
            for index, concurrency in enumerate(levels):
                chunk = slice(index * per_level, (index + 1) * per_level)
                sessions = [_session(server.port, t) for t in secrets_[chunk]]
                submit_jobs = [
                    ("/submit", f"csrf_token={csrf}&{form}", cookie)
                    for (cookie, csrf), form in zip(sessions, forms[chunk], strict=True)
                ]
                bare_jobs = [("/_bench/bare", form, "") for form in forms[chunk]]
                bare = post_all(server.port, bare_jobs, concurrency)
                full = post_all(server.port, submit_jobs, concurrency)
                throughput = full["rps"] / bare["rps"]
                p99 = full["p99"] / bare["p99"]
                level_ok = throughput >= 0.7 and p99 < 2 and not full["errors"] and not bare["errors"]
                ok &= level_ok
                print(
                    f"  concurrency {concurrency:>2}: submit {full['rps']:.0f} req/s "
                    f"p50 {full['p50'] * 1000:.0f} ms p99 {full['p99'] * 1000:.0f} ms; "
                    f"bare {bare['rps']:.0f} req/s p99 {bare['p99'] * 1000:.0f} ms; "
                    f"throughput {throughput:.2f}x (>= 0.70), p99 {p99:.2f}x (< 2), "
                    f"errors {full['errors']}+{bare['errors']}  {'ok' if level_ok else 'MISSED'}"
                )
                for name, result in (("submit", full), ("bare", bare)):
                    if result["first_error"]:
                        print(f"    first {name} error: {result['first_error']}")
            _check_counts(url, per_level * len(levels))
        finally:
            server.stop()
    finally:
        cleanup()
    return ok


def _check_counts(url: str, expected: int) -> None:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret"})
    with app.app_context():
        from sqlalchemy import func

        submitted = db.session.scalar(select(func.count()).select_from(Response).filter_by(state="submitted"))
        print(f"  submitted responses in the database: {submitted} of {expected}")
        db.engine.dispose()
