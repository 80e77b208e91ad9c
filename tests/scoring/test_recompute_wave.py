"""recompute_wave in bulk gives the very scorecards the one-object-at-a-time ORM path gave.

A seeded wave is given every kind of stale scorecard (a wrong total, a wrong pillar, a
missing pillar, a stale extra pillar, never scored at all, and right ones), then re-scored
both ways inside savepoints; every response and pillar row is compared, row by row.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import selectinload

from survey import frameworks
from survey.models import FrameworkVersion, Response, ResponsePillarScore, ResponseState
from survey.registry.demo import draw_answers
from survey.responses.scoring import profile_of, recompute_wave, store_scorecard
from survey.scoring import scorer_for
from tests import factories


def orm_recompute(session, wave) -> tuple[int, int]:
    """The previous recompute_wave, one ORM object per response (the reference)."""
    scorer = scorer_for(frameworks.framework_of(wave.framework_version))
    checked = changed = 0
    for response in session.scalars(
        select(Response)
        .where(Response.wave_id == wave.id, Response.state == ResponseState.SUBMITTED)
        .order_by(Response.id)
        .options(selectinload(Response.pillar_scores))
    ):
        changed += store_scorecard(response, scorer.score(response.answers, profile_of(response)))
        checked += 1
    session.flush()
    session.expunge_all()
    return checked, changed


def snapshot(session, wave_ids, scored_before) -> list[tuple]:
    rows = session.execute(
        select(
            Response.id,
            Response.total_points,
            Response.overall_level,
            Response.tier,
            Response.version_id,
            Response.scored_at,
        )
        .where(Response.wave_id.in_(wave_ids))
        .order_by(Response.id)
    ).all()
    pillars: dict[int, list] = {}
    for row in session.execute(
        select(ResponsePillarScore.__table__).order_by(
            ResponsePillarScore.response_id, ResponsePillarScore.pillar_code
        )
    ):
        pillars.setdefault(row.response_id, []).append(tuple(row))
    # scored_at: whether it was set anew (the clock differs between the two runs).
    return [
        (rid, total, level, tier, version, scored_at != scored_before.get(rid), pillars.get(rid, []))
        for rid, total, level, tier, version, scored_at in rows
    ]


@pytest.fixture(params=[1, 2], ids=["v1 (choices: the scorer's fast path)", "v2 (figures)"])
def seeded(db, request):
    version = db.session.scalars(
        select(FrameworkVersion).filter_by(code="dbi-2021-sme", version=request.param)
    ).one()
    framework = frameworks.framework_of(version)
    wave = factories.wave(framework_version=version)
    other = factories.wave(framework_version=version)
    rng = random.Random(20)
    responses = []
    for _ in range(45):
        firm = factories.enterprise(sector_code=rng.choice("CGF"))
        responses.append(factories.response(wave, firm, draw_answers(rng, framework, rng.random())))
    draft = factories.response(wave, factories.enterprise(), draw_answers(rng, framework, 0.5), submit=False)
    elsewhere = factories.response(other, factories.enterprise(), draw_answers(rng, framework, 0.5))
    session = db.session
    ids = [r.id for r in responses]
    wave_ids = (wave.id, other.id)
    pillar = ResponsePillarScore.__table__
    session.execute(update(Response).where(Response.id.in_(ids[0:5])).values(total_points=1))
    session.execute(update(Response).where(Response.id.in_(ids[5:8])).values(tier="outside", overall_level=0))
    session.execute(update(pillar).where(pillar.c.response_id.in_(ids[8:12])).values(points=0))
    session.execute(
        delete(pillar).where(pillar.c.response_id.in_(ids[12:15]), pillar.c.pillar_code == "data")
    )
    session.execute(
        insert(pillar),
        [
            {
                "response_id": rid,
                "pillar_code": "stale",
                "position": 9,
                "points": 1,
                "max_points": 2,
                "level": 1,
            }
            for rid in ids[15:18]
        ],
    )
    # Never scored: no scorecard columns, no pillar rows.
    session.execute(delete(pillar).where(pillar.c.response_id.in_(ids[18:21])))
    session.execute(
        update(Response)
        .where(Response.id.in_(ids[18:21]))
        .values(total_points=None, overall_level=None, tier=None, scored_at=None)
    )
    # Right scorecards, only never marked scored.
    session.execute(update(Response).where(Response.id.in_(ids[21:23])).values(scored_at=None))
    session.execute(update(Response).where(Response.id == draft.id).values(total_points=3))
    session.execute(update(Response).where(Response.id == elsewhere.id).values(total_points=3))
    session.commit()
    session.expunge_all()
    return wave_ids


def test_bulk_recompute_matches_the_orm_path_row_by_row(db, seeded):
    wave_id, other_id = seeded
    session = db.session
    waves = (wave_id, other_id)
    scored_before = dict(session.execute(select(Response.id, Response.scored_at)).all())
    before = snapshot(session, waves, scored_before)

    with session.begin_nested() as savepoint:
        from survey.models import Wave

        reference = orm_recompute(session, session.get(Wave, wave_id))
        expected = snapshot(session, waves, scored_before)
        savepoint.rollback()
    session.expunge_all()
    assert snapshot(session, waves, scored_before) == before

    with session.begin_nested():
        result = recompute_wave(session, session.get(Wave, wave_id), batch=7)
        got = snapshot(session, waves, scored_before)
    assert reference[0] == 45 and reference[1] >= 18
    assert (result.checked, result.changed) == reference
    assert got == expected
    assert got != before
    # A second pass finds nothing to change and writes nothing.
    again = recompute_wave(session, session.get(Wave, wave_id), batch=7)
    assert (again.checked, again.changed) == (45, 0)
    assert snapshot(session, waves, scored_before) == got


def test_a_response_changed_meanwhile_is_refused(db, seeded, monkeypatch):
    """The optimistic lock still guards each UPDATE, as the ORM's version check did: a
    response changed between the batch's read and its write stops the run."""
    from sqlalchemy.orm.exc import StaleDataError

    from survey.models import Wave
    from survey.responses.scorecard_writes import ScorecardWriter

    wave_id, _ = seeded
    session = db.session
    real = ScorecardWriter.write

    def write_after_a_race(self, batch, scored_at):
        # Another writer bumps every version between our read and our write (on the
        # connection the writes run on, in their order: the run's own thread does both).
        self.connection.execute(
            update(Response.__table__)
            .where(Response.__table__.c.wave_id == wave_id)
            .values(version_id=Response.__table__.c.version_id + 1)
        )
        return real(self, batch, scored_at)

    monkeypatch.setattr(ScorecardWriter, "write", write_after_a_race)
    with pytest.raises(StaleDataError):
        recompute_wave(session, session.get(Wave, wave_id))
    session.rollback()


def test_a_read_only_unit_may_not_re_score(db, seeded):
    """The statements run on a thread of their own, still under the unit's declaration:
    work declared read-only that re-scores is refused, as on the caller's thread."""
    from survey import work
    from survey.models import Wave

    wave_id, _ = seeded
    session = db.session
    before = session.execute(select(Response.id, Response.total_points).order_by(Response.id)).all()
    with pytest.raises(work.ReadOnlyWork), work.unit(writes=False):
        recompute_wave(session, session.get(Wave, wave_id))
    assert session.execute(select(Response.id, Response.total_points).order_by(Response.id)).all() == before
