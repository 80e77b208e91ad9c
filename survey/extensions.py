"""Every Flask extension, created unbound; ``create_app`` binds them.

Only ``db`` and ``babel`` are made when this module is imported: every process needs
them, the export worker (survey.exports.worker) included. The others serve the web app
and the ``db`` command only, and importing them costs memory a worker never gets back:
Flask-Migrate brings Alembic, Mako and Pygments (~10 MB), Flask-Limiter, Flask-Login and
Flask-WTF ~4 MB more. So each is made on first use (``from survey.extensions import
limiter`` makes it), still here and still once per process (tests/jobs/test_export_worker.py
checks that the export worker never makes them).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy

from survey.models.base import Base

if TYPE_CHECKING:
    from flask_limiter import Limiter
    from flask_login import LoginManager
    from flask_migrate import Migrate
    from flask_wtf import CSRFProtect

    migrate: Migrate
    csrf: CSRFProtect
    login_manager: LoginManager
    limiter: Limiter

db = SQLAlchemy(model_class=Base)
babel = Babel()


def _migrate():
    from flask_migrate import Migrate

    # Batch mode lets Alembic alter tables on SQLite, which has no ALTER for constraints.
    return Migrate(render_as_batch=True, compare_type=True)


def _csrf():
    from flask_wtf import CSRFProtect

    return CSRFProtect()


def _login_manager():
    from flask_login import LoginManager

    return LoginManager()


def _limiter():
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    # Storage comes from RATELIMIT_STORAGE_URI: memory:// for one process, redis:// for several.
    return Limiter(key_func=get_remote_address)


_making = threading.Lock()
_LAZY = {"migrate": _migrate, "csrf": _csrf, "login_manager": _login_manager, "limiter": _limiter}


def __getattr__(name: str):
    """Make a web-only extension the first time it is asked for, then keep it (PEP 562)."""
    make = _LAZY.get(name)
    if make is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _making:  # two threads asking at once must not make two limiters
        made = globals().get(name)
        if made is None:
            made = globals()[name] = make()
    return made
