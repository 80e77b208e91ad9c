"""The package installs and runs outside the checkout.

templates/ and migrations/ live at the top of the repository; pyproject.toml carries them
into the wheel as survey/_templates and survey/_migrations, and create_app looks there
first. The slow test builds the wheel from a copy of the working tree, installs it into a
new virtual environment (its dependencies from the registry, under requirements.lock),
then, from a folder of its own, runs the README's deployment steps: init-db,
seed-reference and gunicorn. The editable install (`make install`) is tried the same way.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]

#: Not needed to build the package, or made by a run: left out of the copy.
NOT_COPIED = {
    ".git", ".venv", "node_modules", "instance", "build", "dist", "bench", "tests", "test-output",
    ".pytest_cache", ".ruff_cache", ".hypothesis",
}  # fmt: skip


def test_every_subpackage_is_listed_in_pyproject():
    # pyproject.toml lists the packages (discovery cannot map templates/ and migrations/);
    # a subpackage missing from the list would be missing from the wheel.
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "survey").rglob("__init__.py")}
    mapped = set(SETUPTOOLS["package-dir"])
    assert mapped == {"survey._templates", "survey._migrations"}
    assert set(SETUPTOOLS["packages"]) == found | mapped, "add the new subpackage to pyproject.toml"


def _ignore(folder: str, names: list[str]) -> set[str]:
    top = Path(folder) == ROOT
    return {n for n in names if (top and n in NOT_COPIED) or n == "__pycache__" or n.endswith(".egg-info")}


def _run(*command, **kwargs) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, **kwargs)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _install(kind: str, source: Path, work: Path) -> Path:
    """A new virtual environment holding the package (a built wheel, or an editable
    install of ``source``) and its dependencies; returns its python."""
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    pip = (sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet")
    if kind == "wheel":
        dist = work / "dist"
        _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(source))
        (wheel,) = dist.glob("survey-*.whl")
        _check_wheel_contents(wheel, source)
        _run(*pip, "--no-deps", str(wheel))
    else:
        _run(*pip, "--no-deps", "-e", str(source))
    _run(*pip, "-c", str(source / "requirements.lock"), *PYPROJECT["project"]["dependencies"])
    return python


def _check_wheel_contents(wheel: Path, source: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    templates = {
        f"survey/_templates/{p.relative_to(source / 'templates')}"
        for p in source.rglob("templates/**/*.html")
    }
    migrations = {
        f"survey/_migrations/{p.relative_to(source / 'migrations')}"
        for p in (source / "migrations").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert len(templates) > 10 and len(migrations) > 5
    assert templates | migrations <= names, sorted((templates | migrations) - names)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (our own http://127.0.0.1)
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def _wait_for(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn exited {server.returncode}:\n{log.read_text()}"
        try:
            if _get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer 200 within 60 s:\n{log.read_text()}")


def _stop(server: subprocess.Popen) -> None:
    """End gunicorn (its master and workers are in a session of their own)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["wheel", "editable"])
def test_the_installed_package_migrates_seeds_and_serves(kind, tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=_ignore, symlinks=True)
    python = _install(kind, source, tmp_path)

    run = tmp_path / "run"  # the working folder: neither the checkout nor the copy
    run.mkdir()
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SURVEY_", "FLASK_", "PYTHON", "VIRTUAL_ENV"))
    }
    env |= {
        "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
        "SURVEY_SECRET_KEY": "wheel-test-secret-not-for-production",
        "SURVEY_BASE_URL": f"http://127.0.0.1:{port}",
    }

    where = Path(_run(str(python), "-c", "import survey; print(survey.__file__)", cwd=run, env=env).strip())
    home = python.parent.parent if kind == "wheel" else source
    assert where.is_relative_to(home) and not where.is_relative_to(ROOT), where

    flask = (str(python), "-m", "flask", "--app", "survey")
    _run(*flask, "init-db", cwd=run, env=env)
    _run(*flask, "seed-reference", cwd=run, env=env)
    assert (tmp_path / "instance" / "survey.sqlite").is_file()

    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(python), "-m", "gunicorn", "-c", "python:survey.gunicorn_conf", "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "survey:create_app()"],
            cwd=run, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/healthz", server, log)
        status, home_page = _get(f"{base}/")
        assert status == 200, home_page
        assert '<html lang="vi">' in home_page
        if (source / "survey/translations/vi/LC_MESSAGES/messages.mo").is_file():  # `make` compiles it
            assert "Chuyển đến nội dung" in home_page  # "Skip to content", from the packaged catalogue
        stylesheet = re.search(r'href="(/static/[^"]+\.css)[^"]*"', home_page)
        assert stylesheet, "no stylesheet linked from the home page"
        assert _get(base + stylesheet.group(1))[0] == 200
    finally:
        _stop(server)
