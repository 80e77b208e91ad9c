"""The responses workbook's safe text (survey.exports.cells.text) is ``safe_cell``'s rule, to the
character, without openpyxl; and its XlsxWriter sheets keep it as openpyxl reads it back."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.cell import cell as openpyxl_cell

from survey.exports import cells
from survey.exports.xlsx_stream import Col, Percent, StreamBook
from survey.spreadsheets import FORMULA_TRIGGERS, safe_cell
from tests.exports.conftest import PAYLOADS

SAMPLES = [
    *PAYLOADS,
    *(chr(c) + "x" for c in range(32)),
    *("a" + chr(c) + "b" for c in range(32)),
    *openpyxl_cell.ERROR_CODES,
    "#N/A ",
    "plain",
    "Nguyễn Thị Hằng",
    "",
    None,
    0,
    1.5,
    True,
    Decimal("2.50"),
    datetime(2025, 1, 2, 3, 4, 5),
    ["a"],
]


def test_the_rule_is_safe_cells_and_its_tables_are_openpyxls():
    assert cells.FORMULA_TRIGGERS == FORMULA_TRIGGERS
    assert cells.ILLEGAL_CHARACTERS_RE.pattern == openpyxl_cell.ILLEGAL_CHARACTERS_RE.pattern
    assert frozenset(openpyxl_cell.ERROR_CODES) == cells.ERROR_CODES
    for value in SAMPLES:
        assert cells.text(value) == safe_cell(value), value
        assert type(cells.text(value)) is type(safe_cell(value)), value


def test_writing_the_responses_workbook_needs_no_openpyxl():
    code = (
        "import sys; import survey.exports.workbooks, survey.exports.rows; "
        "print(sorted(m for m in ('openpyxl', 'numpy', 'PIL', 'lxml') if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_streamed_cells_read_back_as_written():
    buffer = BytesIO()
    texts = [cells.text(p) for p in PAYLOADS] + ["a\r\nb\tc", "Phường Hồng Bàng", " spaced "]
    with StreamBook(buffer) as book:
        table = book.table("S", [Col("text", 20), Col("number"), Col("when"), Col("share"), Col("flag")])
        for text in texts:
            table.append([text, 12345678901234, datetime(2025, 10, 1, 9, 30), Percent(0.25), False])
        table.close()
    sheet = load_workbook(BytesIO(buffer.getvalue()))["S"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:E{len(texts) + 1}"
    assert all(cell.font.bold for cell in sheet[1]) and sheet.column_dimensions["A"].width > 0
    for text, row in zip(texts, sheet.iter_rows(min_row=2), strict=True):
        value, number, when, share, flag = row
        assert (value.value, value.data_type) == (text, "s")
        assert number.value == 12345678901234 and number.data_type == "n"
        assert when.is_date and when.value == datetime(2025, 10, 1, 9, 30)
        assert when.number_format == "yyyy-mm-dd hh:mm:ss"
        assert share.value == 0.25 and share.number_format == "0.0%"
        assert flag.value is False and flag.data_type == "b"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_a_failed_export_leaves_no_file_and_no_temporary_rows(tmp_path):
    target = tmp_path / "out.xlsx"
    try:
        with StreamBook(target) as book:
            table = book.table("S", [Col("a")])
            table.append(["x"])
            folder = book._tmp
            raise RuntimeError("the database went away")
    except RuntimeError:
        pass
    assert not target.exists()
    assert not os.path.exists(folder)
