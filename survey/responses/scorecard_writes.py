"""Writing a batch of re-scored scorecards: the responses' columns and changed pillar rows.

``recompute_wave`` hands over whole batches (a thousand responses). An executemany of
one UPDATE per row made the writes most of a batch's time: PostgreSQL pays for every
statement on the server (parse, bind, execute, even in psycopg's pipeline), and on both
databases SQLAlchemy processes every row's parameters. So a batch is one statement, its
rows one JSON text (orjson writes it, the database reads it in C), joined on the keys:

- PostgreSQL: ``UPDATE … FROM json_to_recordset(CAST(:rows AS JSON)) AS v(rid INTEGER, …)``;
- SQLite: ``UPDATE … FROM (SELECT json_extract(value, '$.rid') AS rid, … FROM
  json_each(:rows)) AS v`` (UPDATE … FROM is SQLite 3.33; Python's own is newer).

(Arrays through ``unnest`` did as well on PostgreSQL's side, but psycopg quotes every
element of a text array in Python, a fifth of the writes' time.) Both report how many
responses they matched, which is what the optimistic lock is checked by. Values are
always parameters, never SQL text.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import JSON, Integer, String, bindparam, cast, column, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm.exc import StaleDataError

from survey.models import Response, ResponsePillarScore

if TYPE_CHECKING:
    from survey.responses.scoring import Rescored

#: What a response row update carries, beside the clock (one ``scored_at`` per batch).
RESPONSE_FIELDS = {
    "rid": Integer,
    "old_version": Integer,
    "total_points": Integer,
    "overall_level": Integer,
    "tier": String,
}
#: What a pillar row update carries.
PILLAR_FIELDS = {"rid": Integer, "code": String, "points": Integer, "max_points": Integer, "level": Integer}


class ScorecardWriter:
    """Writes batches for one connection, with the statements built once."""

    def __init__(self, connection: Connection):
        self.connection = connection
        postgresql = connection.dialect.name == "postgresql"
        responses, pillars = Response.__table__, ResponsePillarScore.__table__
        given = _rows_table(RESPONSE_FIELDS, postgresql)
        self._responses = (
            update(responses)
            .where(responses.c.id == given.rid, responses.c.version_id == given.old_version)
            .values(
                total_points=given.total_points,
                overall_level=given.overall_level,
                tier=given.tier,
                scored_at=bindparam("scored_at"),
                version_id=responses.c.version_id + 1,
            )
        )
        given = _rows_table(PILLAR_FIELDS, postgresql)
        self._pillars = (
            update(pillars)
            .where(pillars.c.response_id == given.rid, pillars.c.pillar_code == given.code)
            .values(points=given.points, max_points=given.max_points, level=given.level)
        )
        self._drop_pillars = delete(pillars).where(
            pillars.c.response_id.in_(bindparam("ids", expanding=True))
        )

    def write(self, batch: Rescored, scored_at: datetime) -> None:
        """Write one re-scored batch; raises StaleDataError, writing nothing more, if a
        response was changed by someone else since it was read."""
        if batch.responses:
            matched = self.responses(batch.responses, scored_at)
            if matched != len(batch.responses):
                raise StaleDataError(
                    f"recompute_wave: {len(batch.responses) - matched} of {len(batch.responses)} "
                    "responses were changed by someone else meanwhile"
                )
        if batch.pillars:
            self.pillars(batch.pillars)
        if batch.replaced:
            self.connection.execute(self._drop_pillars, {"ids": batch.replaced})
            self.connection.execute(insert(ResponsePillarScore.__table__), batch.new_pillars)

    def responses(self, rows: list[dict], scored_at: datetime) -> int:
        """Write the scorecard columns of ``rows`` (dicts of RESPONSE_FIELDS), each only
        while its version is still ``old_version``; returns the rows matched."""
        params = {"rows": _json(rows), "scored_at": scored_at}
        return self.connection.execute(self._responses, params).rowcount

    def pillars(self, rows: list[dict]) -> None:
        """Change pillar rows in place (dicts of PILLAR_FIELDS)."""
        self.connection.execute(self._pillars, {"rows": _json(rows)})


def _rows_table(fields: dict, postgresql: bool):
    """The columns of the batch, read from the JSON parameter ``rows`` as a table ``v``."""
    rows = bindparam("rows", type_=String)
    if postgresql:
        typed = [column(name, type_()) for name, type_ in fields.items()]
        return (
            func.json_to_recordset(cast(rows, JSON))
            .table_valued(*typed)
            .render_derived(name="v", with_types=True)
            .c
        )
    each = func.json_each(rows).table_valued("value")
    values = [func.json_extract(each.c.value, f"$.{name}").label(name) for name in fields]
    return select(*values).subquery("v").c


def _json(rows: list[dict]) -> str:
    return orjson.dumps(rows).decode()
