"""The files the importer writes: the template and the error report; and safe_cell."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from survey.registry.importer import COLUMNS, RowError, error_report, read_register, template_workbook
from survey.spreadsheets import safe_cell
from tests.registry_import._support import read_back, row, workbook


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


def test_the_error_report_round_trips_and_is_inert(db):
    rows = [
        row(),
        row(tax_code='=HYPERLINK("http://evil.example","click")'),
        row(tax_code="@SUM(1)", unit="99999"),
        row(name=""),
    ]
    preview = read_register(workbook(rows), db.session)
    assert [e.row_number for e in preview.errors] == [3, 4, 5]

    data = error_report(preview.errors)

    assert read_back(data) == [
        ("row", "tax_code", "error"),
        (3, '\'=HYPERLINK("http://evil.example","click")', preview.errors[0].message),
        (4, "'@SUM(1)", preview.errors[1].message),
        (5, rows[3][0], "name is empty"),
    ]
    assert preview.errors[1].message.startswith("tax code '@SUM(1)': ")
    assert "unit '99999' is not a commune-level unit of the city" in preview.errors[1].message
    assert "<f>" not in _sheet_xml(data)  # no formula anywhere

    book = load_workbook(BytesIO(data))
    sheet = book["Errors"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C4"
    assert all(cell.font.b for cell in sheet[1])
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
    book.close()


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
    assert read_back(error_report([])) == [("row", "tax_code", "error")]


def test_the_template_has_the_documented_columns_and_help():
    book = load_workbook(BytesIO(template_workbook()))
    assert book.sheetnames == ["Register", "Help"]
    sheet = book["Register"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "tax_code",
        "name",
        "unit",
        "sector",
        "ownership",
        "employees",
        "revenue_bn_vnd",
        "capital_bn_vnd",
        "contact_name",
        "contact_email",
        "contact_phone",
        "address",
        "kind",
    )
    assert rows[0] == COLUMNS
    assert len(rows) == 2  # one example row
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["B"].width >= 30
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("0")

    help_rows = list(book["Help"].iter_rows(values_only=True))
    documented = {line[0]: line for line in help_rows[1:] if line[0]}
    assert list(documented) == list(COLUMNS)
    for column in COLUMNS:
        _, required, vietnamese, english = documented[column]
        assert vietnamese and english
        assert required.startswith("có") == (column in ("tax_code", "name", "unit", "sector"))
    assert "Phường Hồng Bàng" in documented["unit"][2] and "exact Vietnamese name" in documented["unit"][3]
    assert "VSIC" in documented["sector"][3]
    assert "state, private, foreign, cooperative, household" in documented["ownership"][3]
    assert "tỷ đồng" in documented["revenue_bn_vnd"][2] and "billion VND" in documented["capital_bn_vnd"][3]
    book.close()


def test_the_template_lists_units_and_sectors_when_given_the_database(db):
    book = load_workbook(BytesIO(template_workbook(db.session)))
    assert book.sheetnames == ["Register", "Help", "Units", "Sectors"]
    units = list(book["Units"].iter_rows(values_only=True))
    assert ("11311", "Phường Hồng Bàng") in units and ("11602", "Phường Hồng An") in units
    sectors = [line[0] for line in book["Sectors"].iter_rows(min_row=2, values_only=True)]
    assert sectors == [chr(c) for c in range(ord("A"), ord("U") + 1)]
    book.close()
