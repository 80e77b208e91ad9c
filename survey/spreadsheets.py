"""Helpers for the spreadsheets the application writes.

Whatever a user typed may end up in a cell of a file that staff open in Excel or
LibreOffice. Text starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some programs skip before reading a formula) could run as a formula
there ("CSV/formula injection"), so every text cell goes through ``safe_cell``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

#: Leading characters that make a spreadsheet program read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_PASS_THROUGH = (bool, int, float, Decimal, date, datetime, time, timedelta)


def safe_cell(value):
    """Return ``value`` fit to write into a cell: inert if it is text.

    Numbers, booleans, dates and None pass through unchanged; text (or anything else,
    written as its text) that would be read as a formula is prefixed with a single
    quote, and control characters that a workbook cannot hold are dropped.
    """
    if value is None or isinstance(value, _PASS_THROUGH):
        return value
    text = value if isinstance(value, str) else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text
