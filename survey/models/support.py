"""The support catalogue: programmes the department keeps and matches to firms."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, UTCDateTime, utcnow


class SupportProgramme(Base):
    """One programme. Every list is what it serves; an empty list serves everyone.

    ``pillars`` and ``levels`` go together: a programme for the strategy pillar at levels
    0-2 matches a firm whose strategy pillar is at one of those levels (with no pillars, the
    firm's overall level is compared). ``needs`` are option codes of the needs checklist of
    the barriers-and-needs module; ``sizes`` are size classes, ``kinds`` kinds of business.
    """

    __tablename__ = "support_programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300))
    offers: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    contact: Mapped[str | None] = mapped_column(String(300))
    pillars: Mapped[list] = mapped_column(JSON, default=list)
    levels: Mapped[list] = mapped_column(JSON, default=list)
    sizes: Mapped[list] = mapped_column(JSON, default=list)
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    needs: Mapped[list] = mapped_column(JSON, default=list)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: Withdrawn programmes stay for the audit trail but match no one.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
