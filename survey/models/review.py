"""Staff notes on responses and personal invitation links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, utcnow
from survey.models.enterprise import Enterprise
from survey.models.staff import StaffUser
from survey.models.wave import Wave


class ResponseNote(Base):
    """An internal note by staff; never shown to the firm."""

    __tablename__ = "response_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[StaffUser] = relationship()


class Invitation(Base):
    """A firm's personal link to its own response in a wave.

    Only the digest of the token is stored; the link exists in the export made when it
    was issued. Reissuing revokes the old link, so at most one is live per firm and wave.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        Index(
            "uq_invitations_live_per_firm_wave",
            "wave_id",
            "enterprise_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    wave: Mapped[Wave] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
