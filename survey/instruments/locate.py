"""A complaint of the definition's own validator, put back in the workbook's row.

The workbook's reading checks what a staff member most often gets wrong, cell by cell; the
rest (options ordered by points, a figure band's percent below 0, a tier's level that
does not exist, …) is the validator's, the same that checks the packaged YAML files. It
names a path in the definition (``pillars.0.criteria.2.bands.0.percent``); each part of the
definition was noted with the row it was read from (``Cells.made``), so the path leads back
to the deepest part that came from a row, and to its column when the field has one. The
validator speaks English: its message is kept as it says it, after the path.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from survey.instruments import layout as L
from survey.instruments.cells import Row
from survey.instruments.errors import Problem

_MISSING = object()


def located(error: ValidationError, kind: str, definition: dict, origins: dict[int, Row]) -> list[Problem]:
    found: list[tuple[Problem, bool]] = []
    for item in error.errors():
        row, rest, lost = _walk(definition, item["loc"], origins)
        said = str(item["ctx"]["error"]) if item["type"] == "value_error" else item["msg"]
        message = f"{'.'.join(map(str, rest))}: {said}" if rest else said
        where = (None, None, None) if row is None else (row.sheet, row.number, _column(kind, row.sheet, rest))
        found.append((Problem(*where, message), lost))
    # A field with two names (a pillar's components or criteria) is complained of under
    # both; the name the definition does not use leads nowhere, and is left out.
    kept = [p for p, lost in found if not lost]
    said = {p.message.rsplit(": ", 1)[-1] for p in kept}
    kept += [p for p, lost in found if lost and p.message.rsplit(": ", 1)[-1] not in said]
    return list(dict.fromkeys(kept))


def _walk(definition: dict, loc: tuple, origins: dict[int, Row]) -> tuple[Row | None, list, bool]:
    """The row of the deepest part along ``loc`` that came from a row, the rest of loc, and
    whether a field along it is missing from the definition."""
    node: Any = definition
    row: Row | None = None
    rest: list = []
    lost = False
    for key in loc:
        child = _child(node, key)
        if child is _MISSING:
            lost = True
            continue
        node = child
        if id(node) in origins:
            row, rest = origins[id(node)], []
        else:
            rest.append(key)
    return row, rest, lost


def _child(node: Any, key: Any) -> Any:
    if isinstance(node, dict) and isinstance(key, str):
        return node.get(key, _MISSING)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return _MISSING


def _column(kind: str, sheet: str, rest: list) -> str | None:
    """The column of the field the path ends in, when the sheet has one by that name."""
    field = next((k for k in rest if isinstance(k, str)), None)
    if field is None:
        return None
    columns = L.COLUMNS[kind].get(sheet, ())
    for column in (field, *L.lang_columns(field)):
        if column in columns:
            return column
    return None
