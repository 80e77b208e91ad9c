"""The dimensions statistics can be broken down by, as SQL expressions.

The dimensions themselves (names, and where each value lives) are defined once in
survey.reports.dimensions, and filters become SQL in survey.reports.filters; this module
adds the joins a GROUP BY over dimensions needs.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import aliased

from survey.models import AdminUnit, Enterprise, Response, Sector
from survey.reports import filters as report_filters
from survey.reports.dimensions import DIMENSIONS, Dimension, UnknownDimension, check

__all__ = ["DIMENSIONS", "Dimension", "UnknownDimension", "check", "columns"]


def columns(
    query: Select,
    names: list[str] | tuple[str, ...],
    profile: type[Response] | type[Enterprise],
    filters: dict[str, str] | None = None,
) -> tuple[Select, list[ColumnElement]]:
    """Add the joins ``names`` need to ``query`` (over ``profile``); return it and the columns.

    ``filters`` (dimension name → stored value, e.g. ``{"sector": "C", "unit": "11311"}``)
    restrict the rows (survey.reports.filters.conditions).
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
    return query.where(*report_filters.conditions(filters, profile)), cols
