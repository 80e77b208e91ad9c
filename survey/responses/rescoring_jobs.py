"""Re-scoring a wave as a task on the job queue (survey.responses.rescoring does the work).

The task writes: the re-pinned wave, every recomputed scorecard, the RescoreRun with
the figures before and after, the audit entry and the task's outcome commit together,
so a worker that dies midway leaves the wave as it was, to be re-scored again. It
records no progress on the way: on SQLite its unit holds the write lock, which a
progress write beside it would wait for.
"""

from __future__ import annotations

from sqlalchemy import select

from survey.extensions import db
from survey.jobs import tasks
from survey.models import FrameworkVersion, Task, TaskKind, Wave
from survey.models.export_job import PENDING_STATES
from survey.responses import rescoring


@tasks.runs(TaskKind.WAVE_RESCORE, writes=True)
def rescore(task: Task) -> dict:
    wave = db.session.get(Wave, task.params["wave_id"])
    target = db.session.get(FrameworkVersion, task.params["version_id"])
    run = rescoring.rescore_wave(db.session, wave, target, task.requested_by_id)
    return {"run": run.id, "checked": run.checked}


def pending(wave: Wave) -> Task | None:
    """The wave's re-scoring that is queued or running, if any (one at a time).

    Tasks keep the wave in their params (JSON): the few pending re-scorings are read and
    matched here rather than by a database-specific JSON query.
    """
    waiting = db.session.scalars(
        select(Task)
        .where(Task.kind == TaskKind.WAVE_RESCORE, Task.state.in_(PENDING_STATES))
        .order_by(Task.id)
    )
    return next((task for task in waiting if task.params.get("wave_id") == wave.id), None)
