"""The query layer of the exports: a wave's responses as plain dicts, in batches.

Every response of the wave is exported, whatever its state: drafts, submitted ones
and rejected ones (the workbook marks them). Rows are fetched by keyset pagination on
``responses.id`` with column selects (no ORM objects, so the session's identity map
does not grow), and each batch's pillar scores come from one more query (and, when asked
for, its module answers from a third: survey.exports.module_columns), so memory stays flat
however big the wave is.

Filters have the meaning they have everywhere (survey.reports.filters):
``{dimension: stored value}`` matched against the response's profile snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import ColumnElement, Integer, Select, String, Text, cast, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from survey.exports import module_columns
from survey.exports.batches import in_batch
from survey.exports.cells import ERASED_ID, identifier
from survey.models import AdminUnit, Enterprise, Response, ResponsePillarScore, Sector, Wave
from survey.reports import filters as report_filters
from survey.statistics import dimensions

#: The keys of every row (besides ``pillars``), in the order they are selected.
PROFILE_KEYS = (
    "id",
    "tax_code",
    "kind",
    "firm_name",
    "register_name",
    "unit_code",
    "unit_name",
    "former_area",
    "sector",
    "economic_pillar",
    "ownership",
    "employees",
    "revenue_vnd",
    "capital_vnd",
    "size_class",
)
CONTACT_KEYS = ("contact_name", "contact_email", "contact_phone")
STATE_KEYS = (
    "state",
    "review_state",
    "review_reason",
    "created_at",
    "submitted_at",
    "updated_at",
    "answers",
    "technologies",
    "total_points",
    "overall_level",
    "tier",
)
#: Read to show the identifier, then dropped from the row (see ``response_rows``).
_ID_KEYS = ("_id_type", "_id_erased_at")
#: Read as text and decoded one row at a time (see ``response_rows``). Enum columns are
#: read as their stored text too (``type_coerce``), with no enum look-up per value.
_JSON_COLUMNS = ("answers", "technologies")
#: Responses per query. Each batch (its rows, their pillar scores and module answers) is
#: what a workbook holds at once beside the libraries: 2,000 cost the export worker ~9 MiB
#: more at its peak than 500 (README, "The export worker").
BATCH = 500


def _plain(column: ColumnElement, sqlite: bool) -> ColumnElement:
    """``column`` as SQLite's planner cannot serve from an index (``x + 0``, ``x || ''``).

    Without ANALYZE statistics (the app never runs it) SQLite reads ``wave_id = ?`` or
    ``sector_code = ?`` through their indexes and then sorts every batch by id: the
    export becomes quadratic. With the responses' own terms kept off the indexes, the
    batches are a walk along the primary key (``id > ?``) in order, with no sort.
    Other databases keep their statistics and get the plain column.
    """
    if not sqlite:
        return column
    if isinstance(column.type, Integer):
        return column + 0
    return type_coerce(column, String).concat("")


def _conditions(wave: Wave, filters: dict | None, sqlite: bool) -> list[ColumnElement]:
    """The wave and the filters, as conditions on ``responses`` alone (survey.reports.filters)."""
    conditions = [_plain(Response.wave_id, sqlite) == wave.id]
    return conditions + report_filters.conditions(filters, Response, lambda c: _plain(c, sqlite))


def _select(wave: Wave, filters: dict | None, contacts: bool, sqlite: bool) -> Select:
    unit = aliased(AdminUnit)
    sector = aliased(Sector)
    columns = [
        Response.id,
        Enterprise.tax_code,
        type_coerce(Response.kind, String),
        Response.firm_name,
        Enterprise.name,
        unit.code,
        unit.name_vi,
        unit.former_area,
        Response.sector_code,
        type_coerce(sector.economic_pillar, String),
        type_coerce(Response.ownership, String),
        Response.employees,
        Response.revenue_vnd,
        Response.capital_vnd,
        type_coerce(Response.size_class, String),
        *((Response.contact_name, Response.contact_email, Response.contact_phone) if contacts else ()),
        type_coerce(Response.state, String),
        type_coerce(Response.review_state, String),
        Response.review_reason,
        Response.created_at,
        Response.submitted_at,
        Response.updated_at,
        # As text on every database (psycopg would decode JSON for the whole batch).
        cast(Response.answers, Text),
        cast(Response.technologies, Text),
        Response.total_points,
        Response.overall_level,
        Response.tier,
        type_coerce(Enterprise.id_type, String),
        Enterprise.id_erased_at,
    ]
    # Outer joins all (every response has its firm, so the rows are the same): SQLite
    # keeps the order of outer joins, so ``responses`` stays the table walked by id.
    query = (
        select(*columns)
        .select_from(Response)
        .outerjoin(Enterprise, Enterprise.id == Response.enterprise_id)
        .outerjoin(unit, unit.id == Response.unit_id)
        .outerjoin(sector, sector.code == Response.sector_code)
    )
    return query.where(*_conditions(wave, filters, sqlite))


def response_rows(
    session: Session,
    wave: Wave,
    filters: dict | None = None,
    batch: int = BATCH,
    *,
    contacts: bool = True,
    personal_ids: bool = False,
    erased: str = ERASED_ID["vi"],
    modules: bool = False,
    module_texts: bool | None = None,
    after: int = 0,
) -> Iterator[dict]:
    """Every response of ``wave`` matching ``filters``, in id order, as a plain dict.

    Keys: ``PROFILE_KEYS``, ``CONTACT_KEYS`` (only with ``contacts``; without, the
    contact columns are not even read), ``STATE_KEYS`` and ``pillars``, a dict of
    pillar code → ``(points, max_points, level)`` (empty until the response is scored).
    Enum columns come as their stored text. ``after`` starts past that response id: the
    keyset of a page that goes on from where the previous one ended (survey.api.responses).

    ``tax_code`` is the identifier as the exporter may see it: a tax code whole, a
    household's personal ID whole only with ``personal_ids`` (admins), else masked, and
    ``erased`` once retention erased it (survey.exports.cells.identifier).

    With ``modules``, the row's ``modules`` holds the response's answers to the unscored modules, as
    ``{module version id: [(question, option, number, text), ...]}`` for each version it
    is pinned to (survey.exports.module_columns), read for the whole batch in one query.
    Their free text is read only with ``module_texts`` (by default: with ``contacts``, the
    same rule for the same kind of data: words a person typed may name people).
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    keys = (*PROFILE_KEYS, *(CONTACT_KEYS if contacts else ()), *STATE_KEYS, *_ID_KEYS)
    texts = contacts if module_texts is None else module_texts
    sqlite = session.get_bind().dialect.name == "sqlite"
    base = _select(wave, filters, contacts, sqlite)
    pillar_query = select(
        ResponsePillarScore.response_id,
        ResponsePillarScore.pillar_code,
        ResponsePillarScore.points,
        ResponsePillarScore.max_points,
        ResponsePillarScore.level,
    )
    last_id = after
    while True:
        # Core execution (the session's connection and transaction): plain rows, no ORM loading.
        connection = session.connection()
        rows = connection.execute(base.where(Response.id > last_id).order_by(Response.id).limit(batch)).all()
        if not rows:
            return
        ids = [row[0] for row in rows]
        pillars: dict[int, dict] = {i: {} for i in ids}
        for response_id, code, points, max_points, level in connection.execute(
            pillar_query.where(in_batch(ResponsePillarScore.response_id, ids))
        ):
            pillars[response_id][code] = (points, max_points, level)
        answered = module_columns.answers_by_response(connection, ids, texts=texts) if modules else {}
        for row in rows:
            record = dict(zip(keys, row, strict=True))
            # JSON is decoded here, a row at a time, rather than for the whole batch at
            # fetch time: fewer live objects, less work for the garbage collector.
            for key in _JSON_COLUMNS:
                value = record[key]
                if isinstance(value, str | bytes):
                    record[key] = json.loads(value)
            record["tax_code"] = identifier(
                record.pop("_id_type"),
                record["tax_code"],
                record.pop("_id_erased_at"),
                full=personal_ids,
                erased=erased,
            )
            record["pillars"] = pillars[record["id"]]
            if modules:
                record["modules"] = answered.get(record["id"], {})
            yield record
        last_id = ids[-1]
        # Let the batch go before the next one is fetched.
        del rows, pillars, answered


def count_responses(session: Session, wave: Wave, filters: dict | None = None) -> int:
    """How many responses ``response_rows`` gives for the same wave and filters.

    Counted through the statistics' query builder (survey.statistics.dimensions), which
    filters with the same survey.reports.filters conditions.
    """
    query, _ = dimensions.columns(select(func.count()).select_from(Response), [], Response, filters)
    return session.scalar(query.where(Response.wave_id == wave.id)) or 0
