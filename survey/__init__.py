"""The digital-readiness survey application.

Flask and the app's modules are imported inside ``create_app``, not here: importing any
submodule runs this file first, and ``survey.scoring`` must stay importable without Flask
or SQLAlchemy (tests/test_imports.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration layers, extensions, blueprints, CLI."""
    from survey import errors, security, work

    app = configured_app(test_config)
    _trust_proxies(app)
    # Vietnamese stays readable in JSON (tojson still escapes <, > and & for HTML).
    app.json.ensure_ascii = False
    work.init_app(app)  # first: the unit is declared before any hook uses the database
    register_extensions(app)
    register_blueprints(app)
    work.wrap_views(app)
    register_cli(app)
    errors.init_app(app)
    security.init_app(app)
    return app


def configured_app(test_config: dict | None = None) -> Flask:
    """The Flask object with its configuration layers loaded: where every app starts (this
    one and the export worker's, survey.exports.worker)."""
    from flask import Flask

    from survey import config

    app = Flask(
        __name__,
        instance_path=config.instance_path_from_env(),
        instance_relative_config=True,
        template_folder=str(_bundled("templates")),
    )
    config.load(app, test_config)
    return app


def _trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the reverse proxy's headers, if told to."""
    trusted = app.config["PROXY_FIX"]
    if not trusted:
        return
    from werkzeug.middleware.proxy_fix import ProxyFix

    allowed = {"x_for", "x_proto", "x_host", "x_port", "x_prefix"}
    if not isinstance(trusted, dict) or set(trusted) - allowed:
        raise RuntimeError(f"PROXY_FIX takes a mapping with keys from {sorted(allowed)}, got {trusted!r}")
    app.wsgi_app = ProxyFix(app.wsgi_app, **trusted)


def register_data(app: Flask) -> None:
    """What every process needs, the workers too: the database and the language."""
    from survey import database, i18n  # noqa: F401  (database registers engine events)
    from survey.extensions import babel, db

    db.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)


def register_extensions(app: Flask) -> None:
    from survey import dashboard, i18n
    from survey.auth import load_staff_user
    from survey.extensions import csrf, db, limiter, login_manager, migrate

    register_data(app)
    migrate.init_app(app, db, directory=str(_bundled("migrations")))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(load_staff_user)
    i18n.init_app(app)
    dashboard.init_app(app)


def register_blueprints(app: Flask) -> None:
    # Imported for their routes: the personal links and the journey, on respondent_bp.
    import survey.respondent.links
    import survey.respondent.views  # noqa: F401
    from survey import api, benchmarking
    from survey.main.views import bp as main_bp
    from survey.respondent.pages import bp as respondent_bp
    from survey.staff import views  # noqa: F401  (registers the staff views on staff_bp)
    from survey.staff.auth_views import bp as auth_bp
    from survey.staff.blueprint import bp as staff_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(respondent_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(staff_bp)
    api.init_app(app)  # the JSON API under /api/v1 (its blueprint and OpenAPI document)
    benchmarking.init_app(app)


def register_cli(app: Flask) -> None:
    from survey.cli import register

    register(app)


def _bundled(name: str) -> Path:
    """The top-level folder ``name`` (templates, migrations) of the repository.

    A wheel carries it inside the package as ``survey/_<name>`` (pyproject.toml maps it
    there); in the checkout, and in the editable install made from it, it sits beside
    the package.
    """
    package = Path(__file__).resolve().parent
    installed = package / f"_{name}"
    return installed if installed.is_dir() else package.parent / name
