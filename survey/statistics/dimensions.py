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
    query: Select,
    names: list[str] | tuple[str, ...],
    profile: type[Response] | type[Enterprise],
    filters: dict[str, str] | None = None,
) -> tuple[Select, list[ColumnElement]]:
    """Add the joins ``names`` need to ``query`` (over ``profile``); return it and the columns.

    ``filters`` (dimension name → stored value, e.g. ``{"sector": "C", "unit": "11311"}``)
    restrict the rows, with the same joins.
    """
    filters = filters or {}
    check([*names, *filters])
    joined: dict[str, object] = {}

    def column(name: str) -> ColumnElement:
        nonlocal query
        dim = DIMENSIONS[name]
        if dim.via is None:
            return getattr(profile, dim.column)
        if dim.via not in joined:
            model = aliased(Sector if dim.via == "sector" else AdminUnit)
            on = model.code == profile.sector_code if dim.via == "sector" else model.id == profile.unit_id
            query = query.outerjoin(model, on)
            joined[dim.via] = model
        return getattr(joined[dim.via], dim.column)

    cols = [column(name).label(name) for name in names]
    for name, value in filters.items():
        condition = column(name) == value  # may add a join to ``query``: evaluate it first
        query = query.where(condition)
    return query, cols
