"""What can go wrong with an instrument workbook, said so that a staff member can fix it.

Every problem found in a workbook is a ``Problem``: the sheet, the row (Excel's number,
the header is row 1), the column (its header, as the staff member sees it) and what is
wrong, already in the staff member's language. Reading collects all of them before it
gives up (``WorkbookInvalid``), so one upload shows every mistake, not the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context
from flask_babel import gettext


def _(text: str, **values) -> str:
    """``text`` in the staff member's language during a request, else English.

    The command line has no request and speaks English (as the other commands do); the
    name ``_`` lets message extraction find every message. The same rule as the register
    import's (survey.registry.importer).
    """
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a workbook; ``row`` and ``column`` are None when it is the whole
    sheet (a sheet missing) or the whole definition (a rule of the definition's own)."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("sheet %(sheet)s", sheet=self.sheet))
        if self.row:
            where.append(_("row %(row)s", row=self.row))
        if self.column:
            where.append(_("column %(column)s", column=self.column))
        return f"{', '.join(where)}: {self.message}" if where else self.message


class WorkbookInvalid(ValueError):
    """A workbook that does not give a valid definition; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ExportError(ValueError):
    """A definition that a workbook cannot carry exactly (so export refuses it)."""
