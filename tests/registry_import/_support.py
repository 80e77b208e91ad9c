"""Building register workbooks in memory for the import tests."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook, load_workbook

from survey.registry.importer import COLUMNS
from tests import factories

HEADER = list(COLUMNS)


def row(**values) -> list:
    """A good register row (a fresh tax code each time), in template column order."""
    defaults = {
        "tax_code": factories.tax_code(),
        "kind": None,
        "name": "Công ty TNHH Hải Âu",
        "unit": "11311",
        "sector": "C",
        "ownership": "private",
        "employees": 25,
        "revenue_bn_vnd": 12.5,
        "capital_bn_vnd": 3,
        "contact_name": "Trần Thị Bình",
        "contact_email": "binh@haiau.example.vn",
        "contact_phone": "0225 3842 123",
        "address": "Số 2 Hoàng Văn Thụ, Phường Hồng Bàng",
    }
    unknown = set(values) - set(defaults)
    assert not unknown, unknown
    merged = {**defaults, **values}
    return [merged[column] for column in COLUMNS]


def workbook(rows: list[list], header: list | None = HEADER, title: str = "Register") -> BytesIO:
    """An .xlsx file in memory; text cells stay text even when they look like formulas."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    if header is not None:
        sheet.append(header)
    for values in rows:
        sheet.append(values)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def read_back(data: bytes, sheet: str | None = None) -> list[tuple]:
    book = load_workbook(BytesIO(data))
    rows = list((book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True))
    book.close()
    return rows
