"""Assessment frameworks as recorded in the database: immutable once recorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, UTCDateTime, utcnow


class FrameworkVersion(Base):
    """One version of a framework, with the full definition a response was answered by.

    The definition is copied here (not only kept in the package file) so that a
    response can be rescored years later by exactly the text and points it answered.
    """

    __tablename__ = "framework_versions"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    #: SHA-256 of the canonical JSON of the definition.
    content_hash: Mapped[str] = mapped_column(String(64))
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    #: Deferred: the full definition is large, and once parsed it is cached by content
    #: hash (survey.responses.scoring.framework_of), so most requests never need it.
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"
