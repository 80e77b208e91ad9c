"""Survey waves: one round of the assessment, pinned to one framework version."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ColumnElement, ForeignKey, SmallInteger, String, and_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, str_enum, utcnow
from survey.models.business import ALL_KINDS, BusinessKind
from survey.models.framework import FrameworkVersion
from survey.models.module import WaveModule


class WaveState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Wave(Base):
    __tablename__ = "waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    framework_version_id: Mapped[int] = mapped_column(ForeignKey("framework_versions.id"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[WaveState] = mapped_column(str_enum(WaveState), default=WaveState.DRAFT)
    #: The kinds of business the wave is for (BusinessKind values). Two waves taking
    #: answers at the same time never share a kind (survey.waves), so the start page can
    #: send each business to its one wave.
    kinds: Mapped[list] = mapped_column(JSON, default=lambda: [k.value for k in ALL_KINDS])
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    framework_version: Mapped[FrameworkVersion] = relationship()
    #: The unscored modules the wave carries, in journey order (after the framework's pages).
    modules: Mapped[list[WaveModule]] = relationship(
        order_by=WaveModule.position, cascade="all, delete-orphan", passive_deletes=True
    )

    def serves(self, kind: BusinessKind | str) -> bool:
        return BusinessKind(kind).value in (self.kinds or ())

    @property
    def business_kinds(self) -> list[BusinessKind]:
        """The wave's kinds in their fixed order."""
        return [k for k in BusinessKind if k.value in (self.kinds or ())]

    @hybrid_method
    def accepts_answers(self, now: datetime) -> bool:
        """Open for submissions: opened by staff and within its dates (not at its closing instant)."""
        return self.state == WaveState.OPEN and self.opens_at <= now < self.closes_at

    @accepts_answers.inplace.expression
    @classmethod
    def _accepts_answers_in_sql(cls, now: datetime) -> ColumnElement[bool]:
        # The same rule as a query condition, so that "the open wave" is found by it too.
        return and_(cls.state == WaveState.OPEN, cls.opens_at <= now, cls.closes_at > now)
