"""The export worker: a process that runs export jobs only, and imports only what they need.

``python -m survey.exports.worker [--workers N]`` takes export jobs from their own queue
(``JOBS_APART = ["export"]``, survey/jobs) and runs them exactly as ``flask --app survey
worker`` does: the same ``worker`` command, the same job (survey.exports.jobs: claim,
heartbeat, progress, finish, sweep). Its app is the configuration, the database and Babel,
with no blueprint, no web extension and no other job, so a 100,000-row responses workbook
is written by a process of ~100 MiB at its peak instead of ~155 (README, "The export
worker"): the whole app brings openpyxl, numpy, Pillow and lxml for the register, the
instruments and the statistics, and Alembic for the schema, and a process keeps what it
has once imported.

Why not ``flask --app survey.exports.worker worker``: it works (``create_app`` is here), but
the ``flask`` command first imports every installed plugin command (Flask-Limiter's brings
the limiter, ~4.5 MB), before it knows which command it runs.

tests/jobs/test_export_worker.py runs an export through this app, and checks in a fresh
interpreter that it imports none of the heavy modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

PROG = "python -m survey.exports.worker"


def create_app(test_config: dict | None = None) -> Flask:
    """The export worker's app: settings, database, Babel, the export job and ``worker``."""
    from survey import configured_app, jobs, register_data
    from survey.jobs.command import worker

    app = configured_app(test_config)
    register_data(app)
    jobs.serve(app, "export")
    app.cli.add_command(worker)
    return app


def main(argv: list[str] | None = None) -> None:
    """Run the ``worker`` command over the export worker's app (``--help`` for its options)."""
    from survey.jobs.command import worker

    app = create_app()
    with app.app_context():
        worker.main(args=argv, prog_name=PROG)


if __name__ == "__main__":
    main()
