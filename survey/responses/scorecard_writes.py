"""Writing a batch of re-scored scorecards: the responses' columns and changed pillar rows.

``recompute_wave`` hands over whole batches (a thousand responses), and how a batch is
best written depends on the database:

- PostgreSQL pays for every statement on the server (parse-bind-execute, even in psycopg's
  pipeline), which made an executemany of 2,000 UPDATEs most of a batch's time. There the
  batch is one statement, ``UPDATE … FROM unnest(:rid, …) AS v(rid, …)``, each column
  sent as one array;
- SQLite runs in the process, but an executemany still costs SQLAlchemy's processing of
  each row's parameters; there the batch is one statement too, ``UPDATE … FROM (SELECT
  json_extract(value, '$[0]') AS rid, … FROM json_each(:rows)) AS v``, the rows sent as
  one JSON text (SQLite 3.33 or newer reads UPDATE … FROM; Python's own is newer).

Both write the same values and report how many responses they matched, which is what
the optimistic lock is checked by. Values are always parameters, never SQL text.
"""

from __future__ import annotations

from datetime import datetime

import orjson
from sqlalchemy import Integer, String, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from survey.models import Response, ResponsePillarScore

#: What a response row update carries, beside the clock (one ``scored_at`` per batch).
RESPONSE_FIELDS = {"rid": Integer, "old_version": Integer, "total_points": Integer, "overall_level": Integer}
#: What a pillar row update carries.
PILLAR_FIELDS = {"rid": Integer, "code": String, "points": Integer, "max_points": Integer, "level": Integer}


class ScorecardWriter:
    """Writes batches for one connection, with the statements built once."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.arrays = connection.dialect.name == "postgresql"
        responses, pillars = Response.__table__, ResponsePillarScore.__table__
        self.response_fields = [*RESPONSE_FIELDS, "tier"]
        given = self._given({**RESPONSE_FIELDS, "tier": String})
        pillar_given = self._given(PILLAR_FIELDS)
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
        self._pillars = (
            update(pillars)
            .where(pillars.c.response_id == pillar_given.rid, pillars.c.pillar_code == pillar_given.code)
            .values(points=pillar_given.points, max_points=pillar_given.max_points, level=pillar_given.level)
        )

    def _given(self, fields: dict):
        """The batch as a derived table ``v`` with one column per field."""
        if self.arrays:
            arrays = [bindparam(name, type_=ARRAY(type_)) for name, type_ in fields.items()]
            return func.unnest(*arrays).table_valued(*fields).render_derived(name="v").c
        each = func.json_each(bindparam("rows", type_=String)).table_valued("value")
        return (
            select(*(func.json_extract(each.c.value, f"$[{i}]").label(name) for i, name in enumerate(fields)))
            .subquery("v")
            .c
        )

    def _params(self, rows: list[dict], names: list[str]) -> dict:
        if self.arrays:
            return {name: [row[name] for row in rows] for name in names}
        return {"rows": orjson.dumps([[row[name] for name in names] for row in rows]).decode()}

    def responses(self, rows: list[dict], scored_at: datetime) -> int:
        """Write the scorecard columns of ``rows`` (dicts of RESPONSE_FIELDS and ``tier``),
        each only while its version is still ``old_version``; returns the rows matched."""
        params = self._params(rows, self.response_fields)
        params["scored_at"] = scored_at
        return self.connection.execute(self._responses, params).rowcount

    def pillars(self, rows: list[dict]) -> None:
        """Change pillar rows in place (dicts of PILLAR_FIELDS)."""
        self.connection.execute(self._pillars, self._params(rows, list(PILLAR_FIELDS)))
