"""The public summary's figures, computed once per change of the data behind them.

Building them is a full rollup of the wave (about 0.6 s for 17,000 responses), and the
page is anonymous, so they are cached. The cache is a dictionary in each app process,
keyed by wave and checked against a *stamp* of the data: the number of the wave's
counted responses (survey.reports.counted) and their latest ``updated_at`` (a
submission, a review rejection or its reversal, or a re-scoring changes one of them),
the same for the register (the population estimates divide by it), and the wave's
framework version and kinds of business. Reading the stamp is two aggregate queries on
indexed columns, a few milliseconds.

Each app process (each gunicorn worker of each server) therefore recomputes once per
change, and every process sees the same data through the same database, so no process
serves figures older than the stamp says, however many servers there are. Redis would
save the duplicate computations, at the price of a service the summary could not work
without; a few recomputations per change is cheaper.

Two ages bound the work and the staleness: figures younger than
``PUBLIC_SUMMARY_CACHE_MIN_AGE`` seconds are served without even reading the stamp (on
a deadline day submissions arrive every second, and each would otherwise mean a new
rollup), and figures older than ``PUBLIC_SUMMARY_CACHE_MAX_AGE`` are recomputed even
with an unchanged stamp (for what the stamp does not see, such as reference figures).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.dashboard import figures
from survey.models import Enterprise, Response, Wave
from survey.reports import breakdowns, privacy
from survey.reports.counted import counted_in


@dataclass(frozen=True)
class _Entry:
    stamp: tuple
    board: figures.Dashboard
    computed_at: float


#: Keyed by the wave's id and creation time (an id alone can come back after a rollback).
_entries: dict[tuple, _Entry] = {}
_lock = threading.Lock()
#: The clock of the ages (a function, so tests can move it).
clock = time.monotonic


def data_stamp(session: Session, wave: Wave) -> tuple:
    """What changes whenever the summary's figures of ``wave`` may change."""
    responses = session.execute(
        select(func.count(), func.max(Response.updated_at)).where(counted_in(wave.id))
    ).one()
    register = session.execute(select(func.count(), func.max(Enterprise.updated_at))).one()
    config = current_app.config
    return (
        wave.framework_version_id,
        # The kinds of business it is for decide the register part its estimates use.
        tuple(wave.kinds or ()),
        *responses,
        *register,
        privacy.min_group(),
        tuple(config["ROLLUP_STRATA"]),
    )


def compute(session: Session, wave: Wave) -> figures.Dashboard:
    """The summary's figures, from the database (what the cache saves)."""
    return figures.build(
        session,
        wave,
        {},
        privacy.min_group(),
        current_app.config["ROLLUP_STRATA"],
        report=breakdowns.PUBLIC_SUMMARY,
        with_trend=False,
    )


def board(session: Session, wave: Wave) -> figures.Dashboard:
    """The summary's figures of ``wave``: cached if still valid, else computed now."""
    config = current_app.config
    now = clock()
    key = (wave.id, wave.created_at)
    entry = _entries.get(key)
    if entry is not None and now - entry.computed_at < config["PUBLIC_SUMMARY_CACHE_MIN_AGE"]:
        return _for(entry, wave)
    stamp = data_stamp(session, wave)
    if (
        entry is None
        or entry.stamp != stamp
        or now - entry.computed_at >= config["PUBLIC_SUMMARY_CACHE_MAX_AGE"]
    ):
        # The ORM wave is not kept: it belongs to this request's session.
        entry = _Entry(stamp, dataclasses.replace(compute(session, wave), wave=None), now)
        with _lock:
            _entries.clear()  # only the newest wave is ever shown: keep one entry
            _entries[key] = entry
    return _for(entry, wave)


def _for(entry: _Entry, wave: Wave) -> figures.Dashboard:
    return dataclasses.replace(entry.board, wave=wave)


def forget() -> None:
    """Empty the cache (tests)."""
    with _lock:
        _entries.clear()
