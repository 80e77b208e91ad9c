"""A register of 50,000 firms is read in bounded memory and applied in batches."""

from __future__ import annotations

import time
import tracemalloc
from collections import Counter

from openpyxl import Workbook
from sqlalchemy import func, select

from survey.models import Enterprise
from survey.models.size_class import SizeGroup, classify
from survey.registry import importer
from survey.registry.importer import COLUMNS, ImportResult, apply_register, read_register
from tests import factories

ROWS = 50_000
#: Growth allowed while reading (the kept rows included); the file itself is ~3 MB zipped.
MEMORY_LIMIT = 150 * 1024 * 1024

UNITS = ("11311", "11602", "Phường Hồng Bàng", "Phường Hồng An")
SECTORS = "ACFGHIJM"
OWNERSHIP = ("private", "state", "foreign", "cooperative", "household", None)
GROUPS = {letter: SizeGroup.INDUSTRY if letter in "ACF" else SizeGroup.TRADE_SERVICES for letter in SECTORS}


def write_register(path, rows: int = ROWS) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.append(list(COLUMNS))
    for i in range(rows):
        sheet.append(
            [
                factories.tax_code(),
                f"Công ty TNHH Thương mại và Dịch vụ Số {i}",
                UNITS[i % len(UNITS)],
                SECTORS[i % len(SECTORS)],
                OWNERSHIP[i % len(OWNERSHIP)],
                i % 300,
                f"{i % 97},{i % 10}" if i % 2 else (i % 500) / 4,
                i % 40 or None,
                f"Nguyễn Văn {i}",
                f"lienhe{i}@doanhnghiep.example.vn",
                f"0225 {i:07d}",
                f"Số {i} đường Lạch Tray, Hải Phòng",
            ]
        )
    book.save(path)


def test_fifty_thousand_rows_stream_and_apply(db, tmp_path, monkeypatch):
    path = tmp_path / "register-50k.xlsx"
    started = time.perf_counter()
    write_register(path)
    written = time.perf_counter()

    # The file is read by python-calamine after the scan of its XML (register_file);
    # openpyxl's streaming reader is not needed for it.
    opened = []
    real_load, real_fast = importer.openpyxl.load_workbook, importer.register_file.open_workbook

    def spy(*args, **kwargs):
        opened.append(("openpyxl", kwargs.get("read_only")))
        return real_load(*args, **kwargs)

    def fast_spy(source):
        opened.append(("calamine", None))
        return real_fast(source)

    monkeypatch.setattr(importer.openpyxl, "load_workbook", spy)
    monkeypatch.setattr(importer.register_file, "open_workbook", fast_spy)
    preview = read_register(path, db.session)
    read = time.perf_counter()
    assert opened == [("calamine", None)]

    assert preview.errors == []
    assert (preview.total_rows, len(preview.valid), preview.to_add) == (ROWS, ROWS, ROWS)

    before = db.session.scalar(select(func.count()).select_from(Enterprise))
    result = apply_register(db.session, preview)
    applied = time.perf_counter()

    assert result == ImportResult(added=ROWS)
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == before + ROWS
    # Bulk-inserted rows get the size class the flush hook would give them.
    expected = Counter(
        classify(GROUPS[r["sector_code"]], r["employees"], r["revenue_vnd"], r["capital_vnd"])
        for r in preview.valid
    )
    stored = db.session.execute(
        select(Enterprise.size_class, func.count())
        .where(Enterprise.tax_code.like("03%"))
        .group_by(Enterprise.size_class)
    )
    assert dict(stored.all()) == dict(expected)
    assert None not in expected and len(expected) == 4
    print(
        f"\n50k register: file {path.stat().st_size / 1e6:.1f} MB written in {written - started:.1f} s; "
        f"read in {read - written:.1f} s; applied in {applied - read:.1f} s"
    )


def test_reading_memory_is_bounded(db, tmp_path):
    """Memory while reading 10,000 rows, traced (tracing slows parsing ~4x, hence not 50,000).

    What stays is the cleaned rows (about 1.2 KB each); the file's XML is never held whole.
    """
    rows = 10_000
    path = tmp_path / "register-10k.xlsx"
    write_register(path, rows)
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        preview = read_register(path, db.session)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(preview.valid) == rows
    growth = peak - baseline
    # Scaled to 50,000 rows this stays under the 150 MB budget.
    assert growth * (ROWS / rows) < MEMORY_LIMIT, f"reading grew memory by {growth / 2**20:.1f} MiB"
    print(
        f"\n10k register: peak growth {growth / 2**20:.1f} MiB, kept {(current - baseline) / 2**20:.1f} MiB"
    )
