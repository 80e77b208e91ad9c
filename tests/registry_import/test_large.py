"""A register of 50,000 firms is streamed, not loaded whole, and applied in batches."""

from __future__ import annotations

import time
import tracemalloc

from openpyxl import Workbook
from sqlalchemy import func, select

from survey.models import Enterprise
from survey.registry.importer import COLUMNS, ImportResult, apply_register, read_register
from tests import factories

ROWS = 50_000
#: Growth allowed while reading (the kept rows included); the file itself is ~3 MB zipped.
MEMORY_LIMIT = 150 * 1024 * 1024

UNITS = ("11311", "11602", "Phường Hồng Bàng", "Phường Hồng An")
SECTORS = "ACFGHIJM"
OWNERSHIP = ("private", "state", "foreign", "cooperative", "household", None)


def write_register(path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.append(list(COLUMNS))
    for i in range(ROWS):
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


def test_fifty_thousand_rows_stream_and_apply(db, tmp_path):
    path = tmp_path / "register-50k.xlsx"
    started = time.perf_counter()
    write_register(path)
    written = time.perf_counter()

    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        preview = read_register(path, db.session)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    read = time.perf_counter()

    assert preview.errors == []
    assert (preview.total_rows, len(preview.valid), preview.to_add) == (ROWS, ROWS, ROWS)
    growth = peak - baseline
    assert growth < MEMORY_LIMIT

    before = db.session.scalar(select(func.count()).select_from(Enterprise))
    result = apply_register(db.session, preview)
    applied = time.perf_counter()

    assert result == ImportResult(added=ROWS)
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == before + ROWS
    assert db.session.scalar(select(func.count()).where(Enterprise.size_class.is_(None))) == 0
    print(
        f"\n50k register: file {path.stat().st_size / 1e6:.1f} MB written in {written - started:.1f} s; "
        f"read (under tracemalloc) in {read - written:.1f} s, peak growth {growth / 2**20:.1f} MiB, "
        f"kept {(current - baseline) / 2**20:.1f} MiB; applied in {applied - read:.1f} s"
    )
