"""gunicorn on 127.0.0.1 for the benchmarks that go through real HTTP."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(response: http.client.HTTPResponse) -> str | None:
    """The ``session=…`` pair a response sets, ready for a Cookie header, if it sets one."""
    for header in response.msg.get_all("Set-Cookie") or []:
        if header.startswith("session="):
            return header.split(";", 1)[0]
    return None


class Gunicorn:
    """One app instance: ``workers`` sync workers on its own port.

    It runs in a process group of its own, so ``kill`` can take down the master and
    every worker at once, as a crash of the machine would.
    """

    def __init__(self, url: str, instance: str, workers: int = 4, port: int | None = None, **settings):
        self.port = port or free_port()
        self.workers = workers
        self.env = {
            **os.environ,
            "SURVEY_DATABASE_URL": url,
            "SURVEY_SECRET_KEY": "bench-secret",
            "SURVEY_INSTANCE_PATH": instance,
            **{f"SURVEY_{k}": v for k, v in settings.items()},
        }
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        bind = f"127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [gunicorn, "--bind", bind, "--workers", str(self.workers), "--log-level", "warning", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def kill(self) -> None:
        """SIGKILL to the whole group: no worker finishes its request or its transaction."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
