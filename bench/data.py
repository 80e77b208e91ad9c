"""Bulk-loading a synthetic wave for benchmarks (Core inserts, not ORM objects)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from survey.extensions import db
from survey.models import AdminUnit, Enterprise, Response, ResponsePillarScore, Sector, Wave, WaveState
from survey.models.size_class import SizeClass, classify
from survey.registry.demo import draw_answers
from survey.responses.scoring import framework_of
from survey.scoring import scorer_for


def prepare_database(app) -> None:
    """Migrate an empty database and load the reference data (inside an app context)."""
    import flask_migrate

    from survey.cli import seed_reference

    flask_migrate.upgrade()
    app.test_cli_runner().invoke(seed_reference)


def open_wave(framework_version, name: str) -> Wave:
    """A wave open from yesterday to tomorrow, added to the session and flushed."""
    now = datetime.now(UTC)
    wave = Wave(
        name=name,
        year=2025,
        framework_version=framework_version,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        state=WaveState.OPEN,
    )
    db.session.add(wave)
    db.session.flush()
    return wave


def random_answer_sets(framework, count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    return [draw_answers(rng, framework, rng.random()) for _ in range(count)]


def load_wave(framework_version, n: int, seed: int = 1, chunk: int = 5000) -> Wave:
    """A wave with ``n`` submitted, scored responses from ``n`` register firms."""
    rng = random.Random(seed)
    framework = framework_of(framework_version)
    scorer = scorer_for(framework)
    units = db.session.scalars(select(AdminUnit.id)).all()
    sectors = {s.code: s.size_group for s in db.session.scalars(select(Sector))}
    codes = list(sectors)
    now = datetime.now(UTC)
    wave = Wave(
        name=f"bench {n} {seed}",
        year=2025,
        framework_version=framework_version,
        opens_at=now,
        closes_at=now,
        state=WaveState.CLOSED,
    )
    db.session.add(wave)
    db.session.flush()
    first_firm = (db.session.scalar(select(Enterprise.id).order_by(Enterprise.id.desc())) or 0) + 1
    answer_pool = random_answer_sets(framework, 2000, seed)
    cards = [scorer.score(a) for a in answer_pool]
    for start in range(0, n, chunk):
        firms, responses, pillars = [], [], []
        for i in range(start, min(n, start + chunk)):
            firm_id = first_firm + i
            sector = rng.choice(codes)
            employees = rng.choice((3, 30, 80, 150, 400))
            size = classify(sectors[sector], employees, None, None) or SizeClass.MICRO
            profile = {
                "unit_id": rng.choice(units),
                "sector_code": sector,
                "ownership": "private",
                "employees": employees,
                "size_class": size.value,
            }
            firms.append(
                {"id": firm_id, "tax_code": f"B{firm_id:012d}", "name": f"Firm {firm_id}", **profile}
            )
            k = rng.randrange(len(answer_pool))
            card = cards[k]
            responses.append(
                {
                    "id": firm_id,
                    "wave_id": wave.id,
                    "enterprise_id": firm_id,
                    "state": "submitted",
                    "review_state": "pending",
                    "answers": answer_pool[k],
                    "technologies": [],
                    "total_points": card.total_points,
                    "overall_level": card.overall_level,
                    "tier": card.tier,
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                    # Scored when submitted, as the app does: re-scoring finds them right.
                    "scored_at": now,
                    "version_id": 1,
                    **profile,
                }
            )
            pillars.extend(
                {
                    "response_id": firm_id,
                    "pillar_code": p.code,
                    "position": pos,
                    "points": p.points,
                    "max_points": p.max_points,
                    "level": p.level,
                }
                for pos, p in enumerate(card.pillars)
            )
        # Plain dict rows bypass the ORM (and its before_flush hook), so size_class is given.
        db.session.execute(insert(Enterprise.__table__), firms)
        db.session.execute(insert(Response.__table__), responses)
        db.session.execute(insert(ResponsePillarScore.__table__), pillars)
        db.session.commit()
    return wave
