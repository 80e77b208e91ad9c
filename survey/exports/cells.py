"""Cell values shared by the export workbooks (styles and safe text: survey.spreadsheets).

``text`` is ``survey.spreadsheets.safe_cell`` without importing openpyxl (which brings
numpy, Pillow and lxml: some 30 MB before the first row): the responses workbook is
written with XlsxWriter, and its process need not load another writer to make its text
safe. The two rules are the same, to the character (tests/exports/test_responses_cells.py
checks them against each other and against openpyxl's own tables).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

PERCENT_FORMAT = "0.0%"

#: As survey.spreadsheets.FORMULA_TRIGGERS: leading characters read as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: As openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE: control characters a workbook cannot hold.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
#: As openpyxl.cell.cell.ERROR_CODES: text a spreadsheet would take for an error value.
ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
_PASS_THROUGH = (bool, int, float, Decimal, date, datetime, time, timedelta)


def text(value):
    """A cell value for text: inert and never read as an error code (``safe_cell``'s rule).

    Numbers, booleans, dates and None pass through unchanged; text (or anything else,
    as its text) that would be read as a formula, or as an error value (``#N/A``), is
    prefixed with a single quote; control characters a workbook cannot hold are dropped.
    """
    if value is None or isinstance(value, _PASS_THROUGH):
        return value
    shown = value if isinstance(value, str) else str(value)
    shown = ILLEGAL_CHARACTERS_RE.sub("", shown)
    if shown.startswith(FORMULA_TRIGGERS) or shown in ERROR_CODES:
        return "'" + shown
    return shown


def filters_text(filters: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in filters.items()) if filters else "(none: the whole wave)"


#: What an erased personal ID reads as in a workbook, in the workbook's language.
ERASED_ID = {"vi": "(đã xoá)", "en": "(erased)"}


def identifier(id_type, value: str | None, erased_at=None, *, full: bool, erased: str = "(erased)") -> str:
    """A business's identifier as one who may (``full``) or may not see personal IDs sees it.

    A tax code is public and shown whole; a personal ID whole only with ``full``, else
    masked (survey.registry.identifiers.mask); an erased one as ``erased``.
    """
    from survey.registry.identifiers import mask

    if value is None:
        return erased if erased_at is not None else ""
    return value if full else mask(id_type, value)
