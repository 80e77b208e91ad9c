"""The staff list of responses: whitelisted filters and sorts, done in SQL, paged.

Every parameter is checked against its list of allowed values before it reaches a
query; anything else is refused (``BadListParameter``), never passed to SQL. The
report filters (unit, former area, sector, pillar, size, ownership) are the one
vocabulary's (survey.reports.filters), read by its parser under the names this list's
links have always used (``area``, ``pillar``, ``size``) or the canonical ones; the state,
review, level and tier filters are the list's own.

The search finds a firm's name whatever its diacritics or case ("le chan" finds "Lê
Chân", survey.responses.folding), on the name the list shows (the response's, else the
register's).

The search never takes a whole personal ID (Law 91/2025/QH15): a query string ends up in
the browser's history, proxies' and servers' logs. A search holding 12 digits in a row is
refused (``ListQuery.refused``: nothing is matched, the page asks for a name or the last
digits, and the query is not repeated in the page's links). Digits find tax codes by their
start as before; personal IDs, for admins, by their start or their end, and for everyone
else only by what the mask shows (``031•••••••23``: the first three or the last two).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from math import ceil

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from survey.models import AdminUnit, Enterprise, IdType, Response, ResponseState, ReviewState
from survey.reports import filters as report_filters
from survey.responses import folding

SORTS = {
    "updated": Response.updated_at,
    "submitted": Response.submitted_at,
    "tax_code": Enterprise.tax_code,
    "name": func.coalesce(Response.firm_name, Enterprise.name),
    "unit": AdminUnit.name_vi,
    "sector": Response.sector_code,
    "size": Response.size_class,
    "ownership": Response.ownership,
    "state": Response.state,
    "review": Response.review_state,
    "level": Response.overall_level,
    "tier": Response.tier,
    "points": Response.total_points,
}
#: The list's own filters on a response's state (the report filters are survey.reports').
STATE_FILTERS = {
    "state": (Response.state, ResponseState),
    "review": (Response.review_state, ReviewState),
}


#: ``entry=``: responses staff entered for the business, or the business's own.
ENTRY_FILTERS = {"staff": Response.entry_method.is_not(None), "self": Response.entry_method.is_(None)}


class BadListParameter(ValueError):
    pass


#: A whole personal ID, once spaces, dots and hyphens are taken out.
_WHOLE_PERSONAL_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
_SEPARATORS = str.maketrans("", "", " .-\u00a0")
#: How many digits of a masked personal ID anyone sees: the first three, the last two.
MASK_PREFIX, MASK_SUFFIX = 3, 2


def holds_personal_id(q: str) -> bool:
    """Whether a search holds a whole 12-digit personal ID (separators ignored)."""
    return bool(_WHOLE_PERSONAL_ID.search((q or "").translate(_SEPARATORS)))


@dataclass
class ListQuery:
    wave_id: int
    #: Report filters by canonical name (str values), then ``state``/``review`` (enums),
    #: ``level`` (int) and ``tier``.
    filters: dict
    q: str = ""
    sort: str = "updated"
    descending: bool = True
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


def parse(args, wave_id: int, session: Session, personal_ids: bool = False) -> ListQuery:
    """Read list parameters from the query string; refuse anything not on a whitelist.

    ``personal_ids``: the user sees personal IDs in full (survey.exports.requests.sees_personal_ids).
    """
    try:
        filters: dict = report_filters.parse(args, session)
    except report_filters.BadFilter as exc:
        raise BadListParameter(str(exc)) from None
    for name, (_, enum) in STATE_FILTERS.items():
        value = args.get(name, "")
        if value:
            try:
                filters[name] = enum(value)
            except ValueError:
                raise BadListParameter(f"{name}={value!r} is not a known value") from None
    level = args.get("level", "")
    if level:
        if level not in {str(n) for n in range(6)}:
            raise BadListParameter(f"level={level!r} is not 0 to 5")
        filters["level"] = int(level)
    tier = args.get("tier", "")
    if tier:
        if tier not in {"engaged", "preparing", "outside"}:
            raise BadListParameter(f"tier={tier!r} is not a known tier")
        filters["tier"] = tier
    entry = args.get("entry", "")
    if entry:
        # Who entered the response: staff for the business (after an interview), or itself.
        if entry not in ENTRY_FILTERS:
            raise BadListParameter(f"entry={entry!r} is not staff or self")
        filters["entry"] = entry
    sort = args.get("sort", "updated")
    if sort not in SORTS:
        raise BadListParameter(f"sort={sort!r} is not a sortable column")
    direction = args.get("dir", "desc")
    if direction not in ("asc", "desc"):
        raise BadListParameter("dir must be asc or desc")
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        raise BadListParameter("page must be a number") from None
    q = (args.get("q") or "").strip()[:100]
    refused = holds_personal_id(q)
    if refused:
        q = ""
    return ListQuery(
        wave_id, filters, q, sort, direction == "desc", page, refused=refused, personal_ids=personal_ids
    )


def _filtered(query: ListQuery) -> Select:
    stmt = (
        select(
            Response.id,
            Enterprise.tax_code,
            Enterprise.id_type,
            Enterprise.id_erased_at,
            func.coalesce(Response.firm_name, Enterprise.name).label("firm_name"),
            AdminUnit.name_vi.label("unit_name"),
            Response.sector_code,
            Response.size_class,
            Response.ownership,
            Response.state,
            Response.review_state,
            Response.overall_level,
            Response.tier,
            Response.total_points,
            Response.submitted_at,
            Response.updated_at,
            Response.entry_method,
        )
        .join(Enterprise, Enterprise.id == Response.enterprise_id)
        .outerjoin(AdminUnit, AdminUnit.id == Response.unit_id)
        .where(Response.wave_id == query.wave_id)
    )
    f = query.filters
    stmt = stmt.where(
        *report_filters.conditions({n: f[n] for n in report_filters.FILTERS if n in f}, Response)
    )
    for name, (column, _) in STATE_FILTERS.items():
        if name in f:
            stmt = stmt.where(column == f[name])
    if "level" in f:
        stmt = stmt.where(Response.overall_level == f["level"])
    if "tier" in f:
        stmt = stmt.where(Response.tier == f["tier"])
    if "entry" in f:
        stmt = stmt.where(ENTRY_FILTERS[f["entry"]])
    if query.refused:
        stmt = stmt.where(false())
    if query.q:
        digits = "".join(ch for ch in query.q if ch.isdigit())
        name = func.coalesce(Response.firm_name, Enterprise.name)
        conditions = [folding.folded(name).like(folding.like_pattern(query.q), escape="\\")]
        if digits:
            conditions += _identifier_conditions(digits, query.personal_ids)
        stmt = stmt.where(or_(*conditions))
    return stmt


def _identifier_conditions(digits: str, personal_ids: bool) -> list:
    """Digits matched against tax codes (their start) and personal IDs (see the module's doc)."""
    personal = Enterprise.id_type == IdType.CCCD12
    conditions = [and_(~personal, Enterprise.tax_code.like(digits[:10] + "%"))]
    if personal_ids:
        conditions += [
            and_(personal, Enterprise.tax_code.like(digits[:11] + "%")),
            and_(personal, Enterprise.tax_code.like("%" + digits[-11:])),
        ]
    else:
        if len(digits) <= MASK_PREFIX:
            conditions.append(and_(personal, Enterprise.tax_code.like(digits + "%")))
        if len(digits) <= MASK_SUFFIX:
            conditions.append(and_(personal, Enterprise.tax_code.like("%" + digits)))
    return conditions


def run(session: Session, query: ListQuery, per_page: int) -> Page:
    folding.prepare(session)
    stmt = _filtered(query)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    column = SORTS[query.sort]
    order = column.desc() if query.descending else column.asc()
    # The id breaks ties so that paging is stable.
    tie = Response.id.desc() if query.descending else Response.id.asc()
    pages = max(1, ceil(total / per_page))
    page = min(query.page, pages)
    rows = session.execute(stmt.order_by(order, tie).limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows=rows, total=total, page=page, pages=pages)


#: The list's parameters that say which responses it shows (not how it sorts or pages):
#: carried from the list to a response's page and back, and into "next awaiting review".
LIST_ARGS = (
    "wave",
    "q",
    *STATE_FILTERS,
    "level",
    "tier",
    "entry",
    *report_filters.ALIASES,
)


def list_args(args) -> dict[str, str]:
    """The list's own parameters in ``args`` (a query string or a form), non-empty ones only.

    Only names are picked here; the values are checked by ``parse`` wherever they are read.
    """
    return {name: str(args.get(name)) for name in LIST_ARGS if args.get(name) not in (None, "")}


def _queue_order():
    return (Response.submitted_at.asc(), Response.id.asc())


def next_pending(session: Session, query: ListQuery, after: Response | None = None) -> int | None:
    """The oldest submitted response awaiting review that ``query``'s filters and search match.

    ``after``: the response an officer is on; the next one in the queue's order (oldest
    submitted first) comes after it, so skipping a response without reviewing it moves
    on, and past the last one the queue starts again from the oldest (never ``after``
    itself). None when nothing awaits review. The list's own state and review filters
    give way: the queue is always submitted responses awaiting review.
    """
    pending = replace(
        query,
        filters={**query.filters, "state": ResponseState.SUBMITTED, "review": ReviewState.PENDING},
    )
    folding.prepare(session)
    stmt = _filtered(pending).order_by(*_queue_order()).limit(1)
    if after is not None and after.submitted_at is not None:
        later = or_(
            Response.submitted_at > after.submitted_at,
            and_(Response.submitted_at == after.submitted_at, Response.id > after.id),
        )
        found = session.execute(stmt.where(later)).first()
        if found is not None:
            return found.id
    if after is not None:
        stmt = stmt.where(Response.id != after.id)
    found = session.execute(stmt).first()
    return None if found is None else found.id
