"""Packaged instruments as workbooks, and small edits of them, for the instrument tests."""

from __future__ import annotations

from io import BytesIO

import openpyxl

from survey import frameworks, instruments, modules
from survey.instruments import Problem, WorkbookInvalid

#: (code, version) of every packaged framework and module file.
PACKAGED = [(code, version) for code, version, _ in frameworks.files() + modules.files()]


def exported(code: str, version: int) -> bytes:
    return instruments.export_packaged(code, version)


def edited(data: bytes, sheet: str, where: dict, **changes) -> tuple[bytes, int]:
    """``data`` with ``changes`` ({column header: value}) made to the first row of ``sheet``
    whose cells match ``where``; also that row's number, as the report names it."""
    book = openpyxl.load_workbook(BytesIO(data))
    worksheet = book[sheet]
    headers = [cell.value for cell in worksheet[1]]
    for row in worksheet.iter_rows(min_row=2):
        values = dict(zip(headers, (cell.value for cell in row), strict=False))
        if all(values.get(k) == v for k, v in where.items()):
            for column, value in changes.items():
                row[headers.index(column)].value = value
            out = BytesIO()
            book.save(out)
            return out.getvalue(), row[0].row
    raise AssertionError(f"no row {where} on sheet {sheet}")


def problems(data: bytes) -> list[Problem]:
    """What reading ``data`` reports (it must report something)."""
    try:
        instruments.read_workbook(data)
    except WorkbookInvalid as exc:
        return exc.problems
    raise AssertionError("the workbook was read without a problem")
