"""Configuration layering: built-in defaults, then ``instance/config.py``, then ``SURVEY_*``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)

DEFAULTS: dict[str, object] = {
    # None means "SQLite file in the instance folder"; resolved in ``finalise``.
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": ["vi", "en"],
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    #: Behind a reverse proxy: how many proxies to trust for each X-Forwarded-* header,
    #: e.g. {"x_for": 1, "x_proto": 1}. Empty (the default) trusts none, so a client
    #: cannot choose its own address, for the rate limits or the audit log.
    "PROXY_FIX": {},
    # Requests larger than this (a register upload included) are refused with 413.
    "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    # Post-stratification cells for population estimates (see README, "Statistics").
    "ROLLUP_STRATA": ["size_group", "size_class"],
    # Rate limits (Flask-Limiter). In-memory by default; with several app instances set
    # RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0" so they share the counters.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_START": "30 per minute; 300 per hour",
    "RATELIMIT_SUBMIT": "30 per minute",
    #: Wrong resume or invitation tokens per client address.
    "RATELIMIT_TOKEN_FAILURES": "10 per minute; 50 per hour",
    "RATELIMIT_LOGIN_PER_ADDRESS": "10 per 5 minutes",
    "RATELIMIT_LOGIN_PER_ACCOUNT": "5 per 5 minutes",
    "PER_PAGE": 50,
    # Outgoing mail for resume links; nothing is sent while MAIL_SERVER is empty.
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_SENDER": "khao-sat-cds@example.gov.vn",
    #: Shown to respondents who need help, e.g. when their firm already answered.
    "CONTACT_EMAIL": "chuyendoiso@example.gov.vn",
    "CONTACT_PHONE": "0225 000 0000",
    #: Contact details of closed waves are erased after this many days (erase-contacts).
    "RETENTION_DAYS": 5 * 365,
    #: Groups smaller than this are shown as "too few to report", never as a share.
    "DASHBOARD_MIN_GROUP": 5,
    #: Run export jobs inside the request instead of a background thread (tests, CLI).
    "EXPORT_INLINE": False,
    "EXPORT_KEEP_HOURS": 24,
    "EXPORT_STALE_MINUTES": 30,
    #: The anonymous city summary at /summary.
    "PUBLIC_SUMMARY": True,
    #: Peers needed before a firm is shown how it compares (privacy and stability).
    "PEER_MIN_GROUP": 5,
    #: Only for `make bench`: registers the baseline endpoint of survey/benchmarking.py.
    "BENCH_ENDPOINTS": False,
    # The framework a new wave uses unless staff choose another.
    "DEFAULT_FRAMEWORK": "dbi-2021-sme",
}


def instance_path_from_env() -> str | None:
    """Return ``SURVEY_INSTANCE_PATH`` if set; Flask insists that it is absolute."""
    path = os.environ.get("SURVEY_INSTANCE_PATH")
    if path and not os.path.isabs(path):
        raise RuntimeError(f"SURVEY_INSTANCE_PATH must be an absolute path, got {path!r}")
    return path or None


def load(app: Flask, test_config: dict | None) -> None:
    """Apply the layers in order; ``test_config`` (tests only) is applied last."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SURVEY")
    if test_config is not None:
        app.config.from_mapping(test_config)
    finalise(app)


def finalise(app: Flask) -> None:
    """Derive settings that depend on others: the database URL and the secret key."""
    url = app.config["DATABASE_URL"]
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "survey.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(app)


def _instance_secret_key(app: Flask) -> str:
    """Read the key generated into the instance folder, creating it on first run.

    A shipped fallback key would let anyone forge sessions, so there is none: if the
    key can neither be read nor written, only debug and testing runs may go on, with
    a throw-away key.
    """
    path = Path(app.instance_path) / SECRET_KEY_FILE
    try:
        if path.exists():
            key = path.read_text(encoding="ascii").strip()
            if key:
                return key
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
        return key
    except OSError as exc:
        if app.debug or app.testing:
            return secrets.token_hex(32)
        raise RuntimeError(f"No secret key: set SURVEY_SECRET_KEY or make {path} writable ({exc})") from exc
