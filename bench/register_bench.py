"""Reading and checking a register of 50,000 firms, in the same run: the code before
issue 20 (openpyxl's streaming reader and the row checks as they were, taken from git at
``BEFORE``), today's code on its openpyxl fallback, and today's code on python-calamine.

Target (issue 20): at least 4x faster than the code before, under 150 MB, the same
preview (every cleaned row, every error with its row number, message and values as
typed) from all three. Memory is each reader's peak resident size in a child process of
its own, above the child's size before reading.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SPEED_UP = 4.0
MEMORY_LIMIT_MB = 150
#: The last commit before issue 20 changed the read path: its importer and row checks
#: are the baseline, whatever today's code does to them.
BEFORE = "2878fbc19ec61da767e28dd0ede0ff09022dd5aa"
#: The modules of the read path at ``BEFORE``, loaded under a name of their own so that
#: the rest of the app keeps today's.
BEFORE_MODULES = ("register_format", "register_limits", "register_rows", "importer")
BEFORE_PACKAGE = "_register_before"
ROOT = Path(__file__).resolve().parent.parent
READERS = ("before", "openpyxl", "calamine")

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


def write_before(folder: Path) -> None:
    """``BEFORE_MODULES`` as they were at ``BEFORE``, as the package ``BEFORE_PACKAGE`` in
    ``folder`` (their imports of one another rewritten to match)."""
    package = folder / BEFORE_PACKAGE
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    for name in BEFORE_MODULES:
        try:
            source = subprocess.run(
                ["git", "show", f"{BEFORE}:survey/registry/{name}.py"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            # No baseline, no figure: a checkout without the history cannot run this bench.
            raise SystemExit(f"the baseline is read from git, commit {BEFORE}: {exc}") from None
        for other in BEFORE_MODULES:
            source = source.replace(f"survey.registry.{other} ", f"{BEFORE_PACKAGE}.{other} ")
        (package / f"{name}.py").write_text(source)


def _importer(reader: str, folder: Path):
    """The importer module ``reader`` reads with."""
    from survey.registry import importer, register_file

    if reader == "before":
        sys.path.insert(0, str(folder))
        return importlib.import_module(f"{BEFORE_PACKAGE}.importer")
    if reader == "openpyxl":
        register_file.fast_rows = lambda source, limits: None
    return importer


def _child(path: str, reader: str, url: str) -> None:
    """Read ``path`` with one reader; print its time, memory and a digest of the preview."""
    import hashlib
    import resource

    from survey import create_app
    from survey.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        importer = _importer(reader, Path(path).parent)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start, cpu = time.perf_counter(), time.process_time()
        preview = importer.read_register(path, db.session)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
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
                    "cpu": cpu,
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


def run(rows: int = 50_000, repeat: int = 3) -> bool:
    from bench.data import prepare_database
    from survey import create_app

    folder = Path(tempfile.mkdtemp(prefix="survey-register-bench-"))
    url = f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        prepare_database(app)
    path = folder / "register.xlsx"
    write_register(path, rows)
    write_before(folder)
    results: dict[str, list[dict]] = {reader: [] for reader in READERS}
    for _ in range(repeat):  # alternated, so all see the same machine load
        for reader in results:
            results[reader].append(_run_child(path, reader, url))
    best = {reader: min(runs, key=lambda r: r["seconds"]) for reader, runs in results.items()}
    growth = {reader: max(r["mb"] for r in runs) for reader, runs in results.items()}
    old, fallback, new = best["before"], best["openpyxl"], best["calamine"]
    speed_up = old["seconds"] / new["seconds"]
    same = len({(r["digest"], r["rows"], r["errors"]) for runs in results.values() for r in runs}) == 1
    memory = growth["calamine"]
    size = path.stat().st_size / 1e6
    fast_enough, small_enough = speed_up >= TARGET_SPEED_UP, memory < MEMORY_LIMIT_MB
    print(f"\n== register read and check ({rows:,} rows, {old['errors']:,} with errors, {size:.1f} MB)")
    lines = (
        (f"before issue 20 ({BEFORE[:7]}, openpyxl streaming)", old, growth["before"], ""),
        (
            "now, openpyxl fallback",
            fallback,
            growth["openpyxl"],
            f" ({old['seconds'] / fallback['seconds']:.2f}x)",
        ),
        ("now, python-calamine", new, memory, f" (peak {new['peak_mb']:.0f} MB)"),
    )
    for label, result, mb, note in lines:
        print(
            f"  {label + ':':46} {result['seconds']:6.2f} s ({result['cpu']:.2f} s CPU), +{mb:.0f} MB{note}"
        )
    # On a shared machine the time on the CPU varies less than the time on the clock.
    cpu_speed_up = min(r["cpu"] for r in results["before"]) / min(r["cpu"] for r in results["calamine"])
    print(f"  speed-up on the CPU {cpu_speed_up:.2f}x (best of each)")
    print(
        f"  speed-up {speed_up:.2f}x (target >= {TARGET_SPEED_UP:.0f}x) {'ok' if fast_enough else 'MISSED'}"
    )
    print(
        f"  memory growth {memory:.0f} MB (target < {MEMORY_LIMIT_MB}) {'ok' if small_enough else 'MISSED'}"
    )
    print(f"  same preview from all three (rows, errors, messages, values): {'yes' if same else 'NO'}")
    return fast_enough and small_enough and same


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
    else:
        import argparse

        parser = argparse.ArgumentParser(prog="python -m bench.register_bench")
        parser.add_argument("--rows", type=int, default=50_000)
        parser.add_argument("--repeat", type=int, default=3)
        args = parser.parse_args()
        sys.exit(0 if run(args.rows, args.repeat) else 1)
