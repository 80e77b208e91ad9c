"""A wave moved to a corrected scoring version: what it was, what it became, kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, utcnow
from survey.models.framework import FrameworkVersion
from survey.models.wave import Wave


class RescoreRun(Base):
    """One re-scoring of a wave under another scoring version of the same questions.

    ``before`` and ``after`` hold the headline figures, tiers and levels as they stood
    either side of the change, so the table shown on the day can be shown again.
    """

    __tablename__ = "rescore_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    from_version_id: Mapped[int] = mapped_column(ForeignKey("framework_versions.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("framework_versions.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Submitted responses re-scored, and how many of their scorecards changed.
    checked: Mapped[int]
    changed: Mapped[int]
    #: Firms whose overall level moved.
    moved: Mapped[int]
    before: Mapped[dict] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)

    wave: Mapped[Wave] = relationship()
    from_version: Mapped[FrameworkVersion] = relationship(foreign_keys=[from_version_id])
    to_version: Mapped[FrameworkVersion] = relationship(foreign_keys=[to_version_id])
