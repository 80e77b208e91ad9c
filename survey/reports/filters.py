"""The filter vocabulary: one name per filter, its allowed values, one parser, one SQL form.

Every page and command that narrows a report to part of the city (the dashboard, the
exports from the web and the command line, the list of responses, the invitations) reads
its filters with :func:`parse` and turns them into SQL with :func:`conditions`. A filter's
canonical name is its dimension's (``former_area``, ``economic_pillar``, ``size_class``):
that is what the statistics, the stored export jobs and the audit trail say. The list of
responses, the invitations and the command line have always used short names (``area``,
``pillar``, ``size``), and links and bookmarks carry them, so the parser accepts those as
aliases of the same filter.

Values are checked against what exists (units, former areas and sectors in the database,
the rest against their enums), in Python: a value never reaches SQL unchecked, and junk
such as a NUL byte, which PostgreSQL refuses as a parameter, is refused with a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from survey.models import (
    AdminUnit,
    BusinessKind,
    EconomicPillar,
    Enterprise,
    Ownership,
    Population,
    Response,
    Sector,
    SizeClass,
)
from survey.reports.dimensions import DIMENSIONS, UnknownDimension


class BadFilter(ValueError):
    """A filter that is not known, or a value it does not have; the message says which."""


@dataclass(frozen=True)
class Filter:
    #: Canonical name, a dimension (survey.reports.dimensions).
    name: str
    #: The short name the list of responses, the invitations and the CLI options use.
    short: str
    #: How the messages name it.
    noun: str
    #: The values, when they are fixed in code; None when they come from the database.
    enum: type[Enum] | None
    #: The command line's help.
    help: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,) if self.short == self.name else (self.name, self.short)


#: In the order the dashboard's form shows them.
FILTERS: dict[str, Filter] = {
    f.name: f
    for f in (
        Filter("unit", "unit", "unit code", None, "Commune-level unit code, e.g. 11311."),
        Filter(
            "former_area",
            "area",
            "former area",
            None,
            "Former district name (before July 2025), exactly as stored.",
        ),
        Filter("sector", "sector", "sector", None, "VSIC section code, e.g. C."),
        Filter("economic_pillar", "pillar", "economic pillar", EconomicPillar, "Economic pillar."),
        Filter("size_class", "size", "size class", SizeClass, "Size class."),
        Filter("ownership", "ownership", "ownership", Ownership, "Ownership."),
        Filter(
            "population",
            "population",
            "population",
            Population,
            "Enterprises (with branches and cooperatives) or household and individual businesses.",
        ),
        Filter("business_kind", "business", "kind of business", BusinessKind, "Kind of business."),
    )
}
#: Every name a filter is known by (canonical and short) → its canonical name.
ALIASES: dict[str, str] = {alias: f.name for f in FILTERS.values() for alias in f.names}


def choices(session: Session, names: Iterable[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """Each filter's allowed values as (value, label), for a form's options."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name in names or FILTERS:
        f = FILTERS[name]
        if f.enum is not None:
            out[name] = [(e.value, e.value) for e in f.enum]
        elif name == "unit":
            units = session.execute(select(AdminUnit.code, AdminUnit.name_vi).order_by(AdminUnit.name_vi))
            out[name] = [(u.code, u.name_vi) for u in units]
        elif name == "former_area":
            out[name] = [(a, a) for a in sorted(set(session.scalars(select(AdminUnit.former_area))))]
        else:
            sectors = session.scalars(select(Sector).order_by(Sector.code))
            out[name] = [(s.code, f"{s.code} – {s.name_vi}") for s in sectors]
    return out


def allowed_values(session: Session, name: str) -> list[str]:
    """The values filter ``name`` accepts, sorted."""
    f = FILTERS[name]
    if f.enum is not None:
        return [e.value for e in f.enum]
    if name == "unit":
        return sorted(session.scalars(select(AdminUnit.code)))
    if name == "former_area":
        return sorted({a for a in session.scalars(select(AdminUnit.former_area)) if a is not None})
    return sorted(session.scalars(select(Sector.code)))


def _refusal(f: Filter, value: str, allowed: list[str]) -> BadFilter:
    if f.name == "unit":  # 114 codes: a list would drown the message
        return BadFilter(f"Unknown unit code {value!r} (see the administrative units of the register).")
    separator = "; " if f.name == "former_area" else ", "
    return BadFilter(f"Unknown {f.noun} {value!r}; choose from {separator.join(allowed)}.")


def parse(
    args: Mapping, session: Session, *, names: Iterable[str] | None = None, strict: bool = False
) -> dict[str, str]:
    """The filters given in ``args`` (a query string, a form or the CLI's options), checked.

    Returns {canonical name: value} for the filters given a non-empty value. ``names``
    limits the filters a page offers (the invitations filter by unit, former area and
    sector only); a page's other parameters (``wave``, ``sort``, …) are not filters and are
    left alone, unless ``strict``, which refuses any name that is not an offered filter
    (the command line, or a caller's own dict). Raises :class:`BadFilter`.
    """
    offered = [FILTERS[n] for n in (names or FILTERS)]
    if strict:
        known = {alias for f in offered for alias in f.names}
        for key in args:
            if key not in known:
                raise BadFilter(
                    f"Unknown filter {key!r}; the filters are {', '.join(f.name for f in offered)}."
                )
    filters: dict[str, str] = {}
    for f in offered:
        given = {alias: args.get(alias) for alias in f.names}
        values = {str(v) for v in given.values() if v not in (None, "")}
        if not values:
            continue
        if len(values) > 1:
            raise BadFilter(f"{f.short} and {f.name} are one filter ({f.noun}); give it once.")
        value = values.pop()
        allowed = allowed_values(session, f.name)
        if value not in allowed:
            raise _refusal(f, value, allowed)
        filters[f.name] = value
    return filters


def conditions(
    filters: Mapping[str, str] | None,
    profile: type[Response] | type[Enterprise],
    plain: Callable[[ColumnElement], ColumnElement] = lambda column: column,
) -> list[ColumnElement]:
    """``filters`` ({dimension: stored value}) as conditions on ``profile``'s table alone.

    ``profile`` is ``Response`` (its profile snapshot) or ``Enterprise`` (the register). A
    filter on a unit's or a sector's attribute becomes ``unit_id IN (units with it)``
    (``sector_code IN (…)``): no join to add, so each caller keeps its own joins, and a
    response with no unit or sector matches no such filter, as with a join. ``plain``
    wraps each column of ``profile`` (the responses workbook hides them from SQLite's
    index choice, see survey.exports.rows). Any dimension may be used, including those no
    form offers (``size_group``); names that are none raise ``UnknownDimension``.
    """
    out = []
    for name, value in (filters or {}).items():
        dim = DIMENSIONS.get(name)
        if dim is None:
            raise UnknownDimension(f"unknown dimension {name}; choose from {', '.join(DIMENSIONS)}")
        if dim.via is None:
            out.append(plain(getattr(profile, dim.column)) == value)
        elif dim.via == "unit":
            units = select(AdminUnit.id).where(getattr(AdminUnit, dim.column) == value)
            out.append(plain(profile.unit_id).in_(units))
        else:
            sectors = select(Sector.code).where(getattr(Sector, dim.column) == value)
            out.append(plain(profile.sector_code).in_(sectors))
    return out
