"""Unscored modules as recorded, the modules a wave carries, and a response's answers to them.

A module version is recorded like a framework version (its definition copied in, never
changed), a wave lists the versions it carries in journey order, and a response is pinned
to each version it answered by a ``ResponseModule`` row. Answers are one row per question
(per ticked option for a checklist), so that every figure is a GROUP BY in SQL, as the
headline's are (survey.statistics.modules), and free text is searched in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, utcnow


class ModuleVersion(Base):
    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    #: SHA-256 of the canonical JSON of the definition.
    content_hash: Mapped[str] = mapped_column(String(64))
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"


class WaveModule(Base):
    """A module version a wave carries; ``position`` is its order in the journey."""

    __tablename__ = "wave_modules"
    __table_args__ = (UniqueConstraint("wave_id", "position"),)

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), primary_key=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger)

    module_version: Mapped[ModuleVersion] = relationship(lazy="joined")


class ResponseModule(Base):
    """The pin: this response answered this module version (saved its page at least once)."""

    __tablename__ = "response_modules"

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"), primary_key=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    module_version: Mapped[ModuleVersion] = relationship(lazy="joined")


class ModuleAnswer(Base):
    """One answer: a rating's ``number``, a ticked checklist ``option``, or a ``text``."""

    __tablename__ = "module_answers"
    __table_args__ = (Index("ix_module_answers_version_question", "module_version_id", "question"),)

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"), primary_key=True)
    question: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: The ticked option of a checklist; "" for the other kinds (a key part cannot be NULL).
    option: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    number: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(Text)
