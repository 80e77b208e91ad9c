"""The one spreadsheet layer: every workbook the application writes goes through it.

Why one layer. The app writes six workbooks (responses, summary, the register template,
the register's error report, the invitation links and, inside them, a dozen table
sheets). Each used to set its own header font, widths and frozen pane and call
``safe_cell`` by hand, so a new sheet could forget one of them, and the one that can
hurt is ``safe_cell``. Here a table sheet is described once, as data:

    columns = [Col("tax_code", 16), Col("share", 10, PERCENT), Col("note", 60, wrap=True)]
    table = Table(sheet, columns)        # widths, bold header row, pane frozen under it
    table.row(["0201234569", 0.25, "=text typed by someone"])   # inert, formatted
    table.close()                        # autofilter over the header and the rows

and a table gets, always: its widths (set before any row, as openpyxl's write-only mode
requires), a bold header row, the pane frozen under it, safe cells and, unless told
otherwise, an autofilter. ``Table`` works on write-only sheets (large exports stream
through them, memory flat) and on normal ones (the summary's charts and the template's
data validation need those) alike, because it only ever appends.

Safe cells. Whatever a user typed may end up in a cell of a file that staff open in
Excel or LibreOffice. Text starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return, which some programs skip before reading a formula) could run as a
formula there ("CSV/formula injection"), and text such as ``#N/A`` would be written as
an error value instead of text, so every text cell goes through ``safe_cell``:
``Table.row`` and ``put`` do it. ``Table.append`` writes its values as given, for hot
loops that made them safe already (the responses workbook works each distinct value out
once); whatever it is given must have been through ``safe_cell``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

#: Leading characters that make a spreadsheet program read a cell as a formula.
#: The media type of every workbook the app sends.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_PASS_THROUGH = (bool, int, float, Decimal, date, datetime, time, timedelta)
#: Text that openpyxl would store as an error value (``#N/A``, ``#REF!``, …), not as text.
_ERROR_CODES = frozenset(ERROR_CODES)

#: The style of every header row.
HEADER_FONT = Font(bold=True)
#: Long text in a cell: wrapped, read from the top.
WRAP = Alignment(wrap_text=True, vertical="top")
#: The pane frozen under a one-row header.
FROZEN = "A2"


def safe_cell(value):
    """Return ``value`` fit to write into a cell: inert if it is text.

    Numbers, booleans, dates and None pass through unchanged; text (or anything else,
    written as its text) that would be read as a formula is prefixed with a single
    quote, as is text that would be stored as an error value (``#N/A``); control
    characters that a workbook cannot hold are dropped.
    """
    if value is None or isinstance(value, _PASS_THROUGH):
        return value
    text = value if isinstance(value, str) else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_TRIGGERS) or text in _ERROR_CODES:
        return "'" + text
    return text


class Styled:
    """Cells of one sheet sharing one style, made without a style look-up per cell.

    Setting ``number_format`` (or a font) on every cell looks the style up in the
    workbook each time; here the style array is worked out once and copied into each
    new cell. ``Styled(sheet, "0.0%")(0.25)`` is a cell to append; None stays None (an
    empty cell has no style to carry). The value is written as given: make text safe
    first (``Table.row`` does).
    """

    def __init__(self, sheet, number_format: str | None = None, *, font=None, alignment=None):
        template = Cell(sheet, row=1, column=1)
        if number_format is not None:
            template.number_format = number_format
        if font is not None:
            template.font = font
        if alignment is not None:
            template.alignment = alignment
        self._sheet = sheet
        self._style = template._style

    def __call__(self, value):
        if value is None:
            return None
        return Cell(self._sheet, row=1, column=1, value=value, style_array=self._style)


@dataclass(frozen=True)
class Col:
    """A column of a table sheet: its header, width, and the style of its data cells."""

    header: str
    width: float | None = None
    number_format: str | None = None
    wrap: bool = False


def columns(headers: Iterable[str], widths: Iterable[float | None] = ()) -> list[Col]:
    """``Col``s from headers and widths side by side (missing widths: the default)."""
    widths = list(widths)
    return [Col(h, widths[i] if i < len(widths) else None) for i, h in enumerate(headers)]


class Table:
    """A sheet laid out as a table: header row, widths, frozen pane, safe rows, autofilter.

    Made on an empty sheet (write-only or normal). ``row`` writes safe, styled cells;
    ``append`` writes values as given (already safe); ``close`` sets the autofilter
    over the header and every row written (with ``autofilter=True``).
    """

    def __init__(self, sheet, cols: Sequence[Col], *, autofilter: bool = True):
        self.sheet = sheet
        self.columns = list(cols)
        self.rows = 0
        self._autofilter = autofilter
        # Widths first: a write-only sheet writes its column settings before the first row.
        for index, col in enumerate(self.columns, 1):
            if col.width is not None:
                sheet.column_dimensions[get_column_letter(index)].width = col.width
        sheet.freeze_panes = FROZEN
        bold = Styled(sheet, font=HEADER_FONT)
        sheet.append([bold(safe_cell(col.header)) for col in self.columns])
        styles: dict[tuple, Styled] = {}
        self._styles = []
        for col in self.columns:
            key = (col.number_format, col.wrap)
            if key == (None, False):
                self._styles.append(None)
                continue
            if key not in styles:
                styles[key] = Styled(sheet, col.number_format, alignment=WRAP if col.wrap else None)
            self._styles.append(styles[key])

    def row(self, values: Sequence) -> None:
        """Append one row: every value through ``safe_cell``, each column's style on it."""
        cells = []
        for index, value in enumerate(values):
            if value.__class__ is Cell:  # styled by the caller, its value safe already
                cells.append(value)
                continue
            value = safe_cell(value)
            style = self._styles[index] if index < len(self._styles) else None
            cells.append(value if style is None else style(value))
        self.append(cells)

    def append(self, values: Sequence) -> None:
        """Append one row as given: values already safe (see the module's docstring)."""
        self.sheet.append(values)
        self.rows += 1

    def close(self) -> None:
        if self._autofilter:
            last = get_column_letter(max(len(self.columns), 1))
            self.sheet.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def put(sheet, row: int, column: int, value, number_format: str | None = None, *, bold: bool = False):
    """Write one safe cell of a normal (not write-only) sheet laid out by hand; return it."""
    cell = sheet.cell(row=row, column=column, value=safe_cell(value))
    if number_format and value is not None:
        cell.number_format = number_format
    if bold:
        cell.font = HEADER_FONT
    return cell


def save(workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
