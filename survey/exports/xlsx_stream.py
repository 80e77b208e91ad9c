"""Streamed table sheets written with XlsxWriter's constant-memory mode (the responses workbook).

``survey.spreadsheets.Table`` lays a table out on an openpyxl sheet; this is the same
layout for a workbook that can be a hundred thousand rows long: widths, a bold header
row, the pane frozen under it, safe cells and an autofilter over the rows written. In
constant-memory mode XlsxWriter keeps one row of each sheet in memory and writes the
rest to a temporary file, so memory does not depend on the number of rows; rows go in
order within a sheet (sheets may be written side by side, a row of each in turn).

Cells are typed by their Python value: numbers (``int``, ``float``, ``Decimal``) as
numbers, ``bool`` as TRUE/FALSE, ``datetime`` as a date in ``DATETIME_FORMAT``,
``Percent`` as a number in the percent format, None as an empty cell, text as text.
Text is never read as a formula or a link: the workbook is opened with
``strings_to_formulas``, ``strings_to_urls`` and ``strings_to_numbers`` off, and every
text cell goes through ``safe_cell`` first (``StreamTable.row`` does it; the hot path,
``append``, takes values made safe already, as ``Table.append`` does), so a cell holds
what openpyxl would have written: ``=1+1`` typed by someone is the text ``'=1+1``.

Carriage returns. ``safe_cell`` keeps tab, line feed and carriage return (it drops every
other control character). XlsxWriter writes a carriage return in a constant-memory cell
as the escape ``_x000D_``, which Excel decodes but openpyxl (and so every reader built
on it) shows as those seven characters; ``SafeWorksheet`` writes it as the XML character
reference ``&#13;`` instead, which every reader reads as the carriage return, as in
the file openpyxl wrote.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from survey.exports.cells import PERCENT_FORMAT
from survey.exports.cells import text as safe_cell

#: The format of every date cell.
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

OPTIONS = {
    "constant_memory": True,
    # Text is text: never a formula, a link or a number (safe_cell did the rest).
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": DATETIME_FORMAT,
}


@dataclass(frozen=True)
class Col:
    """A column of a table sheet: its header, width, and the style of its data cells.

    As ``survey.spreadsheets.Col``, without importing openpyxl (survey.exports.cells).
    """

    header: str
    width: float | None = None
    number_format: str | None = None
    wrap: bool = False


class Percent(float):
    """A share (0.25) written as a number in the percent format (25.0%)."""

    __slots__ = ()


class SafeWorksheet(Worksheet):
    """A worksheet that writes a carriage return in text as ``&#13;`` (see the module's docstring).

    Two of XlsxWriter's (3.3) inner methods are extended, each doing what it did and
    leaving carriage returns to the XML layer: tests/exports check the text read back.
    """

    @staticmethod
    def _escape_control_characters(data):
        if data.__class__ is not str or "\r" not in data:
            return Worksheet._escape_control_characters(data)
        return "\r".join(Worksheet._escape_control_characters(part) for part in data.split("\r"))

    def _escape_data(self, data):
        data = super()._escape_data(data)
        if data.__class__ is str and "\r" in data:
            return data.replace("\r", "&#13;")
        return data


class StreamBook:
    """An XlsxWriter workbook in constant-memory mode, writing to ``target`` (a path or binary file).

    Its temporary row files live in a folder of its own, removed by ``close`` or
    ``discard`` whatever happened. Use as a context manager: closed (saved) on success,
    discarded on an error.
    """

    def __init__(self, target: str | IO[bytes]):
        self._tmp = tempfile.mkdtemp(prefix="survey-xlsx-")
        self.book = Workbook(target, {**OPTIONS, "tmpdir": self._tmp})
        self.bold = self.book.add_format({"bold": True})
        self.percent = self.book.add_format({"num_format": PERCENT_FORMAT})
        self._formats: dict[tuple, object] = {}

    def format_of(self, col: Col):
        """The cell format of a column's data cells (its number format, wrapped), or None."""
        key = (col.number_format, col.wrap)
        if key == (None, False):
            return None
        if key not in self._formats:
            spec = {"num_format": col.number_format} if col.number_format else {}
            if col.wrap:
                spec |= {"text_wrap": True, "valign": "top"}
            self._formats[key] = self.book.add_format(spec)
        return self._formats[key]

    def table(self, name: str, cols: Sequence[Col], *, autofilter: bool = True) -> StreamTable:
        return StreamTable(self, name, cols, autofilter=autofilter)

    def close(self) -> None:
        try:
            self.book.close()
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def discard(self) -> None:
        """Give up: close the row files and remove them; nothing is written to the target."""
        for sheet in self.book.worksheets():
            handle = getattr(sheet, "row_data_fh", None)
            if handle is not None and not handle.closed:
                handle.close()
        self.book.fileclosed = True  # no "close() may be required" warning from its destructor
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> StreamBook:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()


class StreamTable:
    """A sheet laid out as a table: widths, bold header row, frozen pane, safe rows, autofilter.

    ``row`` writes safe cells in each column's format; ``append`` writes values as given
    (already safe: see the module's docstring); ``close`` sets the autofilter over the
    header and every row written (with ``autofilter=True``). ``rows`` counts the rows.
    """

    def __init__(self, book: StreamBook, name: str, cols: Sequence[Col], *, autofilter: bool = True):
        sheet = book.book.add_worksheet(name, worksheet_class=SafeWorksheet)
        sheet.add_write_handler(Percent, _write_percent(book.percent))
        self.sheet = sheet
        self.columns = list(cols)
        self.rows = 0
        self._autofilter = autofilter
        for index, col in enumerate(self.columns):
            if col.width is not None:
                sheet.set_column(index, index, col.width)
        sheet.freeze_panes(1, 0)
        sheet.write_row(0, 0, [safe_cell(col.header) for col in self.columns], book.bold)
        self._formats = [book.format_of(col) for col in self.columns]
        self._styled = any(f is not None for f in self._formats)
        self._write_row = sheet.write_row

    def row(self, values: Sequence) -> None:
        """Append one row: every value through ``safe_cell``, each column's format on it."""
        self.rows += 1
        values = [safe_cell(value) for value in values]
        if not self._styled:
            self._write_row(self.rows, 0, values)
            return
        formats = self._formats
        for index, value in enumerate(values):
            style = formats[index] if index < len(formats) else None
            if value is not None:
                self.sheet.write(self.rows, index, value, style)

    def append(self, values: Sequence) -> None:
        """Append one row as given: values already safe (see the module's docstring)."""
        self.rows += 1
        self._write_row(self.rows, 0, values)

    def close(self) -> None:
        if self._autofilter:
            self.sheet.autofilter(0, 0, self.rows, max(len(self.columns), 1) - 1)


def _write_percent(cell_format):
    def write(sheet, row, col, value, _format=None):
        return sheet.write_number(row, col, float(value), cell_format)

    return write
