"""A wave's responses as JSON pages: the responses workbook's columns and rules, by keyset.

The rows are the workbook's (survey.exports.rows.response_rows: every response of the
wave, whatever its state, read in batches by keyset on the response id, with column
selects only), and so are the columns and the rules about who sees what:

- the columns of the Responses sheet (survey.exports.responses_workbook.response_columns
  and, for the unscored modules, survey.exports.module_columns.columns), then those of
  the Scores sheet after its first two (the id and the identifier are there already);
- the contact columns and the modules' free text are there because only tokens with the
  analyst scope reach this (the analysts' workbook has them); a household's personal ID
  is masked, as in every export not made by an administrator (no token is one).

Values are JSON's own: option codes (a multi-choice answer as a list), figures as
numbers, times in ISO 8601 (UTC), 0/1 ticks, booleans; the workbook's spreadsheet
escaping (a leading quote before ``=``) does not apply to JSON and is not done.

A page is written as it is read, a batch of rows at a time, so memory does not grow
with the page, and a page far into the wave costs what the first one does (``after``
is a keyset, not an offset).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from survey.exports import module_columns
from survey.exports import rows as export_rows
from survey.exports.responses_workbook import (
    RESPONSES,
    SCORES,
    _component_points,
    response_columns,
    score_columns,
)
from survey.frameworks import framework_of
from survey.models import Wave
from survey.scoring import scorer_for
from survey.scoring.definition import Framework, Kind
from survey.scoring.figures import FIGURE

#: Rows read per query; a page of up to survey.api.schemas.PAGE_MAX is a few batches.
BATCH = 250


@dataclass(frozen=True)
class Column:
    code: str
    sheet: str
    kind: str
    label: dict[str, str]
    #: The value of this column from a row of response_rows.
    value: Callable[[dict], object]


def _number(raw):
    """A reported figure (a decimal string) as a number; anything else as it was stored."""
    if isinstance(raw, str) and FIGURE.match(raw):
        number = Decimal(raw)
        return int(number) if number == number.to_integral_value() else float(number)
    return raw


def _time(value):
    return None if value is None else value.isoformat()


def _answers(row: dict) -> dict:
    answers = row["answers"]
    return answers if isinstance(answers, dict) else {}


def _part(code: str, part: str | None, figure: bool) -> Callable[[dict], object]:
    """An answer (a choice's code, or a list of them) or a figure (a number), from the answers."""

    def value(row: dict):
        answer = _answers(row).get(code)
        if part is not None and isinstance(answer, dict):
            answer = answer.get(part)
        return _number(answer) if figure else answer

    return value


def _fixed(key: str, cell: str) -> Callable[[dict], object]:
    if cell == "time":
        return lambda row: _time(row[key])
    if cell == "rejected":
        return lambda row: row[key] == "rejected"
    return lambda row: row[key]


def _tech(code: str) -> Callable[[dict], object]:
    def value(row: dict):
        used = row["technologies"]
        return 1 if isinstance(used, list) and code in used else 0

    return value


def _response_sheet(framework: Framework) -> list[Column]:
    parts = {}
    for _pillar, criterion in framework.criteria():
        if criterion.kind is Kind.FIGURE:
            parts[criterion.code] = (criterion.code, "value")
            if criterion.denominator is not None:
                parts[f"{criterion.code}_of"] = (criterion.code, "of")
    made = []
    for c in response_columns(framework, include_contacts=True):
        if c.cell is not None:
            value = _fixed(c.row_key, c.cell)
        elif c.code.startswith("tech_") and c.kind == "0/1":
            value = _tech(c.code.removeprefix("tech_"))
        elif c.code in parts:
            value = _part(*parts[c.code], figure=True)
        else:  # a choice (a code, or a list of codes) or a shared figure
            value = _part(c.code, None, figure=c.kind == "figure")
        made.append(Column(c.code, RESPONSES, c.kind, {"vi": c.vi, "en": c.en}, value))
    return made


def _module_sheet(pinned: list[module_columns.Pinned]) -> list[Column]:
    def value(column: module_columns.ModuleColumn) -> Callable[[dict], object]:
        def read(row: dict):
            answers = row["modules"].get(column.version_id)
            if answers is None:  # not pinned to that version: nothing was asked
                return None
            for question, option, number, text in answers:
                if question != column.question:
                    continue
                if column.kind == module_columns.TICK:
                    if option == column.option:
                        return 1
                elif column.kind == module_columns.RATING and number is not None:
                    return number
                elif column.kind == module_columns.TEXT and text is not None:
                    return text
            return 0 if column.kind == module_columns.TICK else None

        return read

    return [
        Column(c.code, RESPONSES, c.kind, {"vi": c.vi, "en": c.en}, value(c))
        for c in module_columns.columns(pinned, texts=True)
    ]


def _score_sheet(framework: Framework) -> list[Column]:
    scorer = scorer_for(framework)
    components = [k.code for p in framework.pillars for k in p.components]
    index = {code: i for i, code in enumerate(components)}

    def pillar(code: str, what: str) -> Callable[[dict], object]:
        def value(row: dict):
            found = row["pillars"].get(code)
            if found is None:
                return None
            points, max_points, level = found
            if what == "points":
                return points
            if what == "level":
                return level
            return points / max_points if max_points else None

        return value

    def component(code: str) -> Callable[[dict], object]:
        # Component points are not stored; they are worked out as in the workbook, once a row.
        def value(row: dict):
            if "_components" not in row:
                row["_components"] = _component_points(scorer, _answers(row), row, components)
            return row["_components"][index[code]]

        return value

    made = []
    pillars = {p.code for p in framework.pillars}
    for c in score_columns(framework)[2:]:
        head, _, what = c.code.rpartition("_")
        if head in pillars and what in ("points", "percent", "level"):
            value = pillar(head, what)
        elif c.code.startswith("c") and c.code.endswith("_points") and c.code[1:-7] in index:
            value = component(c.code[1:-7])
        else:
            value = (lambda key: lambda row: row[key])(c.code)
        made.append(Column(c.code, SCORES, c.kind, {"vi": c.vi, "en": c.en}, value))
    return made


def columns(session: Session, wave: Wave) -> list[Column]:
    """The page's columns: the workbook's, in its order (see the module's docstring)."""
    framework = framework_of(wave.framework_version)
    pinned = module_columns.pinned_modules(session, wave)
    return [*_response_sheet(framework), *_module_sheet(pinned), *_score_sheet(framework)]


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def page(session: Session, wave: Wave, filters: dict, after: int, limit: int) -> Iterator[str]:
    """The page of ``limit`` responses after id ``after``, as chunks of one JSON document
    (survey.api.figure_schemas.ResponsesPageSchema)."""
    framework = framework_of(wave.framework_version)
    made = columns(session, wave)
    head = {
        "wave": {"id": wave.id, "name": wave.name, "year": wave.year},
        "framework": {"code": framework.code, "version": framework.version},
        "filters": filters,
        "columns": [{"code": c.code, "sheet": c.sheet, "kind": c.kind, "label": c.label} for c in made],
    }
    yield _dumps(head)[:-1] + ',"items":['
    rows = export_rows.response_rows(
        session,
        wave,
        filters,
        batch=min(limit + 1, BATCH),
        contacts=True,
        personal_ids=False,
        modules=True,
        module_texts=True,
        after=after,
    )
    last = None
    try:
        for i, row in enumerate(itertools.islice(rows, limit + 1)):
            if i == limit:  # one more than asked: there is a next page
                yield f'],"next_after":{last}}}'
                return
            yield ("," if i else "") + _dumps({c.code: c.value(row) for c in made})
            last = row["id"]
    finally:
        rows.close()
    yield '],"next_after":null}'
