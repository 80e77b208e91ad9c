"""The dimensions statistics can be broken down by, as SQL expressions.

Each dimension is available on a response (its profile snapshot) and on a register
firm, so the same names serve breakdowns and post-stratification cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import aliased

from survey.models import AdminUnit, Enterprise, Response, Sector


@dataclass(frozen=True)
class Dimension:
    name: str
    #: Which related table the value lives in: None (the profile row), "sector" or "unit".
    via: str | None
    column: str


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("economic_pillar", "sector", "economic_pillar"),
        Dimension("sector", None, "sector_code"),
        Dimension("size_group", "sector", "size_group"),
        Dimension("size_class", None, "size_class"),
        Dimension("ownership", None, "ownership"),
        Dimension("unit", "unit", "code"),
        Dimension("former_area", "unit", "former_area"),
    )
}


class UnknownDimension(ValueError):
    pass


def check(names: list[str] | tuple[str, ...]) -> None:
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown:
        raise UnknownDimension(f"unknown dimension {', '.join(unknown)}; choose from {', '.join(DIMENSIONS)}")


def columns(
    query: Select, names: list[str] | tuple[str, ...], profile: type[Response] | type[Enterprise]
) -> tuple[Select, list[ColumnElement]]:
    """Add the joins ``names`` need to ``query`` (over ``profile``); return it and the columns."""
    check(names)
    sector = unit = None
    cols = []
    for name in names:
        dim = DIMENSIONS[name]
        if dim.via == "sector":
            if sector is None:
                sector = aliased(Sector)
                query = query.outerjoin(sector, sector.code == profile.sector_code)
            cols.append(getattr(sector, dim.column).label(name))
        elif dim.via == "unit":
            if unit is None:
                unit = aliased(AdminUnit)
                query = query.outerjoin(unit, unit.id == profile.unit_id)
            cols.append(getattr(unit, dim.column).label(name))
        else:
            cols.append(getattr(profile, dim.column).label(name))
    return query, cols
