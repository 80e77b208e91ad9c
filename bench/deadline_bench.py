"""Deadline day, two instances on one database, and a crash in the middle of the load.

Every scenario runs simulated respondents through the whole journey against gunicorn
on 127.0.0.1 (see bench/journey.py), then counts what the database holds:

- every journey completed is one submitted response, and nothing else was submitted;
- no firm has two responses (duplicates), no request answered 5xx;
- no submitted response is half-written (each has its scorecard and every pillar row),
  and every submission the server acknowledged (303) is there and complete.

The app runs as in production behind a proxy: PROXY_FIX trusts X-Forwarded-For, each
respondent sends its own address, and the rate limits stay on.
"""

from __future__ import annotations

import tempfile
import threading
import time
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, select

from bench import journey
from bench.data import open_wave, prepare_database
from bench.rollup_bench import scratch_url
from bench.servers import Gunicorn
from bench.submit_bench import post_all
from survey import create_app
from survey.extensions import db
from survey.models import (
    AdminUnit,
    Enterprise,
    FrameworkVersion,
    Response,
    ResponsePillarScore,
    Sector,
)
from survey.responses.scoring import framework_of

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, emptied before the run
PROXIED = {"PROXY_FIX": '{"x_for": 1}', "BENCH_ENDPOINTS": "true"}
STEPS = ["start", "firm", *(f"page {i}" for i in range(1, 7)), "technologies", "review", "submit", "result"]


def _prepare(url: str, n: int) -> list[journey.Respondent]:
    """Migrate and seed an empty database, open a wave; returns the respondents."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret"})
    with app.app_context():
        prepare_database(app)
        version = db.session.scalars(select(FrameworkVersion)).first()
        open_wave(version, "Hạn chót")
        db.session.commit()
        units = db.session.scalars(select(AdminUnit.id)).all()
        sectors = db.session.scalars(select(Sector.code)).all()
        framework = framework_of(version)
        db.engine.dispose()
    return journey.respondents(framework, n, units, sectors)


def _bare_rps(port: int, people: list[journey.Respondent], concurrency: int) -> float:
    """Requests/s of the same gunicorn for a bare form post that inserts one row."""
    body = urlencode(people[0].pages[0])
    jobs = [("/_bench/bare", body, "")] * min(len(people) * 2, 2000)
    return post_all(port, jobs, concurrency)["rps"]


def _count(url: str, tally: journey.Tally) -> dict:
    """What the database holds after the load, and how it squares with what clients saw."""
    engine = create_engine(url)
    pillars = select(func.count()).where(ResponsePillarScore.response_id == Response.id).scalar_subquery()
    complete = (
        (Response.state == "submitted")
        & Response.overall_level.is_not(None)
        & Response.submitted_at.is_not(None)
        & (pillars == 6)
    )
    try:
        with engine.connect() as conn:
            state_counts = dict(
                conn.execute(select(Response.state, func.count()).group_by(Response.state)).all()
            )
            per_firm = select(Response.enterprise_id).group_by(Response.wave_id, Response.enterprise_id)
            duplicates = conn.scalar(
                select(func.count()).select_from(per_firm.having(func.count() > 1).subquery())
            )
            half = conn.scalar(
                select(func.count()).select_from(Response).where(Response.state == "submitted", ~complete)
            )
            scored_drafts = conn.scalar(
                select(func.count()).select_from(Response).where(Response.state == "draft", pillars > 0)
            )
            stored = set(
                conn.scalars(
                    select(Enterprise.tax_code)
                    .join(Response, Response.enterprise_id == Enterprise.id)
                    .where(complete)
                )
            )
    finally:
        engine.dispose()
    return {
        "submitted": state_counts.get("submitted", 0),
        "drafts": state_counts.get("draft", 0),
        "duplicates": duplicates,
        "half_written": half,
        "scored_drafts": scored_drafts,
        "acknowledged_missing": len(tally.acknowledged - stored),
        "completed_missing": len(tally.completed - stored),
    }


def _report(name: str, people, tally: journey.Tally, wall: float, counts: dict, bare: float | None) -> bool:
    requests = sum(tally.statuses.values())
    completed = len(tally.completed)
    print(
        f"  journeys completed {completed}/{len(people)} in {wall:.0f} s: "
        f"{completed / wall:.1f} journeys/s, {requests / wall:.0f} requests/s"
        + (f" (bare form post + insert {bare:.0f} requests/s: {requests / wall / bare:.2f}x)" if bare else "")
    )
    print(f"  {'step':<13}{'GET p50':>9}{'GET p99':>9}{'POST p50':>10}{'POST p99':>10}   (ms)")
    for step in STEPS:
        row = f"  {step:<13}"
        for method, width in (("GET", 9), ("POST", 10)):
            values = tally.latencies.get(f"{step} {method}")
            for q in (0.5, 0.99):
                row += f"{journey.percentile(values, q) * 1000:>{width}.0f}" if values else f"{'-':>{width}}"
        print(row)
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items()))
    print(f"  statuses {statuses}; 5xx {tally.server_errors}")
    print(
        f"  database: submitted {counts['submitted']} (completed {completed}), drafts {counts['drafts']}, "
        f"duplicates {counts['duplicates']}, "
        f"half-written {counts['half_written'] + counts['scored_drafts']}, "
        f"acknowledged but missing {counts['acknowledged_missing']}"
    )
    for tax_code, problem in tally.failures[:5]:
        print(f"    journey {tax_code} failed: {problem}")
    ok = (
        completed == len(people) == counts["submitted"]
        and not tally.server_errors
        and not (counts["duplicates"] or counts["half_written"] or counts["scored_drafts"])
        and not (counts["acknowledged_missing"] or counts["completed_missing"])
    )
    print(f"  {name}: {'ok' if ok else 'FAILED'}")
    return ok


def deadline_day(backend: str, pg_url: str, n: int, concurrency: int) -> bool:
    print(f"\n== deadline day on {backend}: {n} respondents, concurrency {concurrency}, gunicorn 4 workers")
    url, cleanup = scratch_url(backend, pg_url, "survey_bench_deadline")
    try:
        people = _prepare(url, n)
        server = Gunicorn(url, tempfile.mkdtemp(prefix="survey-bench-instance-"), **PROXIED)
        try:
            bare = _bare_rps(server.port, people, concurrency)
            tally, wall = journey.run(people, [server.port], concurrency)
        finally:
            server.stop()
        return _report("deadline day", people, tally, wall, _count(url, tally), bare)
    finally:
        cleanup()


def two_instances(pg_url: str, n: int, concurrency: int) -> bool:
    """Two gunicorns (2 workers each) on one PostgreSQL, limits shared through Redis.

    Requests alternate between the instances, so every journey crosses from one to the
    other at every step: the session, the CSRF token and the draft must all survive it.
    """
    import redis

    print(f"\n== two instances on postgres + Redis: {n} respondents, concurrency {concurrency}")
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    url, cleanup = scratch_url("postgres", pg_url, "survey_bench_two")
    instance = tempfile.mkdtemp(prefix="survey-bench-instance-")
    settings = {**PROXIED, "RATELIMIT_STORAGE_URI": REDIS_URL}
    try:
        people = _prepare(url, n)
        servers = [Gunicorn(url, instance, workers=2, **settings) for _ in range(2)]
        try:
            tally, wall = journey.run(people, [s.port for s in servers], concurrency)
        finally:
            for server in servers:
                server.stop()
        shares = " + ".join(str(tally.requests_per_port[s.port]) for s in servers)
        print(f"  requests per instance {shares}; rate-limit counters in Redis: {store.dbsize()}")
        ok = _report("two instances", people, tally, wall, _count(url, tally), None)
        ok &= all(tally.requests_per_port[s.port] for s in servers) and store.dbsize() > 0
        return ok
    finally:
        store.flushdb()
        cleanup()


def crash(backend: str, pg_url: str, n: int, concurrency: int, kills: int = 2) -> bool:
    """SIGKILL the whole server ``kills`` times mid-load and restart it at once.

    Clients whose request failed send it again with the cookie they had, as a person
    pressing the button again would; they wait up to a minute for the server.
    """
    print(f"\n== crash on {backend}: {n} respondents, concurrency {concurrency}, {kills} SIGKILLs")
    url, cleanup = scratch_url(backend, pg_url, "survey_bench_crash")
    try:
        people = _prepare(url, n)
        server = Gunicorn(url, tempfile.mkdtemp(prefix="survey-bench-instance-"), **PROXIED)
        tally = journey.Tally()
        downtimes: list[float] = []
        finished = threading.Event()

        def killer():
            for k in range(1, kills + 1):
                while len(tally.completed) < n * k // (kills + 1):
                    if finished.wait(0.05):
                        return
                server.kill()
                down = time.perf_counter()
                server.start()
                downtimes.append(time.perf_counter() - down)

        thread = threading.Thread(target=killer)
        thread.start()
        try:
            tally, wall = journey.run(people, [server.port], concurrency, patience=60.0, tally=tally)
        finally:
            finished.set()
            thread.join()
            server.stop()
        print(
            f"  kills {len(downtimes)}, restarted within {', '.join(f'{d:.1f} s' for d in downtimes)}; "
            f"submissions acknowledged {len(tally.acknowledged)}"
        )
        again = ", ".join(f"{step} {n}" for step, n in sorted(tally.retries.items()))
        print(f"  requests sent again ({tally.retries.total()}): {again or 'none'}")
        ok = _report("crash", people, tally, wall, _count(url, tally), None)
        return ok and len(downtimes) == kills
    finally:
        cleanup()


def run(backend: str, pg_url: str, n: int = 2000, concurrency: int = 64) -> bool:
    ok = deadline_day(backend, pg_url, n, concurrency)
    if backend == "postgres":
        ok &= two_instances(pg_url, n, concurrency)
    ok &= crash(backend, pg_url, n, concurrency)
    return ok
