"""Helpers for the spreadsheets the application writes.

Whatever a user typed may end up in a cell of a file that staff open in Excel or
LibreOffice. Text starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some programs skip before reading a formula) could run as a formula
there ("CSV/formula injection"), and text such as ``#N/A`` would be written as an error
value instead of text, so every text cell goes through ``safe_cell``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

#: Leading characters that make a spreadsheet program read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_PASS_THROUGH = (bool, int, float, Decimal, date, datetime, time, timedelta)
#: Text that openpyxl would store as an error value (``#N/A``, ``#REF!``, …), not as text.
_ERROR_CODES = frozenset(ERROR_CODES)


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
