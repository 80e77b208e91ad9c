"""Reading an instrument workbook's sheets into rows, and its cells into typed values,
with a ``Problem`` (sheet, row, column, what is wrong) for each cell that will not do.

``Cells`` collects the problems instead of raising, so that one reading reports every
mistake in the workbook.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

import openpyxl

from survey.instruments import layout as L
from survey.instruments.errors import Problem, WorkbookInvalid, _
from survey.registry.register_format import RegisterFileError
from survey.registry.register_limits import RegisterLimits, check_archive

#: An instrument has a few hundred rows; far more is not an instrument.
MAX_ROWS = 20_000
MAX_COLUMNS = 100
_YES = {"yes", "true", "1", "true()"}
_NO = {"no", "false", "0", "false()"}


@dataclass
class Row:
    sheet: str
    number: int
    values: dict[str, Any]

    def filled(self, column: str) -> bool:
        value = self.values.get(column)
        return value is not None and not (isinstance(value, str) and not value.strip())


@dataclass
class Sheet:
    name: str
    headers: list[str]
    rows: list[Row] = field(default_factory=list)


def open_sheets(source: bytes | str | Path | BinaryIO) -> dict[str, Sheet]:
    """Every sheet of the workbook, as header and rows (empty rows left out)."""
    data = source if isinstance(source, bytes) else _read(source)
    try:
        check_archive(BytesIO(data), RegisterLimits())
        book = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except RegisterFileError as exc:
        raise WorkbookInvalid([Problem(None, None, None, str(exc))]) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise WorkbookInvalid([Problem(None, None, None, _("This is not an .xlsx workbook."))]) from None
    problems: list[Problem] = []
    sheets: dict[str, Sheet] = {}
    try:
        for worksheet in book.worksheets:
            sheets[worksheet.title] = _sheet(worksheet, problems)
    finally:
        book.close()
    if problems:
        raise WorkbookInvalid(problems)
    return sheets


def _read(source) -> bytes:
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes()
    return source.read()


def _sheet(worksheet, problems: list[Problem]) -> Sheet:
    name = worksheet.title
    rows = worksheet.iter_rows(values_only=True)
    first = next(rows, ())
    headers = [str(h).strip() if h is not None else "" for h in first[:MAX_COLUMNS]]
    sheet = Sheet(name, headers)
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            problems.append(
                Problem(name, number, None, _("Too many rows: an instrument has at most %(n)s.", n=MAX_ROWS))
            )
            break
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        row: dict[str, Any] = {}
        for index, value in enumerate(values):
            if value is None:
                continue
            header = headers[index] if index < len(headers) else ""
            if not header:
                problems.append(Problem(name, number, None, _("A value in a column without a header.")))
                continue
            row[header] = value
        sheet.rows.append(Row(name, number, row))
    return sheet


class Cells:
    """Typed reading of cells; every bad cell adds a Problem and reads as None."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        #: The row each part of the definition was read from, by the part's id, so that a
        #: complaint of the definition's validator can be put back in its row (locate).
        self.origins: dict[int, Row] = {}

    def made(self, row: Row, part: dict) -> dict:
        """``part`` of the definition, noted as read from ``row``."""
        self.origins[id(part)] = row
        return part

    def fail(self, row: Row | str, column: str | None, message: str) -> None:
        if isinstance(row, Row):
            problem = Problem(row.sheet, row.number, column, message)
        else:
            problem = Problem(row, None, column, message)
        # A cell is read more than once (its row's shape, then a rule across rows): one
        # mistake is one line of the report.
        if problem not in self.problems:
            self.problems.append(problem)

    def string(self, row: Row, column: str, *, needed: bool = False) -> str | None:
        """Text as typed (formula quotes undone); numbers typed into it read as their digits."""
        value = row.values.get(column)
        if isinstance(value, bool):
            self.fail(row, column, _("Must be text, not %(value)s.", value=value))
            return None
        if isinstance(value, int):
            value = str(value)
        elif isinstance(value, float):
            value = str(int(value)) if value.is_integer() else str(value)
        elif value is not None and not isinstance(value, str):
            self.fail(row, column, _("Must be text."))
            return None
        if value is None or not value.strip():
            if needed:
                self.fail(row, column, _("This cell must be filled in."))
            return None
        return L.unescape(value)

    def code(self, row: Row, column: str, *, needed: bool = False) -> str | None:
        value = self.string(row, column, needed=needed)
        return value.strip() if value is not None else None

    def integer(self, row: Row, column: str, *, needed: bool = False) -> int | None:
        value = row.values.get(column)
        if isinstance(value, str):
            value = value.strip()
            if re.fullmatch(r"[+-]?[0-9]+", value):
                value = int(value)
            elif not value:
                value = None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if value is None:
            if needed:
                self.fail(row, column, _("This cell must be filled in."))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(row, column, _("Must be a whole number, not %(value)s.", value=value))
            return None
        return value

    def number(self, row: Row, column: str, *, needed: bool = False) -> int | float | None:
        """A number as typed: a whole number stays whole (10, not 10.0), as in the YAML files."""
        value = row.values.get(column)
        if isinstance(value, str):
            text = value.strip().replace(",", ".")
            if not text:
                value = None
            elif re.fullmatch(r"[+-]?[0-9]+", text):
                value = int(text)
            elif re.fullmatch(r"[+-]?[0-9]*\.[0-9]+", text):
                value = float(text)
        if value is None:
            if needed:
                self.fail(row, column, _("This cell must be filled in."))
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(row, column, _("Must be a number, not %(value)s.", value=value))
            return None
        return value

    def boolean(self, row: Row, column: str) -> bool | None:
        value = row.values.get(column)
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in _YES:
            return True
        if text in _NO:
            return False
        if not text:
            return None
        self.fail(row, column, _("Must be yes or no, not %(value)s.", value=value))
        return None

    def words(self, row: Row, column: str) -> list[str] | None:
        """Codes separated by spaces or commas."""
        value = self.string(row, column)
        return None if value is None else [w for w in re.split(r"[\s,;]+", value) if w]

    def text(self, row: Row, field: str, *, needed: bool = False) -> dict | None:
        """A two-language text: both languages, or neither (then None)."""
        columns = L.lang_columns(field)
        values = [self.string(row, c) for c in columns]
        if all(v is None for v in values):
            if needed:
                self.fail(row, columns[0], _("A text is needed here, in both languages."))
            return None
        for column, value in zip(columns, values, strict=True):
            if value is None:
                self.fail(row, column, _("The text is missing in this language."))
        if any(v is None for v in values):
            return None
        return {lang: value for (lang, _name), value in zip(L.LANGUAGES, values, strict=True)}

    def unused(self, row: Row, columns: list[str], what: str) -> None:
        """Columns that mean nothing on this kind of row must stay empty."""
        for column in columns:
            if row.filled(column):
                self.fail(row, column, _("Not used on %(what)s: leave it empty.", what=what))
