"""Re-scoring a stored wave (``recompute_wave``) against the ORM path it replaced.

Target (issue 20): at least 10,000 responses a second on both databases, with the same
scorecards. Two cases on the same seeded wave: every scorecard stale (all rewritten: the
figure that matters after a scoring fix) and every scorecard already right (read and
checked only). The previous implementation, one ORM object per response with its pillar
rows, is measured in the same run as the baseline; each run is rolled back.

The stale scorecards are written and committed before the runs, and the tables vacuumed
between runs (on PostgreSQL), as a real wave's were long before a fix: spoiling them
inside each timed transaction, as this bench once did, made every re-scored row the
second new version of itself in one transaction, which no re-scoring does and which
defeats PostgreSQL's in-place updates (the room fillfactor leaves on a page is taken by
the first version).
"""

from __future__ import annotations

import time

from sqlalchemy import select, text, update
from sqlalchemy.orm import selectinload

from bench.data import load_wave, prepare_database
from bench.rollup_bench import scratch_url
from survey import create_app
from survey.extensions import db
from survey.frameworks import framework_of
from survey.models import FrameworkVersion, Response, ResponsePillarScore, ResponseState, Wave
from survey.responses.scoring import RecomputeResult, profile_of, recompute_wave, store_scorecard
from survey.scoring import scorer_for

TARGET = 10_000


def orm_recompute(session, wave: Wave, batch: int = 1000) -> RecomputeResult:
    """recompute_wave as it was before issue 20: ORM objects, selectinload, flush per batch."""
    scorer = scorer_for(framework_of(wave.framework_version))
    checked = changed = 0
    last_id = 0
    while True:
        responses = session.scalars(
            select(Response)
            .where(
                Response.wave_id == wave.id, Response.state == ResponseState.SUBMITTED, Response.id > last_id
            )
            .order_by(Response.id)
            .limit(batch)
            .options(selectinload(Response.pillar_scores))
        ).all()
        if not responses:
            break
        for response in responses:
            changed += store_scorecard(response, scorer.score(response.answers, profile_of(response)))
        checked += len(responses)
        last_id = responses[-1].id
        session.flush()
        session.expunge_all()
    return RecomputeResult(checked, changed)


def _spoil(session, wave_id: int) -> None:
    """Make every scorecard of the wave stale: a wrong total and a wrong pillar row each."""
    session.execute(update(Response).where(Response.wave_id == wave_id).values(total_points=-1))
    ids = select(Response.id).where(Response.wave_id == wave_id).scalar_subquery()
    session.execute(
        update(ResponsePillarScore)
        .where(ResponsePillarScore.response_id.in_(ids), ResponsePillarScore.position == 0)
        .values(points=-1)
    )


def _settle(session) -> None:
    """What autovacuum does between a wave's writes and a re-scoring weeks later: clear the
    row versions that earlier (rolled back) runs left, so each run starts alike."""
    session.rollback()
    session.expunge_all()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE responses, response_pillar_scores"))


def _timed(session, wave_id: int, fn) -> tuple[float, RecomputeResult]:
    _settle(session)
    wave = session.get(Wave, wave_id)
    start = time.perf_counter()
    result = fn(session, wave)
    session.flush()
    elapsed = time.perf_counter() - start
    session.rollback()
    return elapsed, result


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(backend: str, n: int, pg_url: str, repeat: int = 3) -> bool:
    url, cleanup = scratch_url(backend, pg_url, name="survey_bench_rescore")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    try:
        with app.app_context():
            prepare_database(app)
            # Version 1 is the one the scoring benchmark's 29,600 scorecards/s refer to.
            version = db.session.scalars(
                select(FrameworkVersion).filter_by(code="dbi-2021-sme", version=1)
            ).one()
            wave_id = load_wave(version, n, seed=3).id
            if backend == "postgres":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            return _measure(backend, n, wave_id)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        cleanup()


def _measure(backend: str, n: int, wave_id: int, repeat: int = 3) -> bool:
    session = db.session
    ok = True
    print(f"\n== re-scoring a wave on {backend} ({n:,} submitted responses)")
    print(f"  {'case':<22} {'before (ORM)':>14} {'now (bulk)':>14} {'speed-up':>9}  target >= {TARGET:,}/s")
    wave = session.get(Wave, wave_id)
    scorer = scorer_for(framework_of(wave.framework_version))
    stored = [
        (answers, profile_of(r))
        for r, answers in session.execute(
            select(Response, Response.answers).where(Response.wave_id == wave_id)
        )
    ]
    session.expunge_all()
    alone = min(_seconds(lambda: [scorer.score(a, p) for a, p in stored]) for _ in range(repeat))
    print(f"  the pure scorer alone on these answers: {n / alone:,.0f}/s (the ceiling)")
    for label, spoil in (("all stale (rewritten)", True), ("all right (checked)", False)):
        if spoil:
            _spoil(session, wave_id)
        else:  # the right scorecards back
            recompute_wave(session, session.get(Wave, wave_id))
        session.commit()
        old, new = [], []
        for _ in range(repeat):
            t, r_old = _timed(session, wave_id, orm_recompute)
            old.append(t)
            t, r_new = _timed(session, wave_id, recompute_wave)
            new.append(t)
            if (r_old.checked, r_old.changed) != (r_new.checked, r_new.changed):
                print(f"  RESULTS DIFFER: ORM {r_old} bulk {r_new}")
                ok = False
        rate_old, rate_new = n / min(old), n / min(new)
        met = rate_new >= TARGET
        ok &= met
        print(
            f"  {label:<22} {rate_old:>12,.0f}/s {rate_new:>12,.0f}/s {rate_new / rate_old:>8.1f}x"
            f"  {'ok' if met else 'MISSED'}  (changed {r_new.changed:,})"
        )
    return ok


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.rescore_bench")
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    for backend in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        run(backend, args.n, args.pg_url)
