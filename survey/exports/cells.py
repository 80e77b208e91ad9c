"""Cell values shared by the export workbooks (styles and safe text: survey.spreadsheets)."""

from __future__ import annotations

from survey.spreadsheets import safe_cell

PERCENT_FORMAT = "0.0%"

#: A cell value for text: inert and never read as an error code (see ``safe_cell``).
text = safe_cell


def filters_text(filters: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in filters.items()) if filters else "(none: the whole wave)"
