"""The fast reader (python-calamine) gives the very preview openpyxl's streaming reader
gives, and hands to openpyxl whatever it would read otherwise or could not bound."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from survey.registry import importer, register_file
from survey.registry.importer import LimitExceeded, RegisterLimits, read_register
from tests.registry_import._bombs import SHEET, sheet, text_cell, xlsx_with
from tests.registry_import._support import HEADER, row, workbook


def preview_of(source, db, fast: bool, monkeypatch, limits=None):
    """(preview or the refusal's text, whether calamine read the file)."""
    opened = []
    real = register_file.open_workbook

    def spy(source):
        opened.append(True)
        return real(source)

    with monkeypatch.context() as patch:
        patch.setattr(register_file, "open_workbook", spy)
        if not fast:
            patch.setattr(register_file, "fast_rows", lambda source, limits: None)
        source.seek(0)
        try:
            got = read_register(source, db.session, limits=limits)
        except importer.RegisterFileError as exc:
            got = str(exc)
    return got, bool(opened)


def digest(preview) -> tuple:
    if isinstance(preview, str):
        return (preview,)
    errors = [
        (e.row_number, e.tax_code, e.message, e.values, [type(v) for v in e.values]) for e in preview.errors
    ]
    return (
        preview.valid,
        errors,
        preview.total_rows,
        preview.fields,
        preview.header,
        (preview.to_add, preview.to_update, preview.unchanged),
    )


def typed_workbook() -> BytesIO:
    """Good and bad rows with every kind of cell a city's file holds."""
    book = Workbook()
    sheet = book.active
    sheet.append([*HEADER, "Ghi chú"])
    code = row()[0]
    rows = [
        row(),
        row(tax_code=int(row()[0])),  # a number cell: the leading zero is lost
        row(tax_code=float(row()[0][1:])),
        row(employees=25.0, revenue_bn_vnd=12, capital_bn_vnd=0.1 + 0.2),
        row(employees=dt.datetime(2024, 3, 1), revenue_bn_vnd=dt.date(2024, 3, 1)),
        row(employees=dt.time(13, 30), capital_bn_vnd=dt.timedelta(hours=30)),
        row(employees=True, name="  Công ty có khoảng trắng  "),
        row(employees=-3, revenue_bn_vnd=1e16, capital_bn_vnd=123456789012),
        row(unit=11311, sector="c – Công nghiệp chế biến, chế tạo"),
        row(name="", contact_email="NOT AN ADDRESS"),
        row(tax_code=code),
        row(tax_code=code),  # repeated
        row(tax_code="=SUM(A1)", name="x" * 400, kind="chi nhánh"),
        [*row(), "ghi chú", None, None],
    ]
    for values in rows:
        sheet.append(values)
    for column, value in enumerate(row(unit="99999"), start=2):
        sheet.cell(row=30, column=column, value=value)  # a gap, and column A left empty
    sheet.cell(row=20, column=3, value=dt.datetime(2024, 1, 2)).number_format = "dd/mm/yyyy"
    sheet.cell(row=21, column=8, value=45000.5).number_format = "yyyy-mm-dd hh:mm"
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


CASES = {
    "typed cells": typed_workbook,
    "good rows": lambda: workbook([row() for _ in range(30)]),
    "header only": lambda: workbook([]),
    "empty sheet": lambda: workbook([], header=None),
    "data from column C": lambda: workbook([[None, None, *row()]], header=[None, None, *HEADER]),
    "missing columns": lambda: workbook([row()[:3]], header=HEADER[:3]),
}


@pytest.mark.parametrize("case", CASES)
def test_the_fast_reader_gives_openpyxls_preview(db, monkeypatch, case):
    data = CASES[case]().getvalue()
    slow, slow_calamine = preview_of(BytesIO(data), db, False, monkeypatch)
    fast, fast_calamine = preview_of(BytesIO(data), db, True, monkeypatch)
    assert (slow_calamine, fast_calamine) == (False, True)
    assert digest(fast) == digest(slow)


def test_the_typed_cells_come_out_as_openpyxl_reads_them(db, monkeypatch):
    fast, _ = preview_of(typed_workbook(), db, True, monkeypatch)
    values = {e.row_number: e.values for e in fast.errors}
    assert values[6][HEADER.index("employees")] == dt.datetime(2024, 3, 1)
    assert values[7][HEADER.index("employees")] == dt.time(13, 30)
    assert values[7][HEADER.index("capital_bn_vnd")] == dt.timedelta(hours=30)
    assert fast.errors[0].values[-1] is None  # an empty cell is None, not ''
    assert isinstance(values[9][HEADER.index("capital_bn_vnd")], int)


LIMITED = RegisterLimits(max_rows=3)


def placed(rows: list[str]) -> BytesIO:
    """A sheet whose header cells are all placed (r="A1" first), so that only ``rows``
    can send it to openpyxl."""
    header = "".join(text_cell(f"{get_column_letter(n)}1", name) for n, name in enumerate(HEADER, start=1))
    return xlsx_with({SHEET: sheet([f'<row r="1">{header}</row>', *rows], False)})


def test_a_sheet_of_placed_cells_is_read_fast(db, monkeypatch):
    cells = "".join(text_cell(f"{get_column_letter(n)}2", str(v)) for n, v in enumerate(row(), start=1) if v)
    _preview, calamine = preview_of(placed([f'<row r="2">{cells}</row>']), db, True, monkeypatch)
    assert calamine


FALLBACKS = {
    # calamine reads an error cell as empty, openpyxl as its text.
    "an error cell": lambda: placed(
        ['<row r="2"><c r="A2" t="e"><v>#N/A</v></c><c r="B2" t="e"><v>#REF!</v></c></row>']
    ),
    # calamine decodes _x000D_, openpyxl keeps it as typed.
    "an escape": lambda: workbook([row(name="Công ty_x000D_ Hải Âu")]),
    "a formatted cell beyond the width limit": lambda: placed(
        [f'<row r="2">{text_cell("B2", "x")}<c r="CW2" s="0"/></row>']
    ),
    "a row far down": lambda: placed([f'<row r="900000">{text_cell("B900000", "x")}</row>']),
    "a cell far below its row": lambda: placed([f'<row r="2">{text_cell("B900000", "x")}</row>']),
    "cells without a position": lambda: placed(['<row r="2"><c t="inlineStr"><is><t>x</t></is></c></row>']),
    # XML allows any space between attributes; the scan reads only r="…" right after the tag.
    "a cell placed after a line break": lambda: placed(
        [f'<row r="2">{text_cell("B2", "x")}<c\nr="B900000" t="inlineStr"><is><t>x</t></is></c></row>']
    ),
    "a cell placed after another attribute": lambda: placed(
        [f'<row r="2">{text_cell("B2", "x")}<c t="inlineStr" r="B900000"><is><t>x</t></is></c></row>']
    ),
    "a row placed after another attribute": lambda: placed(
        [f'<row spans="1:2" r="2">{text_cell("B2", "x")}</row>']
    ),
}


@pytest.mark.parametrize("case", FALLBACKS)
def test_what_the_fast_reader_could_read_otherwise_is_left_to_openpyxl(db, monkeypatch, case):
    data = FALLBACKS[case]().getvalue()
    slow, _ = preview_of(BytesIO(data), db, False, monkeypatch)
    fast, calamine = preview_of(BytesIO(data), db, True, monkeypatch)
    assert not calamine
    assert digest(fast) == digest(slow)


def test_an_error_cell_keeps_its_text_in_the_report(db, monkeypatch):
    fast, _ = preview_of(FALLBACKS["an error cell"](), db, True, monkeypatch)
    assert fast.errors[0].values[:2] == ("#N/A", "#REF!")


def test_the_fast_reader_holds_texts_and_rows_to_the_limits(db, monkeypatch):
    # openpyxl cuts what it writes at 32,767 characters: the sheet is written by hand.
    header = "".join(text_cell(f"{get_column_letter(n)}1", name) for n, name in enumerate(HEADER, start=1))
    long_text = xlsx_with(
        {SHEET: sheet([f'<row r="1">{header}</row><row r="2">{text_cell("L2", "x" * 32_768)}</row>'], False)}
    ).getvalue()
    refused, calamine = preview_of(BytesIO(long_text), db, True, monkeypatch)
    column = 12
    assert calamine and refused == (
        f"Row 2, column {column} of the first sheet holds 32,768 characters; a cell may hold at most 32,767."
    )
    assert preview_of(BytesIO(long_text), db, False, monkeypatch) == (refused, False)
    many = workbook([row() for _ in range(4)])
    refused, calamine = preview_of(many, db, True, monkeypatch, LIMITED)
    assert calamine and refused == (
        "The first sheet has more than 3 rows of data. Split the register into files of at most 3 rows each."
    )
    with pytest.raises(LimitExceeded):
        read_register(workbook([row() for _ in range(4)]), db.session, limits=LIMITED)
