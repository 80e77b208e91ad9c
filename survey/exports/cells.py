"""Cell values and styles shared by the export workbooks."""

from __future__ import annotations

from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font

from survey.spreadsheets import safe_cell

PERCENT_FORMAT = "0.0%"
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
_ERROR_CODES = frozenset(ERROR_CODES)


def text(value):
    """A cell value for text: inert (see ``safe_cell``) and never read as an error code."""
    value = safe_cell(value)
    if value.__class__ is str and value in _ERROR_CODES:
        return "'" + value
    return value


def filters_text(filters: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in filters.items()) if filters else "(none: the whole wave)"
