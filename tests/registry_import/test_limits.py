"""Decompression bombs and oversized sheets are refused before they cost memory or time.

Each bomb is built small (deflate packs it to kilobytes) and must be refused with a
message that names the problem, while the traced memory of the check stays small.
"""

from __future__ import annotations

import tracemalloc
import zipfile
from io import BytesIO

import pytest

from survey import config
from survey.registry import importer
from survey.registry.importer import LimitExceeded, RegisterFileError, RegisterLimits, read_register
from survey.registry.register_limits import MB, N_
from tests.registry_import._bombs import (
    SHARED_STRINGS,
    SHEET,
    declare,
    sheet,
    text_cell,
    with_shared_strings,
    xlsx_with,
)
from tests.registry_import._support import row, workbook

#: Traced memory a refused bomb may cost (the bombs unpack to 60 MB and more).
SMALL = 8 * MB


def refused(source, db, limits: RegisterLimits | None = None) -> tuple[LimitExceeded, int]:
    """The refusal of ``source`` and the peak traced memory it cost."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        with pytest.raises(LimitExceeded) as caught:
            read_register(source, db.session, limits=limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return caught.value, peak


@pytest.fixture
def never_parsed(monkeypatch):
    """Fails the test if openpyxl or python-calamine is asked to open the file at all."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(importer.openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(importer.register_file, "open_workbook", refuse)


def test_the_default_limits_are_the_settings():
    assert RegisterLimits.from_config(config.DEFAULTS) == RegisterLimits()
    assert RegisterLimits.from_config({"REGISTER_MAX_ROWS": "5"}) == RegisterLimits(max_rows=5)


def test_the_message_is_translated_with_local_numbers(app):
    error = LimitExceeded(N_("The first sheet has more than %(limit)s rows of data."), limit=100_000)
    assert str(error) == "The first sheet has more than 100,000 rows of data."
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        assert "100.000" in error.translated()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert error.translated() == str(error)


def test_a_shared_strings_bomb_is_refused_before_it_is_parsed(db, never_parsed):
    # 3 million short strings, 69 MB unpacked (openpyxl would load every one), ~200 KB packed.
    bomb = with_shared_strings(f"<si><t>s{i % 1000:07d}</t></si>".encode() * 1000 for i in range(3000))
    assert len(bomb.getvalue()) < 1 * MB
    error, peak = refused(bomb, db)
    assert isinstance(error, RegisterFileError)
    assert str(error) == (
        f"The file unpacks to too much data: its part {SHARED_STRINGS} would be 69 MB (at most 50 MB). "
        "Split the register into smaller files."
    )
    assert peak < SMALL, peak


def test_a_huge_declared_size_is_refused_without_inflating_anything(db, never_parsed):
    bomb = declare(workbook([row()]), SHEET, 3_900_000_000)
    error, peak = refused(bomb, db)
    assert f"its part {SHEET} would be 3,720 MB (at most 100 MB)" in str(error)
    assert peak < SMALL, peak


def test_a_part_that_inflates_beyond_its_declared_size_is_only_read_that_far(db):
    """Why the declared sizes bound the work: zipfile stops at them and calls the file damaged."""
    rows = (f'<row r="{n}">{text_cell(f"A{n}", "x" * 200)}</row>' for n in range(2, 400_000))
    bomb = declare(xlsx_with({SHEET: sheet(rows)}), SHEET, 5000)  # ~100 MB in truth
    tracemalloc.start()
    try:
        with pytest.raises(RegisterFileError, match=r"not an Excel \.xlsx file, or it is damaged"):
            read_register(bomb, db.session)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < SMALL, peak


def test_the_unpacked_total_is_limited(db, never_parsed):
    two = xlsx_with({"xl/worksheets/sheet2.xml": b"<worksheet/>"})
    bomb = declare(declare(two, SHEET, 90 * MB), "xl/worksheets/sheet2.xml", 90 * MB)
    error, _ = refused(bomb, db, RegisterLimits(max_ratio=10**9))
    assert "unpacks to too much data: 181 MB in all (at most 150 MB)" in str(error)


def test_a_part_packed_suspiciously_tightly_is_refused(db, never_parsed):
    # 6 MB of one row repeated: under every size limit, but packed ~400 times.
    same = f"<row>{text_cell('B2', 'Công ty TNHH Hải Âu')}</row>"
    error, _ = refused(xlsx_with({SHEET: sheet([same] * 60_000)}), db)
    assert str(error).startswith(f"The file is packed suspiciously tightly: its part {SHEET} unpacks to ")
    assert "times its packed size (at most 100)" in str(error)


def test_other_parts_are_held_to_a_small_limit(db, never_parsed):
    # openpyxl loads the styles whole even in streaming mode.
    bomb = declare(workbook([row()]), "xl/styles.xml", 11 * MB)
    error, _ = refused(bomb, db)
    assert "its part xl/styles.xml would be 11 MB (at most 10 MB)" in str(error)


def test_an_archive_of_too_many_parts_is_refused(db, never_parsed):
    bomb = xlsx_with({f"xl/media/pad{i}.bin": b"" for i in range(1000)})
    error, _ = refused(bomb, db)
    assert "holds 1,009 parts, more than an Excel workbook has (at most 1,000)" in str(error)


def numbered_rows(first: int, last: int, cells=lambda n: f'<c r="B{n}"><v>{n}</v></c>'):
    return (f'<row r="{n}">{cells(n)}</row>' for n in range(first, last + 1))


def test_a_million_rows_are_refused_at_the_row_limit(db):
    # A million filled rows (40 MB unpacked); reading stops at the limit.
    bomb = xlsx_with({SHEET: sheet(numbered_rows(2, 1_000_001))})
    error, peak = refused(bomb, db, RegisterLimits(max_rows=1000, max_ratio=1000))
    assert str(error) == (
        "The first sheet has more than 1,000 rows of data. Split the register into files of at most "
        "1,000 rows each."
    )
    assert peak < SMALL, peak


def test_the_row_limit_counts_filled_rows_only(db):
    limits = RegisterLimits(max_rows=3)
    # Three rows with a gap and empty rows between them are within the limit ...
    rows = [f'<row r="{n}">{text_cell(f"B{n}", "x")}</row>' for n in (2, 40, 41)]
    preview = read_register(xlsx_with({SHEET: sheet([*rows, '<row r="90"/>'])}), db.session, limits=limits)
    assert preview.total_rows == 3
    # ... a fourth is not, wherever it is.
    with pytest.raises(LimitExceeded, match="more than 3 rows of data"):
        read_register(
            xlsx_with({SHEET: sheet([*rows, f'<row r="5000">{text_cell("Z5000", "x")}</row>'])}),
            db.session,
            limits=limits,
        )


def test_a_row_beyond_excels_last_row_is_refused(db):
    bomb = xlsx_with({SHEET: sheet([f'<row r="1048577">{text_cell("A1048577", "x")}</row>'])})
    error, peak = refused(bomb, db)
    assert str(error) == (
        "The first sheet has a row numbered 1,048,577, beyond Excel's last row: the file is damaged."
    )
    assert peak < SMALL, peak


def test_sixteen_thousand_columns_are_refused_on_the_first_wide_row(db):
    # A cell in Excel's last column (XFD) on each of a million rows.
    bomb = xlsx_with({SHEET: sheet(numbered_rows(2, 1_000_001, lambda n: f'<c r="XFD{n}"><v>1</v></c>'))})
    error, peak = refused(bomb, db, RegisterLimits(max_ratio=1000))
    assert str(error) == (
        "Row 2 of the first sheet has a cell in column 16,384, perhaps empty but formatted; a register "
        "sheet may use at most 100 columns. Delete the columns after the last one you use."
    )
    assert peak < SMALL, peak


def test_a_row_at_the_column_limit_is_read(db):
    wide = workbook([[*row(), *[None] * (99 - len(row())), "the 100th column"]])
    assert read_register(wide, db.session).total_rows == 1
    with pytest.raises(LimitExceeded, match="cell in column 101"):
        read_register(workbook([[*row(), *[None] * (100 - len(row())), "the 101st column"]]), db.session)


def test_a_cell_with_too_much_text_is_refused_not_cut(db):
    def with_text(reference: str, length: int):
        return xlsx_with({SHEET: sheet([f'<row r="2">{text_cell(reference, "x" * length)}</row>'])})

    # Excel's longest text is read (and reported as too long for the column it is in) ...
    assert read_register(with_text("L2", 32_767), db.session).errors
    # ... a longer one is refused, whichever column it is in.
    with pytest.raises(LimitExceeded) as caught:
        read_register(with_text("L2", 32_768), db.session)
    assert str(caught.value) == (
        "Row 2, column 12 of the first sheet holds 32,768 characters; a cell may hold at most 32,767."
    )
    with pytest.raises(LimitExceeded, match="Row 2, column 50 "):
        read_register(with_text("AX2", 10**6), db.session)


def test_a_good_register_passes_every_check(db):
    source = workbook([row() for _ in range(20)])
    with zipfile.ZipFile(BytesIO(source.getvalue())) as archive:
        assert all(part.file_size < MB for part in archive.infolist())
    preview = read_register(source, db.session)
    assert (preview.total_rows, len(preview.valid)) == (20, 20)
