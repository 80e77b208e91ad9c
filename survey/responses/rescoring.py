"""Moving a wave to a corrected scoring version of the same questions.

The day the official %-bands of the DBI figure criteria are found, a version 3 that
``rescores: 2`` can be published: same questions, other points. An admin moves a wave to
it here. Everything happens in the caller's one transaction: the wave is re-pinned, every
submitted scorecard is recomputed from the stored answers, the headline figures before
and after are kept in a RescoreRun, and one audit entry says who did it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import audit
from survey.models import FrameworkVersion, RescoreRun, Response, ResponseState, Wave
from survey.responses.scoring import framework_of, recompute_wave
from survey.statistics import rollup


class NotARescore(ValueError):
    """The target version does not re-score the wave's version (other questions)."""


def candidates(session: Session, wave: Wave) -> list[FrameworkVersion]:
    """Recorded versions that declare they re-score the wave's version, same questions."""
    current = wave.framework_version
    signature = framework_of(current).question_signature()
    found = []
    for version in session.scalars(
        select(FrameworkVersion).filter_by(code=current.code).order_by(FrameworkVersion.version)
    ):
        if version.id == current.id:
            continue
        framework = framework_of(version)
        if framework.rescores == current.version and framework.question_signature() == signature:
            found.append(version)
    return found


def headline(session: Session, wave: Wave) -> dict:
    """The figures a re-scoring can move: the population estimate of each tier with its
    interval, the respondents' tier shares, and the count at each overall level."""
    figures = rollup.rollup(session, wave)
    overall = figures["overall"]
    return {
        "version": wave.framework_version.version,
        "n": overall["n"],
        "population": figures["population"]["tiers"],
        "tiers": {tier: value["count"] for tier, value in overall["tiers"].items()},
        "levels": overall["levels"],
    }


def _levels(session: Session, wave: Wave) -> dict[int, int | None]:
    return dict(
        session.execute(
            select(Response.id, Response.overall_level).where(
                Response.wave_id == wave.id, Response.state == ResponseState.SUBMITTED
            )
        ).all()
    )


def rescore_wave(session: Session, wave: Wave, target: FrameworkVersion, actor_id: int | None) -> RescoreRun:
    """Re-pin ``wave`` to ``target`` and recompute every scorecard; flushes, never commits."""
    if target not in candidates(session, wave):
        raise NotARescore(f"{target.label} does not re-score {wave.framework_version.label}")
    # recompute_wave empties the session between batches: keep plain values, reload after.
    wave_id, source_id, source_label = wave.id, wave.framework_version_id, wave.framework_version.label
    target_id, target_label = target.id, target.label
    before = headline(session, wave)
    levels_before = _levels(session, wave)
    wave.framework_version = target
    session.flush()
    result = recompute_wave(session, wave)
    wave = session.get(Wave, wave_id)
    after = headline(session, wave)
    levels_after = _levels(session, wave)
    moved = sum(levels_before[k] != levels_after.get(k) for k in levels_before)
    run = RescoreRun(
        wave_id=wave_id,
        from_version_id=source_id,
        to_version_id=target_id,
        actor_id=actor_id,
        checked=result.checked,
        changed=result.changed,
        moved=moved,
        before=before,
        after=after,
    )
    session.add(run)
    session.flush()
    audit.record(
        session,
        "wave.rescored",
        wave,
        actor_id=actor_id,
        before={"framework_version": source_label},
        after={"framework_version": target_label},
        checked=result.checked,
        changed=result.changed,
        moved=moved,
        run=run.id,
    )
    return run
