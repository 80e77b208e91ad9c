"""Queries behind the home page."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import BusinessKind, Response, ResponseState, Wave
from survey.models.base import utcnow
from survey.reports.counted import counted


def open_waves() -> list[Wave]:
    """The waves accepting answers now, newest first (several, for different kinds of business)."""
    now = utcnow()
    return list(
        db.session.scalars(select(Wave).where(Wave.accepts_answers(now)).order_by(Wave.opens_at.desc()))
    )


def open_wave() -> Wave | None:
    """The newest wave accepting answers now, if any."""
    waves = open_waves()
    return waves[0] if waves else None


def open_wave_for(kind: BusinessKind | str) -> Wave | None:
    """The wave this kind of business answers now. Two open waves never share a kind
    (survey.waves refuses it); should old data hold two, the newest wins."""
    return next((w for w in open_waves() if w.serves(kind)), None)


def current_wave() -> Wave | None:
    """The open wave accepting answers now; otherwise the next one to open, if any."""
    wave = open_wave()
    if wave is not None:
        return wave
    return db.session.scalars(select(Wave).where(Wave.opens_at > utcnow()).order_by(Wave.opens_at)).first()


def wave_counts(wave: Wave) -> dict[str, int]:
    rows = db.session.execute(
        select(Response.state, func.count()).where(Response.wave_id == wave.id).group_by(Response.state)
    ).all()
    counts = {state.value: 0 for state in ResponseState}
    counts.update({state.value: n for state, n in rows})
    return counts


def latest_wave_with_answers() -> Wave | None:
    """The newest wave with a response that counts (what the public summary describes)."""
    return db.session.scalars(
        select(Wave)
        .where(select(Response.id).where(Response.wave_id == Wave.id, counted()).exists())
        .order_by(Wave.opens_at.desc())
    ).first()
