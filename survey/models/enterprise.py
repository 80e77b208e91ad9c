"""The enterprise register: the city's population of firms."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, str_enum, utcnow
from survey.models.business import BusinessKind, IdType, Population, is_personal, population_of
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

    #: What kind of business this is; it decides the identifier, the wave and the size class.
    kind: Mapped[BusinessKind] = mapped_column(
        str_enum(BusinessKind), default=BusinessKind.ENTERPRISE, server_default=BusinessKind.ENTERPRISE.value
    )
    #: Derived from ``kind`` on every flush, so SQL can filter and group by it.
    population: Mapped[Population | None] = mapped_column(str_enum(Population), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    sector_code: Mapped[str | None] = mapped_column(ForeignKey("sectors.code"), index=True)
    ownership: Mapped[Ownership | None] = mapped_column(str_enum(Ownership))
    employees: Mapped[int | None]
    revenue_vnd: Mapped[int | None] = mapped_column(BigInteger)
    capital_vnd: Mapped[int | None] = mapped_column(BigInteger)
    #: Derived by Decree 80 from the sector group and the three figures; kept in step on
    #: every flush (see ``_derive_size_classes``) so SQL can group by it. A household or
    #: individual business has no Decree 80 class: it is ``household``.
    size_class: Mapped[SizeClass | None] = mapped_column(str_enum(SizeClass), index=True)


class Enterprise(FirmProfileMixin, Base):
    __tablename__ = "enterprises"
    __table_args__ = (
        # A personal ID may be both an individual business and a household business's
        # representative; a tax code is one business whatever kind it is filed as.
        UniqueConstraint("tax_code", "kind"),
        Index(
            "uq_enterprises_tax_code_registered",
            "tax_code",
            unique=True,
            sqlite_where="id_type != 'cccd12'",
            postgresql_where="id_type != 'cccd12'",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The business's identifier, normalised (survey.registry.identifiers): ``0100233488``,
    #: ``0100233488-001`` or a 12-digit personal ID. None once a personal ID is erased.
    tax_code: Mapped[str | None] = mapped_column(String(14))
    id_type: Mapped[IdType] = mapped_column(
        str_enum(IdType), default=IdType.MST10, server_default=IdType.MST10.value
    )
    #: When retention erased the personal ID (survey.maintenance.erase_contacts).
    id_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[AdminUnit | None] = relationship()
    sector: Mapped[Sector | None] = relationship()


SIZE_INPUTS = ("kind", "sector_code", "employees", "revenue_vnd", "capital_vnd")


def _size_inputs_changed(obj) -> bool:
    state = inspect(obj)
    return state.pending or any(state.attrs[name].history.has_changes() for name in SIZE_INPUTS)


def derived(
    kind: BusinessKind | str | None,
    size_group,
    employees: int | None,
    revenue_vnd: int | None,
    capital_vnd: int | None,
) -> tuple[Population | None, SizeClass | None]:
    """(population, size class) of a profile: the one rule the flush hook and bulk writers use."""
    kind = kind or BusinessKind.ENTERPRISE
    if is_personal(kind):
        return population_of(kind), SizeClass.HOUSEHOLD
    return population_of(kind), classify(size_group, employees, revenue_vnd, capital_vnd)


@event.listens_for(Session, "before_flush")
def _derive_size_classes(session: Session, flush_context, instances) -> None:
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, FirmProfileMixin) and _size_inputs_changed(obj):
            sector = session.get(Sector, obj.sector_code) if obj.sector_code else None
            obj.population, obj.size_class = derived(
                obj.kind,
                sector.size_group if sector else None,
                obj.employees,
                obj.revenue_vnd,
                obj.capital_vnd,
            )
