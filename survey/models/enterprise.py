"""The enterprise register: the city's population of firms."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, str_enum, utcnow
from survey.models.reference import AdminUnit, Sector
from survey.models.size_class import SizeClass, classify


class Ownership(StrEnum):
    STATE = "state"
    PRIVATE = "private"
    FOREIGN = "foreign"
    COOPERATIVE = "cooperative"
    HOUSEHOLD = "household"


class FirmProfileMixin:
    """Profile columns shared by the register and by each response's snapshot of it.

    A response keeps its own copy because a firm's sector or size may change between
    waves, and each wave's statistics must describe the firm as it was then.
    """

    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    sector_code: Mapped[str | None] = mapped_column(ForeignKey("sectors.code"), index=True)
    ownership: Mapped[Ownership | None] = mapped_column(str_enum(Ownership))
    employees: Mapped[int | None]
    revenue_vnd: Mapped[int | None] = mapped_column(BigInteger)
    capital_vnd: Mapped[int | None] = mapped_column(BigInteger)
    #: Derived by Decree 80 from the sector group and the three figures; kept in step on
    #: every flush (see ``_derive_size_classes``) so SQL can group by it.
    size_class: Mapped[SizeClass | None] = mapped_column(str_enum(SizeClass), index=True)


class Enterprise(FirmProfileMixin, Base):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Normalised: ``0100233488`` or ``0100233488-001`` (see survey.registry.tax_code).
    tax_code: Mapped[str] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[AdminUnit | None] = relationship()
    sector: Mapped[Sector | None] = relationship()


SIZE_INPUTS = ("sector_code", "employees", "revenue_vnd", "capital_vnd")


def _size_inputs_changed(obj) -> bool:
    state = inspect(obj)
    return state.pending or any(state.attrs[name].history.has_changes() for name in SIZE_INPUTS)


@event.listens_for(Session, "before_flush")
def _derive_size_classes(session: Session, flush_context, instances) -> None:
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, FirmProfileMixin) and _size_inputs_changed(obj):
            sector = session.get(Sector, obj.sector_code) if obj.sector_code else None
            obj.size_class = classify(
                sector.size_group if sector else None,
                obj.employees,
                obj.revenue_vnd,
                obj.capital_vnd,
            )
