"""The register as staff browse it: filters, a search, sorts and pages, all in SQL.

Every parameter is checked against its list of allowed values before it reaches a query
(``BadParameter`` otherwise, never passed to SQL). The filters are the one vocabulary's
(survey.reports.filters: unit, former area, sector, kind of business, ownership, size),
read under the short names the other lists use (``area``, ``business``, ``size``) or the
canonical ones. The search is survey.registry.search's: names without diacritics, digits
against identifiers, never a whole personal ID. The same query feeds the page and the
register's export, so the file holds what the page shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import Row, Select, false, func, select
from sqlalchemy.orm import Session

from survey.models import AdminUnit, Enterprise, Sector
from survey.registry import search
from survey.reports import filters as report_filters
from survey.responses import folding
from survey.responses.folding import folded

#: The filters the register offers, by canonical name.
FILTERS = ("unit", "former_area", "sector", "business_kind", "ownership", "size_class")
#: Sort keys -> column. Names sort without diacritics or case, as the search matches.
SORTS = {
    "name": folded(Enterprise.name),
    "identifier": Enterprise.tax_code,
    "kind": Enterprise.kind,
    "unit": folded(AdminUnit.name_vi),
    "sector": Enterprise.sector_code,
    "ownership": Enterprise.ownership,
    "size": Enterprise.size_class,
    "employees": Enterprise.employees,
    "updated": Enterprise.updated_at,
}


class BadParameter(ValueError):
    pass


@dataclass
class FirmQuery:
    #: The report filters given, by canonical name (their stored values).
    filters: dict = field(default_factory=dict)
    q: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1
    #: The search held a whole personal ID: it was dropped, and nothing matches.
    refused: bool = False
    #: The user sees personal IDs in full (an admin): digits may match any part of one.
    personal_ids: bool = False


@dataclass
class Page:
    rows: list
    total: int
    page: int
    pages: int


def parse(args: Mapping, session: Session, personal_ids: bool = False) -> FirmQuery:
    """Read the list's parameters from a query string; refuse anything not on a whitelist."""
    try:
        filters = report_filters.parse(args, session, names=FILTERS)
    except report_filters.BadFilter as exc:
        raise BadParameter(str(exc)) from None
    sort = args.get("sort", "name")
    if sort not in SORTS:
        raise BadParameter(f"sort={sort!r} is not a sortable column")
    direction = args.get("dir", "asc")
    if direction not in ("asc", "desc"):
        raise BadParameter("dir must be asc or desc")
    page_text = args.get("page", "1")
    if not (page_text.isascii() and page_text.isdigit()) or len(page_text) > 9:
        raise BadParameter("page must be a number")
    q = (args.get("q") or "").strip()[: search.MAX_TERM]
    if "\x00" in q:
        raise BadParameter("the search holds a NUL character")
    refused = search.holds_personal_id(q)
    return FirmQuery(
        filters,
        "" if refused else q,
        sort,
        direction == "desc",
        max(1, int(page_text)),
        refused=refused,
        personal_ids=personal_ids,
    )


def statement(query: FirmQuery) -> Select:
    """The register's rows the query selects, with what the list and the export show."""
    stmt = (
        select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.tax_code,
            Enterprise.id_type,
            Enterprise.id_erased_at,
            Enterprise.kind,
            AdminUnit.code.label("unit_code"),
            AdminUnit.name_vi.label("unit_name"),
            AdminUnit.former_area,
            Enterprise.sector_code,
            Sector.name_vi.label("sector_vi"),
            Sector.name_en.label("sector_en"),
            Enterprise.ownership,
            Enterprise.size_class,
            Enterprise.employees,
            Enterprise.revenue_vnd,
            Enterprise.capital_vnd,
            Enterprise.contact_name,
            Enterprise.contact_email,
            Enterprise.contact_phone,
            Enterprise.address,
            Enterprise.updated_at,
        )
        .outerjoin(AdminUnit, AdminUnit.id == Enterprise.unit_id)
        .outerjoin(Sector, Sector.code == Enterprise.sector_code)
        .where(*report_filters.conditions(query.filters, Enterprise))
    )
    if query.refused:
        stmt = stmt.where(false())
    elif query.q:
        stmt = stmt.where(search.matches(query.q, query.personal_ids))
    return stmt


def _ordered(stmt: Select, query: FirmQuery) -> Select:
    column = SORTS[query.sort]
    # What is not known comes last either way, on both databases (PostgreSQL would put
    # it first when descending, SQLite first when ascending).
    order = (column.desc() if query.descending else column.asc()).nulls_last()
    # The id breaks ties, so that paging is stable.
    tie = Enterprise.id.desc() if query.descending else Enterprise.id.asc()
    return stmt.order_by(order, tie)


def run(session: Session, query: FirmQuery, per_page: int) -> Page:
    """One page of the register."""
    folding.prepare(session)
    stmt = statement(query)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, ceil(total / per_page))
    page = min(query.page, pages)
    rows = session.execute(_ordered(stmt, query).limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows=rows, total=total, page=page, pages=pages)


def every_row(session: Session, query: FirmQuery, batch: int = 1000) -> Iterator[Row]:
    """All the rows the query selects, in its order, fetched in batches (the export)."""
    folding.prepare(session)
    yield from session.execute(_ordered(statement(query), query).execution_options(yield_per=batch))
