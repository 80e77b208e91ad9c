"""Export jobs: large workbooks are built in the background and offered when ready."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, str_enum, utcnow
from survey.models.staff import Role, StaffUser
from survey.models.wave import Wave


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: A job counts against its requester's EXPORT_MAX_PENDING_PER_USER while in these states.
PENDING_STATES = (JobState.QUEUED, JobState.RUNNING)


class ExportJob(Base):
    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "responses" or "summary".
    kind: Mapped[str] = mapped_column(String(20))
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"))
    #: Filters and options as requested (labels, language, contacts).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    state: Mapped[JobState] = mapped_column(str_enum(JobState), default=JobState.QUEUED)
    rows_total: Mapped[int | None]
    rows_done: Mapped[int] = mapped_column(default=0)
    #: File name inside EXPORT_DIR (random, never user input).
    file_name: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)
    #: How many times a worker claimed it (a job whose worker died runs again, up to
    #: JOBS_MAX_ATTEMPTS times); the claiming worker (host:pid:thread) and its last sign of life.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    worker: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    wave: Mapped[Wave] = relationship()
    requested_by: Mapped[StaffUser] = relationship()

    @property
    def required_role(self) -> Role:
        """The role its file needs *now*: a role taken away since the request takes the file too.

        The responses workbook, with or without contact data, is for analysts (the role
        that may see contacts); the summary holds no personal data and is for every role.
        """
        return Role.VIEWER if self.kind == "summary" else Role.ANALYST
