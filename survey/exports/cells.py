"""Cell values and styles shared by the export workbooks."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font

from survey.spreadsheets import safe_cell

PERCENT_FORMAT = "0.0%"
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def text(value):
    """A cell value for text: inert and never read as an error code (see ``safe_cell``)."""
    return safe_cell(value)


def filters_text(filters: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in filters.items()) if filters else "(none: the whole wave)"
