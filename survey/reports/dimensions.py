"""The dimensions a report can be broken down or filtered by, and where each value lives.

Each dimension is available on a response (its profile snapshot, as it was when the
firm answered) and on a register firm, so the same names serve breakdowns, filters and
post-stratification cells. A value lives on the profile row itself, or on the row's
sector or unit (the economic pillar is a property of the VSIC section, the former area
of the commune-level unit).
"""

from __future__ import annotations

from dataclasses import dataclass


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
        Dimension("business_kind", None, "kind"),
        Dimension("population", None, "population"),
        Dimension("unit", "unit", "code"),
        Dimension("former_area", "unit", "former_area"),
    )
}


class UnknownDimension(ValueError):
    pass


def check(names: list[str] | tuple[str, ...]) -> None:
    """Refuse names that are not dimensions, naming the ones that are."""
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown:
        raise UnknownDimension(f"unknown dimension {', '.join(unknown)}; choose from {', '.join(DIMENSIONS)}")
