"""Instruments staff loaded from a workbook and have not published yet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, utcnow
from survey.models.staff import StaffUser


class InstrumentDraft(Base):
    """A framework or module definition read from a workbook, validated, not yet in use.

    A draft can be previewed, simulated, compared with the version it follows and deleted;
    publishing copies it into ``framework_versions`` or ``module_versions`` (immutable from
    then on) and deletes the draft. One draft per code and version: a second upload of the
    same version is refused until the first is published or deleted.
    """

    __tablename__ = "instrument_drafts"
    __table_args__ = (UniqueConstraint("kind", "code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``framework`` or ``module`` (survey.instruments.FRAMEWORK / MODULE).
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    #: The uploaded file's name, as the staff member knows it.
    source_name: Mapped[str] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[StaffUser | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"
