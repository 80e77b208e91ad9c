"""A process that only exports the responses workbook, importing only what that needs.

``python -m bench.export_child URL WAVE_ID PATH [--app]`` exports one wave as
``flask export responses`` would (codes, Vietnamese, with contacts) and prints one JSON
line: the rows, the resident set size before the export (interpreter, app, imports),
the peak (VmHWM), the seconds spent starting (imports and app) and exporting.

By default the app is a lean one: Flask, the configuration, the database engine's
events, Flask-SQLAlchemy and Babel, with no blueprint, no dashboard, no statistics and
no other workbook writer: what an export worker needs. With ``--app`` it is the whole
application (``survey.create_app``), as ``flask worker`` builds it today.

Kept apart from bench.export_bench, which imports openpyxl and the bench's data loader
at its top: a child started as ``-m bench.export_bench`` would carry them too.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402


def _status_mib(field: str) -> float | None:
    """``VmHWM`` (peak) or ``VmRSS`` (now) of this process from /proc (a child inherits
    its parent's ``ru_maxrss`` across fork and exec, so only /proc tells its own peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def lean_app(url: str):
    from flask import Flask

    from survey import config, database  # noqa: F401  (database registers engine events)
    from survey.extensions import babel, db

    app = Flask("survey", instance_path=config.instance_path_from_env(), instance_relative_config=True)
    config.load(app, {"DATABASE_URL": url, "SECRET_KEY": "bench"})
    db.init_app(app)
    babel.init_app(app)
    return app


def main() -> None:
    url, wave_id, path = sys.argv[1:4]
    whole = "--app" in sys.argv[4:]
    if whole:
        from survey import create_app

        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    else:
        app = lean_app(url)
    from survey.exports import rows as export_rows
    from survey.exports import workbooks
    from survey.extensions import db
    from survey.models import Wave
    from survey.responses.scoring import framework_of

    with app.app_context():
        wave = db.session.get(Wave, int(wave_id))
        framework = framework_of(wave.framework_version)
        started = time.perf_counter() - STARTED
        before = _status_mib("VmRSS")
        start = time.perf_counter()
        rows = workbooks.write_responses_workbook(
            Path(path),
            framework,
            export_rows.response_rows(db.session, wave, {}),
            wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
            filters={},
            exported_by="bench",
            exported_at=datetime.now(UTC),
        )
        exported = time.perf_counter() - start
    loaded = sorted(
        m for m in ("openpyxl", "numpy", "scipy", "PIL", "lxml", "weasyprint", "cairosvg") if m in sys.modules
    )
    print(
        json.dumps(
            {
                "rows": rows,
                "before": before,
                "peak": _status_mib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "start_s": started,
                "export_s": exported,
                "heavy_modules": loaded,
            }
        )
    )


if __name__ == "__main__":
    main()
