"""Real workers for the job tests: `flask --app survey worker` in a subprocess, over a
database and a queue the test process shares with it (committed data, never the
rolled-back transaction of the other tests)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import select

from survey import jobs
from survey.extensions import db
from survey.models import ExportJob, JobState

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
#: Quick heartbeats, so a dead worker shows in seconds.
FAST = {"JOBS_HEARTBEAT_SECONDS": 0.5, "JOBS_STALE_SECONDS": 2}


def environment(settings: dict, **extra: str) -> dict:
    """The worker's environment: each setting as SURVEY_<NAME> (JSON for non-strings)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SURVEY_")}
    for name, value in settings.items():
        env[f"SURVEY_{name}"] = value if isinstance(value, str) else json.dumps(value)
    env["PYTHONPATH"] = str(ROOT)
    return {**env, **extra}


#: The whole app's worker, and the export worker (survey.exports.worker).
WHOLE_APP = (FLASK, "--app", "survey", "worker")
EXPORT_WORKER = (sys.executable, "-m", "survey.exports.worker")


class Worker:
    """One worker process (by default `flask --app survey worker`); ready once it has
    swept and said so."""

    def __init__(self, settings: dict, *args: str, command: tuple[str, ...] = WHOLE_APP, **env: str) -> None:
        self.process = subprocess.Popen(
            [*command, *args],
            cwd=ROOT,
            env=environment(settings, **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._ready.wait(30):
            self.stop()
            raise AssertionError("the worker did not start:\n" + self.output())

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            if line.startswith("Worker:"):
                self._ready.set()

    def output(self) -> str:
        return "".join(self.lines)

    def kill(self) -> None:
        """SIGKILL: no clean-up, as when the machine loses power."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._reader.join(5)
        self.process.stdout.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_for(app, job_id: int, states=(JobState.DONE, JobState.FAILED), timeout: float = 60, model=ExportJob):
    """Poll the job's row (an ExportJob or a Task, in a fresh unit each time) until it
    reaches one of ``states``."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            job = db.session.get(model, job_id)
            if job.state in states or time.monotonic() > deadline:
                db.session.expunge(job)
                db.session.remove()
                assert job.state in states, f"job {job_id} still {job.state} after {timeout} s"
                return job
            db.session.remove()
        time.sleep(0.1)


def csrf_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client, email: str, password: str) -> None:
    token = csrf_token(client, "/staff/login")
    answer = client.post("/staff/login", data={"email": email, "password": password, "csrf_token": token})
    assert answer.status_code in (302, 303), answer.status_code


def ask_for_export(client, wave_id: int, kind: str = "responses") -> int:
    token = csrf_token(client, f"/staff/dashboard?wave={wave_id}")
    answer = client.post("/staff/exports", data={"csrf_token": token, "wave": wave_id, "kind": kind})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    return int(answer.headers["Location"].rsplit("/", 1)[1])


def last_job_id(app) -> int:
    with app.app_context():
        found = db.session.scalar(select(ExportJob.id).order_by(ExportJob.id.desc()))
        db.session.remove()
        return found


class ThreadWorker:
    """A worker in a thread of the test process (for tests that cannot start one, such
    as the browser tests' live server): takes the app's queue's messages and runs them."""

    def __init__(self, app, lane: str | None = None) -> None:
        self.huey = jobs.queue(app, lane).huey
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="thread-worker", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            task = self.huey.dequeue()
            if task is None:
                self._stop.wait(0.05)
            else:
                self.huey.execute(task)

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(10)
