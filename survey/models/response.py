"""A firm's answers in one wave, with the scorecard stored in aggregatable columns."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, str_enum, utcnow
from survey.models.enterprise import Enterprise, FirmProfileMixin
from survey.models.module import ModuleAnswer, ResponseModule
from survey.models.wave import Wave

if TYPE_CHECKING:
    from survey.models.staff import StaffUser


class ResponseState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class EntryMethod(StrEnum):
    """How staff took the answers of a response they entered for the firm."""

    PHONE = "phone"
    PAPER = "paper"
    IN_PERSON = "in_person"


class ReviewState(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    FLAGGED = "flagged"
    REJECTED = "rejected"


class Response(FirmProfileMixin, Base):
    __tablename__ = "responses"
    __table_args__ = (
        # One response per firm per wave, whatever the application does.
        UniqueConstraint("enterprise_id", "wave_id"),
        # The rollup's WHERE clause.
        Index("ix_responses_wave_state_review", "wave_id", "state", "review_state"),
        # Room on each page for rewriting a row in place (migration 3b8d5f1a7c24 says why).
        {"postgresql_with": {"fillfactor": 70}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    state: Mapped[ResponseState] = mapped_column(str_enum(ResponseState), default=ResponseState.DRAFT)
    review_state: Mapped[ReviewState] = mapped_column(str_enum(ReviewState), default=ReviewState.PENDING)
    # What the respondent told us about the firm and whom to contact, as they typed it.
    firm_name: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    #: When the respondent agreed to the privacy notice.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: SHA-256 of the secret resume token; the token itself is never stored.
    resume_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The personal link that opened this response (None: begun on the start page).
    #: Opening a firm's link takes over a draft begun without it (see open_invitation).
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"))
    #: A one-time recovery link mailed to the response's contact (digest and expiry).
    recovery_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    recovery_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The language the respondent used (for e-mails and staff context).
    language: Mapped[str | None] = mapped_column(String(5))

    #: ``{criterion code: option code | [option codes]}`` as the framework defines them.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Codes from the framework's Industry 4.0 technology checklist.
    technologies: Mapped[list] = mapped_column(JSON, default=list)

    # The stored scorecard (None until submitted and scored).
    total_points: Mapped[int | None]
    overall_level: Mapped[int | None] = mapped_column(SmallInteger)
    tier: Mapped[str | None] = mapped_column(String(20))
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why the review state was last set (required for rejecting and reopening).
    review_reason: Mapped[str | None] = mapped_column(String(500))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    #: Entered by staff for the firm (after a phone, paper or in-person interview): who,
    #: when and how. None for a response the firm entered itself. ``entry_method`` is the
    #: marker (the account may be gone one day; the method stays).
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entry_method: Mapped[EntryMethod | None] = mapped_column(str_enum(EntryMethod))
    #: Optimistic lock: a stale write raises instead of silently overwriting.
    version_id: Mapped[int] = mapped_column(default=1)

    wave: Mapped[Wave] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    entered_by: Mapped[StaffUser | None] = relationship(foreign_keys=[entered_by_id])
    pillar_scores: Mapped[list[ResponsePillarScore]] = relationship(
        back_populates="response",
        cascade="all, delete-orphan",
        order_by="ResponsePillarScore.position",
    )
    #: The module versions this response answered, and its answers to them.
    module_pins: Mapped[list[ResponseModule]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    module_answers: Mapped[list[ModuleAnswer]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (SQLAlchemy reads it once)


class ResponsePillarScore(Base):
    """One pillar of a stored scorecard; a row per pillar so any framework fits."""

    __tablename__ = "response_pillar_scores"
    __table_args__ = ({"postgresql_with": {"fillfactor": 80}},)

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    pillar_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: The pillar's order in the framework, for display.
    position: Mapped[int] = mapped_column(SmallInteger)
    points: Mapped[int]
    max_points: Mapped[int]
    level: Mapped[int] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="pillar_scores")
