"""A worker process that runs one queued export job, measured from the inside.

``python -m bench.export_child JOB_ID [--app]`` is the export worker of production,
``python -m survey.exports.worker`` (its app and its ``worker`` command, with the default
two worker threads), or with ``--app`` the whole app's ``flask --app survey worker``, set
up by ``SURVEY_*`` variables as a service is. bench.export_bench records the job and queues
it before starting this process, as an app server would. A watcher thread polls the job's
row; once it is done or failed it stops the worker with SIGINT (the service's stop
signal), and the process prints one JSON line: the rows, the resident set size when the
job was claimed (interpreter, app, imports, the worker started), the peak (VmHWM), the
seconds until the claim and from the claim to the end, and which heavy modules it holds.

Kept apart from bench.export_bench, which imports openpyxl and the bench's data loader
at its top: a child started as ``-m bench.export_bench`` would carry them too.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

#: Modules the export worker must not hold (tests/jobs/test_export_worker.py checks it too).
HEAVY = ("openpyxl", "numpy", "scipy", "PIL", "lxml", "alembic", "flask_migrate", "weasyprint", "cairosvg")


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


def _watch(app, job_id: int, seen: dict) -> None:
    """Poll the job's row; note when it is claimed and how it ended; then stop the worker.

    Each poll also samples the process's private memory (``RssAnon``: the heap, Python's
    arenas, the C libraries' allocations) apart from the pages of the shared libraries it
    maps (``RssFile``, shared with every other process that loads them); the kernel keeps no
    peak of either, so these peaks are the highest samples, every 0.1 s.
    """
    from survey.extensions import db
    from survey.models import ExportJob, JobState

    while True:
        for field, key in (("RssAnon", "private_peak"), ("RssFile", "shared_peak")):
            seen[key] = max(seen.get(key, 0.0), _status_mib(field) or 0.0)
        with app.app_context():
            job = db.session.get(ExportJob, job_id)
            state, rows, error = job.state, job.rows_done, job.error
            db.session.remove()
        if state is not JobState.QUEUED and "claimed_s" not in seen:
            seen["claimed_s"], seen["before"] = time.perf_counter() - STARTED, _status_mib("VmRSS")
            seen["private_before"] = _status_mib("RssAnon")
        if state in (JobState.DONE, JobState.FAILED):
            seen.update(ended_s=time.perf_counter() - STARTED, state=str(state), rows=rows, error=error)
            os.kill(os.getpid(), signal.SIGINT)  # as systemd's KillSignal: finish, then stop
            return
        time.sleep(0.1)


def main() -> None:
    job_id = int(sys.argv[1])
    if "--app" in sys.argv[2:]:
        from survey import create_app
    else:
        from survey.exports.worker import create_app
    from survey.jobs.command import worker

    app = create_app()
    seen: dict = {}
    threading.Thread(target=_watch, args=(app, job_id, seen), name="bench-watch", daemon=True).start()
    with app.app_context():
        worker.main(args=[], prog_name="bench.export_child", standalone_mode=False)
    print(
        json.dumps(
            {
                "state": seen.get("state"),
                "error": seen.get("error"),
                "rows": seen.get("rows"),
                "before": seen.get("before"),
                "peak": _status_mib("VmHWM"),
                "private_before": seen.get("private_before"),
                "private_peak": seen.get("private_peak"),
                "shared_peak": seen.get("shared_peak"),
                "start_s": seen.get("claimed_s"),
                "export_s": seen["ended_s"] - seen["claimed_s"] if "ended_s" in seen else None,
                "heavy_modules": sorted(m for m in HEAVY if m in sys.modules),
            }
        )
    )


if __name__ == "__main__":
    main()
