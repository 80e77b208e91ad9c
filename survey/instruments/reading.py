"""Reading an instrument workbook back into its definition, and checking it.

``read_workbook`` first checks the workbook with rules of its own, each problem naming
the sheet, the row, the column and what is wrong in the staff member's language (every
problem, not the first); only a workbook that passes is given to the definition's own
validator (``survey.scoring.from_dict`` or ``survey.modules.from_dict``), whose verdict
(rare by then) is put back in the row it concerns where it can be (``locate``), in the
validator's English.

What is read is the definition exactly as a YAML file would hold it: an empty cell is a
field left out, lists keep their order, whole numbers stay whole, so that the content hash
of a packaged version read back from its workbook is that version's hash.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError

from survey.instruments import layout as L
from survey.instruments.cells import Cells, Row, Sheet, open_sheets
from survey.instruments.errors import Problem, WorkbookInvalid, _
from survey.instruments.locate import located
from survey.scoring.definition import canonical_hash

_REFERENCE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Parsed:
    """What a workbook says: a framework's or a module's definition, not yet validated."""

    kind: str
    definition: dict
    #: The row each part of the definition came from (survey.instruments.locate).
    origins: dict[int, Row] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Imported:
    """A workbook read and validated: the definition, its content hash and the object."""

    kind: str
    definition: dict
    content_hash: str
    instrument: Any  # survey.scoring.Framework or survey.modules.Module

    @property
    def label(self) -> str:
        return f"{self.definition['code']} v{self.definition['version']}"


def read_workbook(source: bytes | str | Path | BinaryIO) -> Imported:
    """The validated definition a workbook gives; ``WorkbookInvalid`` lists every problem."""
    from survey.modules.definition import Module, ModuleError
    from survey.modules.definition import from_dict as module_from_dict
    from survey.scoring.definition import Framework, FrameworkError
    from survey.scoring.definition import from_dict as framework_from_dict

    parsed = read_definition(source)
    framework = parsed.kind == L.FRAMEWORK
    model, validate = (Framework, framework_from_dict) if framework else (Module, module_from_dict)
    try:
        # The model first, for its errors as data (each put back in its row); from_dict
        # then is the very check a packaged file passes, and gives the instrument.
        model.model_validate(copy.deepcopy(parsed.definition))
        instrument = validate(parsed.definition, "workbook")
    except ValidationError as exc:
        raise WorkbookInvalid(located(exc, parsed.kind, parsed.definition, parsed.origins)) from None
    except (FrameworkError, ModuleError) as exc:
        raise WorkbookInvalid([Problem(None, None, None, str(exc))]) from None
    return Imported(parsed.kind, parsed.definition, canonical_hash(parsed.definition), instrument)


def read_definition(source: bytes | str | Path | BinaryIO) -> Parsed:
    """The definition a workbook holds, after the workbook's own checks (not the validator's)."""
    from survey.instruments.framework_reading import read_framework

    sheets = open_sheets(source)
    cells = Cells()
    for name in L.REQUIRED_SHEETS:
        if name not in sheets:
            cells.fail(name, None, _("The workbook has no sheet %(sheet)s.", sheet=name))
    if cells.problems:
        raise WorkbookInvalid(cells.problems)
    kind = _kind(sheets[L.SETTINGS], cells)
    if kind is None:
        raise WorkbookInvalid(cells.problems)
    _check_layout(kind, sheets, cells)
    definition = read_framework(sheets, cells) if kind == L.FRAMEWORK else read_module(sheets, cells)
    _check_references(sheets[L.SURVEY], cells)
    if cells.problems:
        raise WorkbookInvalid(cells.problems)
    return Parsed(kind, definition, cells.origins)


def _kind(settings: Sheet, cells: Cells) -> str | None:
    if not settings.rows:
        cells.fail(L.SETTINGS, None, _("The settings sheet needs one row under its header."))
        return None
    kind = cells.code(settings.rows[0], "kind", needed=True)
    if kind is not None and kind not in L.KINDS:
        cells.fail(settings.rows[0], "kind", _("Must be framework or module, not %(value)s.", value=kind))
        return None
    return kind


def _check_layout(kind: str, sheets: dict[str, Sheet], cells: Cells) -> None:
    """Known sheets and columns only: a column the app does not read would be lost unseen."""
    known = L.COLUMNS[kind]
    for name, sheet in sheets.items():
        if name not in known:
            cells.fail(name, None, _("The app does not read a sheet %(sheet)s: remove it.", sheet=name))
            continue
        for header, count in Counter(h for h in sheet.headers if h).items():
            if header not in known[name]:
                cells.fail(Row(name, 1, {}), header, _("The app does not read this column: remove it."))
            elif count > 1:
                cells.fail(Row(name, 1, {}), header, _("This column is there twice."))
    if len(sheets[L.SETTINGS].rows) > 1:
        cells.fail(sheets[L.SETTINGS].rows[1], None, _("The settings sheet has one row only."))


def _check_references(survey: Sheet, cells: Cells) -> None:
    names = {n for n in (cells.code(r, "name") for r in survey.rows) if n}
    for row in survey.rows:
        for name in _REFERENCE.findall(cells.string(row, "relevant") or ""):
            if name not in names:
                cells.fail(
                    row, "relevant", _("${%(name)s} names no question of the survey sheet.", name=name)
                )


def survey_type(row: Row, cells: Cells) -> tuple[str, str | None] | None:
    """A survey row's type and, for a select, its list: ``("select_one", "adoption")``."""
    text = " ".join((cells.string(row, "type", needed=True) or "").split())
    if not text:
        return None
    text = {"begin group": "begin_group", "end group": "end_group"}.get(text, text)
    parts = text.split(" ")
    if parts[0] in ("select_one", "select_multiple"):
        if len(parts) != 2:
            cells.fail(row, "type", _("Write %(type)s and the name of its choice list.", type=parts[0]))
            return None
        return parts[0], parts[1]
    if len(parts) == 1 and parts[0] in ("begin_group", "end_group", "integer", "decimal", "text"):
        return parts[0], None
    cells.fail(
        row,
        "type",
        _(
            "Unknown type %(type)s: use select_one LIST, select_multiple LIST, integer, decimal, text,"
            " begin_group or end_group.",
            type=text,
        ),
    )
    return None


def row_name(row: Row, cells: Cells, seen: dict[str, int]) -> str | None:
    """A row's XLSForm name, checked to be a name and used once."""
    name = cells.code(row, "name", needed=True)
    if name is None:
        return None
    if not L.is_name(name):
        cells.fail(
            row,
            "name",
            _("%(name)s is not a name: use letters, digits and _, not starting with a digit.", name=name),
        )
    elif name in seen:
        cells.fail(
            row,
            "name",
            _("The name %(name)s is used twice (first in row %(row)s).", name=name, row=seen[name]),
        )
    else:
        seen[name] = row.number
    return name


def row_code(row: Row, cells: Cells, name: str | None) -> str | None:
    """The definition's code of a row: ``code``, or the name when ``code`` is empty."""
    return cells.code(row, "code") or name


def check_required(row: Row, cells: Cells, expected: bool | None) -> None:
    """A criterion's second row (descriptors, denominator) is required as its first is."""
    value = bool(cells.boolean(row, "required"))
    if expected is not None and value != expected:
        cells.fail(row, "required", _("Must be the same as the row before it."))


def about(sheets: dict[str, Sheet], kind: str, cells: Cells, into: dict) -> None:
    """The ``about`` sheet's texts into the definition (title needed)."""
    fields = L.ABOUT_FIELDS[kind]
    seen: dict[str, int] = {}
    for row in sheets[L.ABOUT].rows:
        name = cells.code(row, "field", needed=True)
        if name is None:
            continue
        if name not in fields:
            cells.fail(
                row,
                "field",
                _("Unknown field %(value)s: use one of %(fields)s.", value=name, fields=", ".join(fields)),
            )
        elif name in seen:
            cells.fail(
                row,
                "field",
                _("%(value)s is given twice (first in row %(row)s).", value=name, row=seen[name]),
            )
        else:
            seen[name] = row.number
            text = cells.text(row, "text", needed=True)
            if text is not None:
                into[name] = text
    if "title" not in seen:
        cells.fail(L.ABOUT, "field", _("The about sheet needs a row for the title."))


def settings(sheets: dict[str, Sheet], cells: Cells, into: dict) -> Row:
    row = sheets[L.SETTINGS].rows[0]
    code = cells.code(row, "code", needed=True)
    version = cells.integer(row, "version", needed=True)
    if code is not None:
        into["code"] = code
    if version is not None:
        into["version"] = version
    wording = cells.code(row, "wording")
    if wording is not None:
        into["wording"] = wording
    return row


def choice_lists(sheet: Sheet, cells: Cells) -> dict[str, list[Row]]:
    """Rows of the choices sheet by list, in order; a name twice in one list is an error."""
    lists: dict[str, list[Row]] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in sheet.rows:
        list_name = cells.code(row, "list_name", needed=True)
        name = cells.code(row, "name", needed=True)
        if list_name is None or name is None:
            continue
        if (list_name, name) in seen:
            cells.fail(
                row,
                "name",
                _(
                    "%(name)s is in list %(list)s twice (first in row %(row)s).",
                    name=name,
                    list=list_name,
                    row=seen[list_name, name],
                ),
            )
            continue
        seen[list_name, name] = row.number
        lists.setdefault(list_name, []).append(row)
    return lists


def no_relevant(row: Row, cells: Cells) -> None:
    if row.filled("relevant"):
        cells.fail(
            row,
            "relevant",
            _("The app asks every question: relevant is only for a level criterion's descriptors."),
        )


def put(into: dict, key: str, value) -> None:
    """Set ``key`` only when the workbook gives a value (an empty cell: the field left out)."""
    if value is not None:
        into[key] = value


# ---------------------------------------------------------------- module


def read_module(sheets: dict[str, Sheet], cells: Cells) -> dict:
    data: dict = {}
    settings(sheets, cells, data)
    row = sheets[L.SETTINGS].rows[0]
    put(data, "high_from", cells.integer(row, "high_from"))
    about(sheets, L.MODULE, cells, data)
    lists = choice_lists(sheets[L.CHOICES], cells)
    owned: dict[str, str] = {}  # list name -> the checklist it belongs to
    scales_used: dict[str, Row] = {}
    sections: list[dict] = []
    section: dict | None = None
    names: dict[str, int] = {}
    for row in sheets[L.SURVEY].rows:
        parsed = survey_type(row, cells)
        if parsed is None:
            continue
        kind, list_name = parsed
        if kind == "end_group":
            if section is None:
                cells.fail(row, "type", _("end_group without a begin_group before it."))
            section = None
            continue
        name = row_name(row, cells, names)
        code = row_code(row, cells, name)
        no_relevant(row, cells)
        if kind == "begin_group":
            if section is not None:
                cells.fail(
                    row,
                    "type",
                    _("A module's sections are not nested: close the section before with end_group."),
                )
            cells.unused(
                row, ["required", "max_length", "pillars", *L.lang_columns("advice")], _("a section's row")
            )
            section = {"code": code, "title": cells.text(row, "label", needed=True), "questions": []}
            cells.made(row, section)
            put(section, "intro", cells.text(row, "hint"))
            sections.append(section)
            continue
        if section is None:
            cells.fail(row, "type", _("A question must be inside a section (a begin_group row before it)."))
            continue
        if kind in ("integer", "decimal"):
            cells.fail(
                row,
                "type",
                _(
                    "A module has rating, checklist and text questions only "
                    "(select_one, select_multiple, text)."
                ),
            )
            continue
        question_kind = {"select_one": "rating", "select_multiple": "checklist", "text": "text"}[kind]
        question: dict = {"code": code, "kind": question_kind, "text": cells.text(row, "label", needed=True)}
        cells.made(row, question)
        put(question, "help", cells.text(row, "hint"))
        if question_kind == "rating":
            question["scale"] = list_name
            if list_name not in lists:
                cells.fail(row, "type", _("The choices sheet has no list %(list)s.", list=list_name))
            scales_used.setdefault(list_name, row)
        elif question_kind == "checklist":
            if list_name != name:
                cells.fail(
                    row,
                    "type",
                    _(
                        "A checklist's options are a list of its own, named as the question: %(name)s.",
                        name=name,
                    ),
                )
            elif list_name not in lists:
                cells.fail(row, "type", _("The choices sheet has no list %(list)s.", list=list_name))
            else:
                owned[list_name] = name
                question["options"] = [_module_option(r, cells) for r in lists[list_name]]
        required = bool(cells.boolean(row, "required"))
        if required != (question_kind == "rating"):
            question["required"] = required
        put(question, "max_length", cells.integer(row, "max_length"))
        put(question, "pillars", cells.words(row, "pillars"))
        put(question, "advice", cells.text(row, "advice"))
        section["questions"].append(question)
    if section is not None:
        cells.fail(L.SURVEY, "type", _("The last section has no end_group."))
    for list_name, row in scales_used.items():
        if list_name in owned:
            cells.fail(
                row, "type", _("List %(list)s is a checklist's options, not a rating scale.", list=list_name)
            )
    scales = []
    for list_name, rows in lists.items():
        if list_name in owned:
            continue
        points = []
        for r in rows:
            cells.unused(r, ["pillars", *L.lang_columns("advice")], _("a rating scale's point"))
            value = cells.integer(r, "name")
            points.append(cells.made(r, {"value": value, "label": cells.text(r, "label", needed=True)}))
        scales.append(cells.made(rows[0], {"code": list_name, "points": points}))
    if scales:
        data["scales"] = scales
    data["sections"] = sections
    return data


def _module_option(row: Row, cells: Cells) -> dict:
    option: dict = {"code": cells.code(row, "name"), "label": cells.text(row, "label", needed=True)}
    put(option, "pillars", cells.words(row, "pillars"))
    put(option, "advice", cells.text(row, "advice"))
    return cells.made(row, option)
