"""Submitting a draft in a handful of Core statements (issue 20).

Deadline day is when the city's respondents all submit at once, so this path is kept to
what a submission must do: one read of the draft with its wave and instrument, one of its
module answers if the wave carries modules, the pure scorer, one UPDATE guarded by the
state and the optimistic lock, and one multi-row INSERT of the pillar rows, all in the
request's unit of work. Loading the response as ORM objects and flushing a scorecard
through the unit of work cost most of the request before; the rules are the ones
``store_scorecard`` and the wave keep (``Wave.accepts_answers`` is the very expression
selected here).

A second click that races the first writes nothing and the first submission stands. On
PostgreSQL both may read the same draft; the second's guarded UPDATE waits for the first's
row lock, then finds the state and version moved on and matches no row. On SQLite the write
lock is taken before the read (survey/work.py), so the second reads a submitted response.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, exists, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from survey import frameworks, modules
from survey.models import (
    FrameworkVersion,
    ModuleAnswer,
    ModuleVersion,
    Response,
    ResponsePillarScore,
    ResponseState,
    Wave,
    WaveModule,
)
from survey.models.base import UTCDateTime
from survey.modules import answers as module_answers
from survey.respondent.services import Incomplete, WaveClosed, holds
from survey.responses.scoring import pillar_rows, profile_of
from survey.scoring import AnswerProblem, InvalidAnswers, scorer_for

_responses = Response.__table__
_pillars = ResponsePillarScore.__table__

# Built once: on deadline day the statements' construction would cost more than running them.
_READ = (
    select(
        _responses.c.id,
        _responses.c.state,
        _responses.c.version_id,
        _responses.c.answers,
        _responses.c.ownership,
        _responses.c.sector_code,
        _responses.c.resume_token_hash,
        _responses.c.scored_at,
        _responses.c.wave_id,
        Wave.accepts_answers(bindparam("now", type_=UTCDateTime)).label("wave_open"),
        Wave.framework_version_id,
        FrameworkVersion.content_hash.label("framework_hash"),
        # Most waves carry no module: then no second read for module answers.
        exists().where(WaveModule.wave_id == Wave.id).label("has_modules"),
    )
    .join(Wave, Wave.id == _responses.c.wave_id)
    .join(FrameworkVersion, FrameworkVersion.id == Wave.framework_version_id)
    .where(_responses.c.id == bindparam("rid"))
)
_SUBMIT = (
    update(_responses)
    .where(
        _responses.c.id == bindparam("rid"),
        _responses.c.version_id == bindparam("old_version"),
        _responses.c.state == ResponseState.DRAFT,
    )
    .values(
        state=ResponseState.SUBMITTED,
        submitted_at=bindparam("now"),
        total_points=bindparam("total_points"),
        overall_level=bindparam("overall_level"),
        tier=bindparam("tier"),
        scored_at=bindparam("now"),
        updated_at=bindparam("now"),
        version_id=bindparam("new_version"),
    )
)
_ADD_PILLARS = insert(_pillars)
_DROP_PILLARS = delete(_pillars).where(_pillars.c.response_id == bindparam("rid"))
_CARRIED = (
    select(ModuleVersion.id, ModuleVersion.content_hash)
    .join(WaveModule, WaveModule.module_version_id == ModuleVersion.id)
    .where(WaveModule.wave_id == bindparam("wave_id"))
    .order_by(WaveModule.position)
)
_MODULE_ANSWERS = select(
    ModuleAnswer.module_version_id,
    ModuleAnswer.question,
    ModuleAnswer.option,
    ModuleAnswer.number,
    ModuleAnswer.text,
).where(ModuleAnswer.response_id == bindparam("rid"))


@dataclass(frozen=True)
class Draft:
    """What submitting needs of one response, read in one statement."""

    row: Row

    @property
    def submitted(self) -> bool:
        return self.row.state == ResponseState.SUBMITTED


def load(session: Session, response_id: object, token: str | None, now: datetime) -> Draft | None:
    """The session's response, or None unless its resume ``token`` still opens it (the same
    rule as every page of the journey: survey.respondent.pages.current_response)."""
    if not isinstance(response_id, int):
        return None
    row = session.connection().execute(_READ, {"rid": response_id, "now": now}).one_or_none()
    if row is None or not holds(row, token):
        return None
    return Draft(row)


def submit(session: Session, draft: Draft, now: datetime) -> bool:
    """Submit and score the draft; False if it was already submitted, by this request's
    twin or before (idempotent). Raises ``WaveClosed`` or ``Incomplete`` before writing."""
    row = draft.row
    if draft.submitted:
        return False
    if not row.wave_open:
        raise WaveClosed
    try:
        card = scorer_for(_framework(session, row)).score(row.answers, profile_of(row))
    except InvalidAnswers as exc:
        raise Incomplete(exc.problems) from None
    unanswered = _unanswered_modules(session, row)
    if unanswered:
        raise Incomplete([AnswerProblem(f"{code}.{q}", "not answered") for code, q in unanswered])
    connection = session.connection()
    written = connection.execute(
        _SUBMIT,
        {
            "rid": row.id,
            "old_version": row.version_id,
            "new_version": row.version_id + 1,
            "now": now,
            "total_points": card.total_points,
            "overall_level": card.overall_level,
            "tier": card.tier,
        },
    )
    if written.rowcount != 1:
        return False  # the twin won; its submission stands
    if row.scored_at is not None:
        # Rows a draft should not carry, whatever left them: the new scorecard replaces them.
        connection.execute(_DROP_PILLARS, {"rid": row.id})
    connection.execute(_ADD_PILLARS, pillar_rows(row.id, card))
    return True


def _framework(session: Session, row: Row):
    """The wave's instrument from the cache by content hash; its definition (large) is read
    only when this process has not built it yet."""
    cached = frameworks.recorded(row.framework_hash)
    return cached or frameworks.framework_of(session.get(FrameworkVersion, row.framework_version_id))


def _unanswered_modules(session: Session, row: Row) -> list[tuple[str, str]]:
    """(module code, question) of each required module question left unanswered, in the
    journey's order (the rule of survey.responses.modules.missing)."""
    if not row.has_modules:
        return []
    connection = session.connection()
    carried = connection.execute(_CARRIED, {"wave_id": row.wave_id}).all()
    stored: dict[int, list] = {}
    for version_id, *values in connection.execute(_MODULE_ANSWERS, {"rid": row.id}):
        stored.setdefault(version_id, []).append(values)
    unanswered = []
    for version_id, content_hash in carried:
        module = modules.recorded(content_hash) or modules.module_of(session.get(ModuleVersion, version_id))
        answers = module_answers.from_rows(module, stored.get(version_id, []))
        unanswered += [(module.code, q) for q in module_answers.missing(module, answers)]
    return unanswered
