"""The rollup of a large wave against the bare GROUP BY queries it needs.

Targets (issue #3): each breakdown within 1.2x of the bare GROUP BY for the same
grouping; the whole rollup within 1.5x of the sum of its bare queries; memory that
does not grow with the number of responses.
"""

from __future__ import annotations

import tracemalloc

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bench.data import load_wave, prepare_database
from bench.timing import best, ratio
from survey import create_app
from survey.extensions import db
from survey.models import FrameworkVersion
from survey.statistics import rollup as rollups
from survey.statistics.dimensions import DIMENSIONS

WHERE = "r.wave_id = :w AND r.state = 'submitted' AND r.review_state <> 'rejected'"
JOINS = {
    None: "",
    "sector": " LEFT OUTER JOIN sectors s ON s.code = r.sector_code",
    "unit": " LEFT OUTER JOIN admin_units u ON u.id = r.unit_id",
}
COLUMN = {
    "economic_pillar": "s.economic_pillar",
    "sector": "r.sector_code",
    "size_group": "s.size_group",
    "size_class": "r.size_class",
    "ownership": "r.ownership",
    "unit": "u.code",
    "former_area": "u.former_area",
}


def bare_queries(by: str | None) -> list[str]:
    """The two GROUP BY statements a breakdown needs, written by hand."""
    join = JOINS[DIMENSIONS[by].via] if by else ""
    col = f"{COLUMN[by]}, " if by else ""
    return [
        f"SELECT {col}r.tier, r.overall_level, count(*) FROM responses r{join} WHERE {WHERE} "
        f"GROUP BY {col}r.tier, r.overall_level",
        f"SELECT {col}p.pillar_code, avg(CAST(p.points AS FLOAT) * 100.0 / p.max_points) "
        f"FROM responses r JOIN response_pillar_scores p ON p.response_id = r.id{join} "
        f"WHERE {WHERE} GROUP BY {col}p.pillar_code",
    ]


STRATA_QUERIES = [
    "SELECT s.size_group, e.size_class, count(*) FROM enterprises e "
    "LEFT OUTER JOIN sectors s ON s.code = e.sector_code GROUP BY s.size_group, e.size_class",
    f"SELECT s.size_group, r.size_class, r.tier, count(*) FROM responses r "
    f"LEFT OUTER JOIN sectors s ON s.code = r.sector_code WHERE {WHERE} "
    f"GROUP BY s.size_group, r.size_class, r.tier",
]


def scratch_url(backend: str, pg_url: str, name: str = "survey_bench") -> tuple[str, callable]:
    """A fresh database for a benchmark and the function that removes it."""
    if backend == "sqlite":
        import tempfile

        folder = tempfile.mkdtemp(prefix="survey-bench-")
        return f"sqlite:///{folder}/bench.sqlite", lambda: None
    url = make_url(pg_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def run(backend: str, n: int, pg_url: str) -> bool:
    url, cleanup = scratch_url(backend, pg_url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    try:
        with app.app_context():
            prepare_database(app)
            version = db.session.scalars(select(FrameworkVersion)).first()
            small = load_wave(version, n // 10, seed=2)
            wave = load_wave(version, n, seed=1)
            if backend == "postgres":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            return _measure(backend, n, wave, small)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        cleanup()


def _measure(backend: str, n: int, wave, small) -> bool:
    session = db.session
    params = {"w": wave.id}

    def run_bare(statements):
        for sql in statements:
            session.execute(text(sql), params).all()

    ok = True
    print(f"\n== rollup on {backend} ({n:,} submitted responses, {n * 6:,} pillar rows)")
    print(f"  {'breakdown':<16} {'ours/bare':>9}  target <= 1.20")
    bare_total = best(lambda: run_bare(bare_queries(None) + STRATA_QUERIES))
    for by in DIMENSIONS:

        def ours(by=by):
            rollups._groups(
                rollups.tier_level_counts(session, wave, [by]),
                rollups.pillar_means(session, wave, [by]),
                1,
                ["engaged", "preparing", "outside"],
                range(6),
                ["customer", "strategy", "infrastructure", "operations", "culture", "data"],
            )

        r = ratio(ours, lambda by=by: run_bare(bare_queries(by)))
        ok &= r <= 1.2
        print(f"  {by:<16} {r:>8.2f}x {'ok' if r <= 1.2 else 'MISSED'}")

    by = "sector"
    r = ratio(
        lambda: rollups.rollup(session, wave, by=by),
        lambda: run_bare(bare_queries(None) + bare_queries(by) + STRATA_QUERIES),
    )
    ok &= r <= 1.5
    print(f"  whole rollup (by {by}) / sum of its bare queries: {r:.2f}x  target <= 1.50")
    print(f"  (bare overall + strata queries alone: {bare_total * 1000:.0f} ms)")

    peaks = []
    for w in (small, wave):
        tracemalloc.start()
        rollups.rollup(session, w, by="unit")
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    growth = peaks[1] / peaks[0]
    ok &= growth < 1.5
    print(
        f"  peak Python memory, rollup by unit: {peaks[0] / 1024:.0f} KiB at {n // 10:,} responses, "
        f"{peaks[1] / 1024:.0f} KiB at {n:,} ({growth:.2f}x for 10x the rows)"
    )
    return ok
