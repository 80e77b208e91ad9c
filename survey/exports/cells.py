"""Cell values shared by the export workbooks (styles and safe text: survey.spreadsheets)."""

from __future__ import annotations

from survey.spreadsheets import safe_cell

PERCENT_FORMAT = "0.0%"

#: A cell value for text: inert and never read as an error code (see ``safe_cell``).
text = safe_cell


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
