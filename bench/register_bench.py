"""Reading and checking a register of 50,000 firms: openpyxl's streaming reader (the
path before issue 20, still the fallback) against python-calamine, in the same run.

Target (issue 20): at least 4x faster, under 150 MB, the same preview (every cleaned row,
every error with its row number, message and values as typed). Memory is each reader's
peak resident size in a child process of its own, above the child's size before reading.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SPEED_UP = 4.0
MEMORY_LIMIT_MB = 150

UNITS = ("11311", "11602", "Phường Hồng Bàng", "Phường Hồng An", "Nowhere")
SECTORS = "ACFGHIJMZ"
OWNERSHIP = ("private", "state", "foreign", "cooperative", "household", None, "other")


def write_register(path: Path, rows: int) -> None:
    """A register like a city's (the columns of the template, in its order), about one
    row in eight wrong in some way."""
    from openpyxl import Workbook
    from stdnum.vn import mst

    from survey.registry.importer import COLUMNS

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.append(list(COLUMNS))
    for i in range(rows):
        body = f"03{i:07d}"
        code = body + mst.calc_check_digit(body) if i % 53 else body + "x"
        sheet.append(
            [
                code if i % 31 else int(code) if code.isdigit() else code,
                f"Công ty TNHH Thương mại và Dịch vụ Số {i}" if i % 97 else None,
                UNITS[i % len(UNITS)],
                SECTORS[i % len(SECTORS)],
                OWNERSHIP[i % len(OWNERSHIP)],
                i % 300 if i % 89 else "many",
                f"{i % 97},{i % 10}" if i % 2 else (i % 500) / 4,
                i % 40 or None,
                f"Nguyễn Văn {i}",
                f"lienhe{i}@doanhnghiep.example.vn" if i % 41 else "not an address",
                f"0225 {i:07d}",
                f"Số {i} đường Lạch Tray, Hải Phòng",
            ]
        )
    book.save(path)


def _child(path: str, reader: str, url: str) -> None:
    """Read ``path`` with one reader; print its time, memory and a digest of the preview."""
    import hashlib
    import resource

    from survey import create_app
    from survey.extensions import db
    from survey.registry import importer, register_file

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if reader == "openpyxl":
            register_file.fast_rows = lambda source, limits: None
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        preview = importer.read_register(path, db.session)
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        digest = hashlib.sha256()
        for error in preview.errors:
            digest.update(repr((error.row_number, error.tax_code, error.message, error.values)).encode())
        for row in preview.valid:
            digest.update(repr(sorted(row.items(), key=lambda kv: kv[0])).encode())
        print(
            json.dumps(
                {
                    "seconds": elapsed,
                    "mb": (peak - before) / 1024,
                    "peak_mb": peak / 1024,
                    "rows": preview.total_rows,
                    "errors": len(preview.errors),
                    "digest": digest.hexdigest(),
                }
            )
        )


def _run_child(path: Path, reader: str, url: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.register_bench", "--child", str(path), reader, url],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(rows: int = 50_000, repeat: int = 2) -> bool:
    from bench.data import prepare_database
    from survey import create_app

    folder = Path(tempfile.mkdtemp(prefix="survey-register-bench-"))
    url = f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        prepare_database(app)
    path = folder / "register.xlsx"
    write_register(path, rows)
    results: dict[str, list[dict]] = {"openpyxl": [], "calamine": []}
    for _ in range(repeat):  # alternated, so both see the same machine load
        for reader in results:
            results[reader].append(_run_child(path, reader, url))
    old = min(results["openpyxl"], key=lambda r: r["seconds"])
    new = min(results["calamine"], key=lambda r: r["seconds"])
    speed_up = old["seconds"] / new["seconds"]
    same = old["digest"] == new["digest"] and (old["rows"], old["errors"]) == (new["rows"], new["errors"])
    memory = max(r["mb"] for r in results["calamine"])
    size = path.stat().st_size / 1e6
    old_mb = max(r["mb"] for r in results["openpyxl"])
    fast_enough, small_enough = speed_up >= TARGET_SPEED_UP, memory < MEMORY_LIMIT_MB
    print(f"\n== register read and check ({rows:,} rows, {old['errors']:,} with errors, {size:.1f} MB)")
    print(f"  openpyxl streaming (before): {old['seconds']:.2f} s, +{old_mb:.0f} MB")
    peak = new["peak_mb"]
    print(f"  python-calamine (now):       {new['seconds']:.2f} s, +{memory:.0f} MB (peak {peak:.0f} MB)")
    print(
        f"  speed-up {speed_up:.2f}x (target >= {TARGET_SPEED_UP:.0f}x) {'ok' if fast_enough else 'MISSED'}"
    )
    print(
        f"  memory growth {memory:.0f} MB (target < {MEMORY_LIMIT_MB}) {'ok' if small_enough else 'MISSED'}"
    )
    print(f"  same preview (rows, errors, messages, values): {'yes' if same else 'NO'}")
    return fast_enough and small_enough and same


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
    else:
        import argparse

        parser = argparse.ArgumentParser(prog="python -m bench.register_bench")
        parser.add_argument("--rows", type=int, default=50_000)
        parser.add_argument("--repeat", type=int, default=2)
        args = parser.parse_args()
        sys.exit(0 if run(args.rows, args.repeat) else 1)
