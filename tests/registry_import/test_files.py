"""The files the importer writes: the template and the error report; and safe_cell."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from survey.registry.importer import RowError, error_report, read_register
from survey.spreadsheets import safe_cell
from tests.registry_import._support import HEADER, read_back, row, workbook


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("@SUM(1)", "'@SUM(1)"),
        ("+84 225 3842 123", "'+84 225 3842 123"),
        ("-1+2", "'-1+2"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Công ty A", "Công ty A"),
        ("a=b", "a=b"),
        # Text that would be written as an error value (typed "e") rather than as text.
        ("#N/A", "'#N/A"),
        ("#DIV/0!", "'#DIV/0!"),
        ("#N/A là tên", "#N/A là tên"),
        ("", ""),
        ("bad\x00\x07char", "badchar"),
        (None, None),
        (12, 12),
        (-3.5, -3.5),
        (Decimal("-1"), Decimal("-1")),
        (True, True),
        (date(2025, 7, 1), date(2025, 7, 1)),
        (datetime(2025, 7, 1, 8, 30), datetime(2025, 7, 1, 8, 30)),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_safe_cell_writes_other_objects_as_inert_text():
    class Odd:
        def __str__(self):
            return "=1+1"

    assert safe_cell(Odd()) == "'=1+1"


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return "".join(
            archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")
        )


def test_the_error_report_carries_each_bad_row_beside_its_reason_and_is_inert(db):
    rows = [
        row(),
        row(tax_code='=HYPERLINK("http://evil.example","click")'),
        row(tax_code="@SUM(1)", unit="99999"),
        row(name=""),
    ]
    preview = read_register(
        workbook([*rows, [*row(), "ghi chú của tôi"]], header=[*HEADER, "Ghi chú"]), db.session
    )
    assert [e.row_number for e in preview.errors] == [3, 4, 5]
    assert preview.header == (*HEADER, "Ghi chú")

    data = error_report(preview.errors, preview.header)

    lines = read_back(data)
    # The file's own columns under its own headers, then the row number and the reason.
    assert lines[0] == (*HEADER, "Ghi chú", "Row in the file", "Problems")
    assert len(lines) == 4
    first, second, third = lines[1:]
    assert first[0] == '\'=HYPERLINK("http://evil.example","click")'
    assert first[1:13] == tuple(rows[1][1:]) and first[13:] == (None, 3, preview.errors[0].message)
    assert second[0] == "'@SUM(1)" and second[2] == "99999" and second[-2] == 4
    assert "unit '99999' is not a commune-level unit of the city" in second[-1]
    assert third[0] == rows[3][0] and third[1] is None and third[-2:] == (5, "name is empty")
    assert "<f>" not in _sheet_xml(data)  # no formula anywhere

    book = load_workbook(BytesIO(data))
    sheet = book["Errors"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P4"
    assert all(cell.font.b for cell in sheet[1])
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
    book.close()


def test_the_error_report_corrected_imports_again(db):
    """Correct the rows in the report itself and import it: its extra columns are ignored."""
    bad = [row(unit="99999"), row(sector="Z", revenue_bn_vnd="1.500")]
    preview = read_register(workbook([row(), *bad]), db.session)
    report = load_workbook(BytesIO(error_report(preview.errors, preview.header)))
    sheet = report.active
    unit, sector, revenue = (HEADER.index(c) + 1 for c in ("unit", "sector", "revenue_bn_vnd"))
    sheet.cell(row=2, column=unit, value="Phường Hồng Bàng")
    sheet.cell(row=3, column=sector, value="C")
    sheet.cell(row=3, column=revenue, value="1,5")
    buffer = BytesIO()
    report.save(buffer)
    buffer.seek(0)

    again = read_register(buffer, db.session)

    assert again.errors == [] and again.to_add == 2
    assert again.valid[1]["revenue_vnd"] == 1_500_000_000


def test_the_error_report_neutralises_formula_looking_messages():
    errors = [
        RowError(2, '=HYPERLINK("http://evil.example","x")', '=HYPERLINK("http://evil.example","x")'),
        RowError(3, "@SUM(1)", "+cmd|' /C calc'!A0"),
        RowError(4, "-2+3", "\t=1"),
    ]
    data = error_report(errors)
    assert read_back(data)[1:] == [
        (2, '\'=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        (3, "'@SUM(1)", "'+cmd|' /C calc'!A0"),
        (4, "'-2+3", "'\t=1"),
    ]
    assert "<f>" not in _sheet_xml(data)


def test_an_empty_error_report_has_its_header():
    assert read_back(error_report([])) == [("Row in the file", "Tax code", "Problems")]
    assert read_back(error_report([], ("tax_code", "name"))) == [
        ("tax_code", "name", "Row in the file", "Problems")
    ]
