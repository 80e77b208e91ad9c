"""Scoring stored responses by the framework version they answered, and storing the result."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from survey.frameworks import framework_of
from survey.models import Response, ResponsePillarScore, ResponseState, Wave
from survey.models.base import utcnow
from survey.scoring import Scorecard, scorer_for
from survey.scoring.definition import Profile


def profile_of(response: Response) -> Profile:
    """What the framework's applicability rules look at, from the response's profile."""
    ownership = response.ownership
    return Profile(
        entity_type=getattr(ownership, "value", ownership),
        sector=response.sector_code,
    )


def store_scorecard(response: Response, card: Scorecard) -> bool:
    """Write ``card`` into the response's scorecard columns; True if anything changed."""
    if response.scored_at is None and "pillar_scores" not in inspect(response).dict:
        # Never scored, so it has no pillar rows: say so instead of asking the database.
        set_committed_value(response, "pillar_scores", [])
    before = _snapshot(response)
    response.total_points = card.total_points
    response.overall_level = card.overall_level
    response.tier = card.tier
    rows = {row.pillar_code: row for row in response.pillar_scores}
    for position, pillar in enumerate(card.pillars):
        row = rows.pop(pillar.code, None)
        if row is None:
            row = ResponsePillarScore(pillar_code=pillar.code)
            response.pillar_scores.append(row)
        row.position = position
        row.points = pillar.points
        row.max_points = pillar.max_points
        row.level = pillar.level
    for stale in rows.values():
        response.pillar_scores.remove(stale)
    changed = _snapshot(response) != before
    if changed or response.scored_at is None:
        response.scored_at = utcnow()
    return changed


def _snapshot(response: Response) -> tuple:
    return (
        response.total_points,
        response.overall_level,
        response.tier,
        sorted((r.pillar_code, r.position, r.points, r.max_points, r.level) for r in response.pillar_scores),
    )


def score_response(response: Response) -> Scorecard:
    """Score a response by its wave's framework version and store the scorecard."""
    framework = framework_of(response.wave.framework_version)
    card = scorer_for(framework).score(response.answers, profile_of(response))
    store_scorecard(response, card)
    return card


@dataclass
class RecomputeResult:
    checked: int
    changed: int


def recompute_wave(session: Session, wave: Wave, batch: int = 1000) -> RecomputeResult:
    """Rescore every submitted response of ``wave`` (after a fix to the scoring code).

    Works in batches of primary keys so memory stays flat however big the wave is.
    """
    scorer = scorer_for(framework_of(wave.framework_version))
    checked = changed = 0
    last_id = 0
    while True:
        responses = session.scalars(
            select(Response)
            .where(
                Response.wave_id == wave.id,
                Response.state == ResponseState.SUBMITTED,
                Response.id > last_id,
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
