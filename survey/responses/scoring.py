"""Scoring stored responses by the framework version they answered, and storing the result."""

from __future__ import annotations

import contextvars
import gc
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import String, bindparam, cast, func, inspect, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from survey.frameworks import framework_of
from survey.models import Response, ResponsePillarScore, ResponseState, Wave
from survey.models.base import utcnow
from survey.responses.scorecard_writes import ScorecardWriter
from survey.scoring import Scorecard, scorer_for
from survey.scoring.definition import Profile
from survey.scoring.scorecard import PillarScore


def profile_of(response) -> Profile:
    """What the framework's applicability rules look at, from the response's profile (a
    Response, or a row with its ``ownership`` and ``sector_code``)."""
    ownership = response.ownership
    return Profile(
        entity_type=getattr(ownership, "value", ownership),
        sector=response.sector_code,
    )


def pillar_rows(response_id: int, card: Scorecard) -> list[dict]:
    """The scorecard's pillar rows as values for one multi-row INSERT."""
    return [
        {
            "response_id": response_id,
            "pillar_code": pillar.code,
            "position": position,
            "points": pillar.points,
            "max_points": pillar.max_points,
            "level": pillar.level,
        }
        for position, pillar in enumerate(card.pillars)
    ]


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


@dataclass
class Rescored:
    """What one batch's re-scoring must write (``ScorecardWriter.write``)."""

    #: Responses whose scorecard columns are written (changed, or never marked scored).
    responses: list[dict] = field(default_factory=list)
    #: Pillar rows changed in place.
    pillars: list[dict] = field(default_factory=list)
    #: Responses whose pillar rows are replaced, and the rows replacing them.
    replaced: list[int] = field(default_factory=list)
    new_pillars: list[dict] = field(default_factory=list)
    changed: int = 0


#: Separators of a response's pillar rows read as one text (never in a code or a number).
_FIELD, _ROW = "\x1f", "\x1e"


def _stored_pillars(responses, pillars):
    """A response's pillar rows as one text, in the read of the response itself: one value
    per response instead of six rows (their order is not kept; ``_pillar_set`` needs none)."""
    fields = [
        pillars.c.pillar_code,
        *(cast(pillars.c[name], String) for name in ("position", "points", "max_points", "level")),
    ]
    text = fields[0]
    for part in fields[1:]:
        text = text + _FIELD + part
    return (
        select(func.aggregate_strings(text, _ROW))
        .where(pillars.c.response_id == responses.c.id)
        .scalar_subquery()
    )


def _pillar_text(position: int, pillar: PillarScore) -> str:
    """A new pillar row as ``_stored_pillars`` gives a stored one."""
    sep = _FIELD
    return f"{pillar.code}{sep}{position}{sep}{pillar.points}{sep}{pillar.max_points}{sep}{pillar.level}"


def _pillar_set(stored: str | None) -> set[str]:
    return set(stored.split(_ROW)) if stored else set()


def _same_rows(stored: set[str], new: Iterable[str]) -> bool:
    """Whether the stored rows are the new scorecard's pillars at the same positions
    (both as ``_pillar_text``, which begins with the code and the position)."""

    def keys(texts: Iterable[str]) -> set[tuple[str, ...]]:
        return {tuple(text.split(_FIELD, 2)[:2]) for text in texts}

    return keys(stored) == keys(new)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def recompute_wave(session: Session, wave: Wave, batch: int = 1000) -> RecomputeResult:
    """Rescore every submitted response of ``wave`` (after a fix to the scoring code).

    Works in batches of primary keys so memory stays flat however big the wave is, and in
    Core statements rather than ORM objects: each batch is one read of the responses with
    their pillar rows folded into one text each (six rows a response cost more to fetch
    than the response), the pure scorer, then one bulk UPDATE of the scorecard columns
    (guarded by the optimistic lock, as the ORM would); changed pillar rows are updated in
    place by one bulk UPDATE when the pillars are the same ones, else replaced by one
    DELETE and one multi-row INSERT (``ScorecardWriter`` says what "bulk" is on each
    database). Everything runs in the session's transaction and is never committed here,
    so a call is one unit of work.
    The same scorecards, ``scored_at`` rule and ``changed`` count as ``store_scorecard``.

    The database's work and the scorer's overlap: one thread of its own runs every
    statement, in order, on the session's connection (reading the next batch while this
    one is scored, then writing it), while this thread scores. Only that thread touches
    the connection until the call returns; SQLite and the network wait of PostgreSQL let
    go of the interpreter meanwhile. An error on either side ends the call with it (and
    the caller's rollback undoes everything, as before).
    """
    session.flush()  # the caller's pending changes (e.g. a re-pinned wave) first
    scorer = scorer_for(framework_of(wave.framework_version))
    connection = session.connection()
    read = _read_statement(wave, batch)
    writer = ScorecardWriter(connection)

    def fetch(after: int) -> list:
        return connection.execute(read, {"last_id": after}).all()

    checked = changed = 0
    # A batch is thousands of short-lived dicts and rows with no reference cycles
    # among them, which set off the cyclic collector dozens of times a wave, each time
    # walking every object of the app: a quarter of the time of re-scoring 20,000
    # responses went there. Paused for the loop (a 20,000-response run leaves under a
    # hundred cyclic objects behind, collected when it is back on).
    # The statements run in this call's context (the unit's declaration that it writes,
    # which survey/work.py checks on every statement), not in the thread's empty one.
    context = contextvars.copy_context()
    with _cyclic_gc_paused(), ThreadPoolExecutor(1, thread_name_prefix="recompute-db") as database:
        upcoming = database.submit(context.run, fetch, 0)
        written = None
        while rows := upcoming.result():
            # Read ahead while this batch is scored.
            upcoming = database.submit(context.run, fetch, rows[-1].id)
            rescored = _rescore(scorer, rows)
            if written is not None:
                written.result()  # the previous batch's error, if any, before going on
            written = database.submit(context.run, writer.write, rescored, utcnow())
            checked += len(rows)
            changed += rescored.changed
        if written is not None:
            written.result()
    if checked:
        # Loaded objects would now hold stale scorecards (as before: the session is emptied).
        session.expunge_all()
    return RecomputeResult(checked, changed)


def _read_statement(wave: Wave, batch: int):
    """The next ``batch`` submitted responses of ``wave`` after ``:last_id``, in id order."""
    responses, pillars = Response.__table__, ResponsePillarScore.__table__
    return (
        select(
            responses.c.id,
            responses.c.version_id,
            responses.c.answers,
            # The stored text, not the enum: only its value is looked at.
            type_coerce(responses.c.ownership, String).label("ownership"),
            responses.c.sector_code,
            responses.c.total_points,
            responses.c.overall_level,
            responses.c.tier,
            responses.c.scored_at.is_(None).label("never_scored"),
            _stored_pillars(responses, pillars).label("pillars"),
        )
        .where(
            responses.c.wave_id == wave.id,
            responses.c.state == ResponseState.SUBMITTED,
            responses.c.id > bindparam("last_id"),
        )
        .order_by(responses.c.id)
        .limit(batch)
    )


def _rescore(scorer, rows) -> Rescored:
    """Score a batch of read rows and say what must be written (pure: no database)."""
    out = Rescored()
    for row in rows:
        card = scorer.score(row.answers, profile_of(row))
        stored = _pillar_set(row.pillars)
        new = {_pillar_text(position, pillar): pillar for position, pillar in enumerate(card.pillars)}
        pillars_changed = new.keys() != stored
        is_changed = pillars_changed or (row.total_points, row.overall_level, row.tier) != (
            card.total_points,
            card.overall_level,
            card.tier,
        )
        out.changed += is_changed
        if not (is_changed or row.never_scored):
            continue
        out.responses.append(
            {
                "rid": row.id,
                "old_version": row.version_id,
                "total_points": card.total_points,
                "overall_level": card.overall_level,
                "tier": card.tier,
            }
        )
        if not pillars_changed:
            continue
        if _same_rows(stored, new):
            # Only the rows that differ: a fix seldom moves every pillar.
            out.pillars.extend(
                {
                    "rid": row.id,
                    "code": pillar.code,
                    "points": pillar.points,
                    "max_points": pillar.max_points,
                    "level": pillar.level,
                }
                for text, pillar in new.items()
                if text not in stored
            )
        else:
            out.replaced.append(row.id)
            out.new_pillars.extend(pillar_rows(row.id, card))
    return out
