"""The export worker (survey.exports.worker): exports queued apart (JOBS_APART) are run by
an app that holds only what exporting needs, through the same job as every worker's.

The import check runs a real export job in a fresh interpreter, through the worker's own
queue, and looks at ``sys.modules`` afterwards: an import of openpyxl, numpy, Pillow, lxml
or Alembic anywhere on the export's path (at a module's top or inside a function) fails it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from survey import jobs
from survey.config import ConfigError
from survey.exports import worker as export_worker
from survey.extensions import db as _db
from survey.models import JobState
from tests.conftest import make_app
from tests.jobs.conftest import EMAIL, PASSWORD, RESPONSES
from tests.jobs.helpers import (
    EXPORT_WORKER,
    ROOT,
    ThreadWorker,
    Worker,
    ask_for_export,
    environment,
    log_in,
    wait_for,
)

#: What the export worker must never import: the whole app's heavy libraries (the register,
#: the instruments, the statistics), the schema's and the web's.
HEAVY = {"openpyxl", "numpy", "PIL", "lxml", "alembic", "flask_migrate", "flask_limiter", "flask_wtf"}

#: A fresh worker process without the command's endless loop: the export worker's app, its
#: jobs and its consumer as the ``worker`` command builds them; then it runs the messages
#: on its queue as a consumer thread does (an earlier test's job left queued may have been
#: queued again by the sweep too), and says which packages it holds.
PROBE = """
import json, sys
from survey import jobs
from {module} import create_app
app = create_app()  # from SURVEY_* variables, as a service
jobs.load(app)
huey = jobs.consumer(app).huey
while (message := huey.dequeue()) is not None:
    huey.execute(message)
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""


def worker_app(site):
    return export_worker.create_app({**site.settings, "TESTING": True, "JOBS_APART": ["export"]})


def analyst(app):
    client = app.test_client()
    log_in(client, EMAIL, PASSWORD)
    return client


def test_exports_queued_apart_are_run_by_the_export_workers_app(site):
    web = site.app(JOBS_APART=["export"])
    client = analyst(web)
    asked = [ask_for_export(client, site.wave_id, kind) for kind in ("responses", "summary")]
    assert len(jobs.queue(web).huey) == 0, "the main queue got an export"
    assert len(jobs.queue(web, "export").huey) == 2
    app = worker_app(site)
    assert jobs.serves(app) == "export"
    runner = ThreadWorker(app, "export")
    try:
        done = [wait_for(web, job_id) for job_id in asked]
    finally:
        runner.stop()
        with app.app_context():
            _db.engine.dispose()
    for job in done:  # the job's own life: claimed once, by a worker, and finished
        assert job.state is JobState.DONE, job.error
        assert job.attempts == 1 and job.worker and job.heartbeat_at is not None
    assert done[0].rows_done == done[0].rows_total == RESPONSES
    answer = client.get(f"/staff/exports/{asked[0]}/download")
    assert answer.status_code == 200
    sheet = load_workbook(BytesIO(answer.data), read_only=True)["Responses"]
    assert sum(1 for _ in sheet.iter_rows()) - 1 == RESPONSES
    answer.close()


def test_the_export_workers_app_has_no_web_and_only_the_worker_command(site):
    app = worker_app(site)
    assert app.blueprints == {}
    assert "worker" in app.cli.commands and "export" not in app.cli.commands
    for name in ("migrate", "limiter", "csrf"):
        assert name not in app.extensions, name
    assert not hasattr(app, "login_manager")
    with app.app_context():
        _db.engine.dispose()


def test_without_jobs_apart_exports_stay_on_the_main_queue_and_the_export_worker_will_not_start(site):
    web = site.app()
    ask_for_export(analyst(web), site.wave_id)
    assert len(jobs.queue(web).huey) == 1 and len(jobs.queue(web, "export").huey) == 0
    app = export_worker.create_app({**site.settings, "TESTING": True})
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code == 1 and "JOBS_APART does not name 'export'" in result.output
    with app.app_context():
        _db.engine.dispose()


def test_jobs_apart_names_only_jobs_with_a_worker_of_their_own(tmp_path):
    for wrong in (["task"], "export", [{"export": 1}]):
        with pytest.raises(ConfigError, match="JOBS_APART"):
            make_app(f"sqlite:///{tmp_path / 'a.sqlite'}", JOBS_APART=wrong)


def _probe(site, module: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        env=environment(site.settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_export_worker_runs_an_export_without_importing_the_heavy_modules(site):
    site.settings["JOBS_APART"] = ["export"]
    web = site.app()
    job_id = ask_for_export(analyst(web), site.wave_id)
    loaded = _probe(site, "survey.exports.worker")
    job = wait_for(web, job_id, timeout=5)
    assert job.state is JobState.DONE and job.rows_done == RESPONSES, job.error
    assert (Path(site.settings["EXPORT_DIR"]) / job.file_name).exists()
    assert {"survey", "sqlalchemy", "xlsxwriter", "huey"} <= loaded  # it did export
    assert not loaded & HEAVY, f"the export worker imported {sorted(loaded & HEAVY)}"


def test_the_import_check_sees_the_heavy_modules_of_the_whole_apps_worker(site):
    """The check itself: the same probe over the whole app finds what it brings."""
    web = site.app()
    job_id = ask_for_export(analyst(web), site.wave_id)
    loaded = _probe(site, "survey")
    assert wait_for(web, job_id, timeout=5).state is JobState.DONE
    assert {"openpyxl", "alembic"} <= loaded & HEAVY


@pytest.mark.slow  # a worker process, ~2 s to start
def test_python_m_survey_exports_worker_runs_exports_until_stopped(site):
    site.settings["JOBS_APART"] = ["export"]
    web = site.app()
    with Worker(site.settings, command=EXPORT_WORKER) as running:
        job_id = ask_for_export(analyst(web), site.wave_id)
        job = wait_for(web, job_id)
    assert job.state is JobState.DONE and job.rows_done == RESPONSES, job.error
    assert "export jobs only" in running.output()
