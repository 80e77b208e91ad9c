"""The ``worker`` command: take jobs from the queue and run them until stopped.

A module of its own, not in survey/cli.py, because two apps register it: the whole app
(``flask --app survey worker``, every job on the main queue) and the export worker
(``python -m survey.exports.worker``, export jobs only), which must not import the rest
of the command line (survey/cli.py brings Flask-Migrate, the register and statistics).
"""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from survey import jobs
from survey.extensions import db


@click.command("worker")
@click.option(
    "-w", "--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Jobs run at once."
)
@click.option(
    "-k",
    "--worker-type",
    type=click.Choice(["thread", "process"]),
    default="thread",
    show_default=True,
    help="Threads, or forked processes.",
)
@with_appcontext
def worker(workers: int, worker_type: str) -> None:
    """Run background jobs (exports, re-scoring, mail-outs) from the queue until stopped.

    Run one or more beside the app servers (README, "Background jobs"); SIGINT stops it
    once the running jobs have finished, SIGTERM at once (their jobs are queued again).
    """
    app = current_app._get_current_object()
    if app.config["JOBS_INLINE"]:
        raise click.ClickException(
            "JOBS_INLINE (or EXPORT_INLINE) is set: jobs run inside the app, a worker would get none."
        )
    lane = jobs.serves(app)
    if lane and lane not in app.config["JOBS_APART"]:
        # Its queue would stay empty: the app servers put this job on the main queue.
        raise click.ClickException(
            f"JOBS_APART does not name {lane!r}: those jobs are on the main queue, which "
            f"`flask --app survey worker` runs. Set JOBS_APART = [{lane!r}] on every app server "
            "and worker to give them this worker."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    jobs.load(app)
    consumer = jobs.consumer(app, workers=workers, worker_type=worker_type)
    jobs.sweep(app)  # jobs whose worker died while none was running
    db.engine.dispose()  # forked workers must not share the parent's connections
    apart = app.config["JOBS_APART"]
    serving = f"{lane} jobs only" if lane else ("every job but " + ", ".join(apart) if apart else "every job")
    click.echo(f"Worker: {workers} {worker_type}(s) on {app.config['JOBS_URL'].split('@')[-1]}, {serving}.")
    consumer.run()
