"""API tokens: what lets another of the city's systems read the JSON API (survey.api)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, str_enum, utcnow
from survey.models.staff import StaffUser


class ApiScope(StrEnum):
    """What a token may read; named as the staff roles that may read the same."""

    #: Frameworks, waves and the figures (rollups): what a staff viewer reads.
    VIEWER = "viewer"
    #: Also the responses, with their contacts: what the analysts' responses workbook holds.
    ANALYST = "analyst"


class ApiToken(Base):
    """One client's token. The secret is shown once; only its SHA-256 digest is stored
    (survey.tokens), so a copy of this table opens nothing."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The system it was given to ("Cổng dữ liệu mở thành phố"), as the admin typed it.
    client: Mapped[str] = mapped_column(String(120))
    scope: Mapped[ApiScope] = mapped_column(str_enum(ApiScope))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    #: Refused from this instant on; every token has one.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    #: Every accepted request counts (survey.api.auth), written beside the request's own unit.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    use_count: Mapped[int] = mapped_column(default=0)

    created_by: Mapped[StaffUser | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[StaffUser | None] = relationship(foreign_keys=[revoked_by_id])

    def live(self, now: datetime) -> bool:
        """Accepted now: neither revoked nor expired (at its expiry instant it is refused)."""
        return self.revoked_at is None and now < self.expires_at
