"""Reference data: administrative units, VSIC sectors, external reference figures."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Float, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, str_enum
from survey.models.size_class import SizeGroup


class UnitKind(StrEnum):
    WARD = "phuong"
    COMMUNE = "xa"
    SPECIAL_ZONE = "dac_khu"


class EconomicPillar(StrEnum):
    """The city's three economic pillars (Resolution 03-NQ/TU), plus everything else."""

    HIGH_TECH_INDUSTRY = "high_tech_industry"
    SEAPORT_LOGISTICS = "seaport_logistics"
    TOURISM_TRADE = "tourism_trade"
    OTHER = "other"


class AdminUnit(Base):
    """A commune-level unit; loaded from CSV so a reorganisation needs no code change."""

    __tablename__ = "admin_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: National statistics office unit code.
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    #: The district-level unit most of it came from before 1 July 2025 (may name two).
    former_area: Mapped[str] = mapped_column(String(200), index=True)
    active: Mapped[bool] = mapped_column(default=True)


class Sector(Base):
    """A VSIC 2018 level-1 section and where the city's statistics place it."""

    __tablename__ = "sectors"

    code: Mapped[str] = mapped_column(String(1), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    size_group: Mapped[SizeGroup] = mapped_column(str_enum(SizeGroup))
    economic_pillar: Mapped[EconomicPillar] = mapped_column(str_enum(EconomicPillar, 30))


class ReferenceFigure(Base):
    """A figure from outside our surveys, shown beside ours and never mixed into them."""

    __tablename__ = "reference_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    #: A share between 0 and 1.
    value: Mapped[float] = mapped_column(Float)
    #: The engagement tier it compares with, if any.
    tier: Mapped[str | None] = mapped_column(String(20))
    label_vi: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
