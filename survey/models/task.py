"""Background tasks staff wait for: register checks and imports, wave re-scoring.

Each is a job on the queue (survey/jobs) whose state lives here, with the same life as
an export job's (survey/jobs/tracked.py): queued, running with a heartbeat, then done
with its ``result`` or failed with its ``error``; a task whose worker died is run again
or failed, never left running.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, str_enum, utcnow
from survey.models.export_job import JobState
from survey.models.staff import Role, StaffUser


class TaskKind(StrEnum):
    #: Read and check an uploaded register file; the result is the preview.
    REGISTER_CHECK = "register.check"
    #: Read a checked file again and write its valid rows into the register.
    REGISTER_IMPORT = "register.import"
    #: Move a wave to a corrected scoring version and recompute every scorecard.
    WAVE_RESCORE = "wave.rescore"


#: The role a task's page and result need (now: a role taken away takes the task too).
REQUIRED_ROLE = {
    TaskKind.REGISTER_CHECK: Role.ADMIN,
    TaskKind.REGISTER_IMPORT: Role.ADMIN,
    TaskKind.WAVE_RESCORE: Role.ADMIN,
}


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind, length=40))
    #: What the job is given (ids, the upload's name, the language to report in).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: What it found or did, for its page (counts, the first errors, the run's id).
    result: Mapped[dict | None] = mapped_column(JSON)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    state: Mapped[JobState] = mapped_column(str_enum(JobState), default=JobState.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    worker: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[StaffUser] = relationship()

    @property
    def required_role(self) -> Role:
        return REQUIRED_ROLE[self.kind]
