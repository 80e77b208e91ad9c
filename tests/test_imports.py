"""The scoring rules stay pure Python: importable without Flask or SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WEB_STACK = {"flask", "sqlalchemy", "werkzeug"}


def _imported_after(statement: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after running ``statement``."""
    probe = f"{statement}\nimport sys\nprint(*sorted({{m.split('.')[0] for m in sys.modules}}))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


def test_scoring_imports_without_flask_or_sqlalchemy():
    loaded = _imported_after("import survey.scoring")
    assert "survey" in loaded
    assert not loaded & WEB_STACK, f"import survey.scoring loads {sorted(loaded & WEB_STACK)}"


def test_importing_the_factory_loads_nothing_until_it_is_called():
    assert not _imported_after("from survey import create_app") & WEB_STACK
    settings = {"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}
    assert _imported_after(f"from survey import create_app\ncreate_app({settings!r})") >= WEB_STACK


def test_the_app_loads_the_password_dictionaries_only_when_a_password_is_chosen():
    settings = {"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}
    made = f"from survey import create_app\napp = create_app({settings!r})"
    assert "zxcvbn" not in _imported_after(made)
    checked = made + "\nfrom survey.auth.passwords import is_guessable\nassert is_guessable('password1234')"
    assert "zxcvbn" in _imported_after(checked)
