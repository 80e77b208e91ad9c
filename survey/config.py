"""Configuration layering: built-in defaults, then ``instance/config.py``, then ``SURVEY_*``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import orjson
from flask import Flask

SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)


class ConfigError(RuntimeError):
    """A setting the app cannot run with; raised at start-up, naming the setting."""


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
    #: Flask-Login's "remember me" cookie (never set today: the log-in does not offer it).
    #: None follows SESSION_COOKIE_SECURE, so one setting makes every cookie Secure.
    "REMEMBER_COOKIE_SECURE": None,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    #: Behind a reverse proxy: how many proxies to trust for each X-Forwarded-* header,
    #: e.g. {"x_for": 1, "x_proto": 1}. Empty (the default) trusts none, so a client
    #: cannot choose its own address, for the rate limits or the audit log.
    "PROXY_FIX": {},
    #: Request bodies larger than this are refused with 413 before they are read. The
    #: biggest form (the last assessment page, or the whole answer form on submit) is a few
    #: KB; a 25 MB body parsed as a form cost a worker over a gigabyte of memory.
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    #: The larger cap of file-upload routes (endpoint names), for signed-in staff only:
    #: a register workbook of 50,000 firms is a few MB.
    "UPLOAD_ENDPOINTS": ["staff.register_upload"],
    "UPLOAD_MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    #: The public address, e.g. "https://khaosat.example.gov.vn": every link the app sends
    #: out (resume links, the invitation workbook) is built on it, never on the request's
    #: Host header, which the client chooses. It also sets TRUSTED_HOSTS unless that is set.
    "BASE_URL": "",
    #: Host names a request may name in its Host header (Flask); None derives them from
    #: BASE_URL (its host, plus localhost for health checks on the machine itself).
    "TRUSTED_HOSTS": None,
    # Post-stratification cells for population estimates (see README, "Statistics"): the
    # kind of business, then Decree 80's sector group and size class.
    "ROLLUP_STRATA": ["business_kind", "size_group", "size_class"],
    # Rate limits (Flask-Limiter). In-memory by default; with several app instances set
    # RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0" so they share the counters.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_START": "30 per minute; 300 per hour",
    "RATELIMIT_SUBMIT": "30 per minute",
    #: Wrong resume or invitation tokens per client address.
    "RATELIMIT_TOKEN_FAILURES": "10 per minute; 50 per hour",
    #: Requests for a recovery link (a lost resume link) per client address.
    "RATELIMIT_RECOVER": "5 per 10 minutes; 20 per day",
    "RATELIMIT_LOGIN_PER_ADDRESS": "10 per 5 minutes",
    "RATELIMIT_LOGIN_PER_ACCOUNT": "5 per 5 minutes",
    #: Log-in attempts on one account from all addresses together: above what one address
    #: may try (RATELIMIT_LOGIN_PER_ACCOUNT counts per account and address), so only an
    #: attack from many addresses reaches it (README, "Accounts and access").
    "RATELIMIT_LOGIN_ACCOUNT_CEILING": "30 per 5 minutes",
    #: A staff session ends after this long without a request, and this long after log-in.
    "STAFF_SESSION_IDLE_MINUTES": 30,
    "STAFF_SESSION_MAX_HOURS": 12,
    #: Export jobs one staff member may have queued or running at once.
    "EXPORT_MAX_PENDING_PER_USER": 3,
    "PER_PAGE": 50,
    # Outgoing mail for resume links; nothing is sent while MAIL_SERVER is empty.
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_SENDER": "khao-sat-cds@example.gov.vn",
    #: Invitations and reminders the app mails (survey.invitations.mailer): at most this many
    #: messages a minute, whatever the number of firms (the mail server's own limit, or less).
    "MAIL_PER_MINUTE": 30,
    #: Seconds to wait for the SMTP server before a message counts as failed.
    "MAIL_TIMEOUT": 10,
    #: Reminders sent on a schedule: this many days before an open wave closes, one reminder
    #: mail-out each (e.g. [7, 2]); empty sends reminders only when an analyst asks.
    "REMINDER_DAYS_BEFORE_CLOSE": [],
    #: Shown to respondents who need help, e.g. when their firm already answered.
    "CONTACT_EMAIL": "chuyendoiso@example.gov.vn",
    "CONTACT_PHONE": "0225 000 0000",
    #: Contact details of closed waves are erased after this many days (erase-contacts).
    "RETENTION_DAYS": 5 * 365,
    #: Groups smaller than this are shown as "too few to report", never as a share.
    "DASHBOARD_MIN_GROUP": 5,
    #: A unit below DASHBOARD_MIN_GROUP respondents gets a model-based estimate only when its
    #: register has at least this many firms (survey.statistics.small_area): a figure for a
    #: unit of a dozen firms would all but name them.
    "MODEL_MIN_REGISTER": 30,
    #: Where finished export workbooks are kept until downloaded: one folder every app
    #: server and worker reaches (with several servers, the same shared mount on each).
    #: None means the instance folder's "exports".
    "EXPORT_DIR": None,
    #: Where register uploads wait to be checked and confirmed (a worker reads them): like
    #: EXPORT_DIR, one folder every app server and worker reaches. None: instance "uploads".
    "UPLOAD_DIR": None,
    #: The older name of JOBS_INLINE (it still works).
    "EXPORT_INLINE": False,
    "EXPORT_KEEP_HOURS": 24,
    # Background jobs (survey/jobs; README, "Background jobs"). The queue's storage: None
    # is Huey's SQLite storage in instance/jobs.sqlite (its own file, never the app's
    # database); "sqlite:////path/jobs.sqlite" puts it elsewhere; "redis://127.0.0.1:6379/1"
    # uses Redis. Every app server and worker of one installation names the same one.
    "JOBS_URL": None,
    #: The queue's name inside its storage (two installations on one Redis: two names).
    "JOBS_NAME": "survey",
    #: Run jobs at once in the process that asks (tests); None follows EXPORT_INLINE.
    "JOBS_INLINE": None,
    #: A running job writes a heartbeat this often; one silent for JOBS_STALE_SECONDS
    #: (its worker died) is queued again, up to JOBS_MAX_ATTEMPTS runs, then failed.
    "JOBS_HEARTBEAT_SECONDS": 10,
    "JOBS_STALE_SECONDS": 120,
    "JOBS_MAX_ATTEMPTS": 3,
    #: How long a worker's write waits for respondents' writers on SQLite.
    "JOBS_SQLITE_BUSY_SECONDS": 30,
    #: Further modules whose @survey.jobs.job functions the worker must know.
    "JOBS_MODULES": [],
    #: Jobs queued apart for a worker of their own: ["export"] sends exports to the export
    #: worker (python -m survey.exports.worker), and `flask worker` runs every other job.
    #: Every app server and worker of one installation gives the same list.
    "JOBS_APART": [],
    #: What a register upload may unpack to and hold (survey/registry/register_limits.py):
    #: declared sizes are checked before parsing, rows, columns and texts while reading.
    "REGISTER_MAX_UNPACKED_BYTES": 150 * 1024 * 1024,
    "REGISTER_MAX_SHEET_BYTES": 100 * 1024 * 1024,
    "REGISTER_MAX_SHARED_STRINGS_BYTES": 50 * 1024 * 1024,
    "REGISTER_MAX_OTHER_PART_BYTES": 10 * 1024 * 1024,
    "REGISTER_MAX_RATIO": 100,
    "REGISTER_MAX_PARTS": 1000,
    "REGISTER_MAX_ROWS": 100_000,
    "REGISTER_MAX_COLUMNS": 100,
    "REGISTER_MAX_CELL_CHARS": 32_767,
    #: The anonymous city summary at /summary.
    "PUBLIC_SUMMARY": True,
    #: Its figures are cached per app process and recomputed when the wave's submitted
    #: responses or the register change, but at most once in MIN_AGE seconds (a busy
    #: deadline day would otherwise recompute at every submission) and at least once in
    #: MAX_AGE seconds (changes the stamp does not see, such as reference data).
    "PUBLIC_SUMMARY_CACHE_MIN_AGE": 60,
    "PUBLIC_SUMMARY_CACHE_MAX_AGE": 600,
    "RATELIMIT_SUMMARY": "30 per minute; 300 per hour",
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
    check(app)


def finalise(app: Flask) -> None:
    """Derive settings that depend on others: the database URL and the secret key."""
    url = app.config["DATABASE_URL"]
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "survey.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    # Stored JSON (each response's answers above all) is read by orjson: re-scoring a
    # wave decodes every response's answers, which took the standard library's decoder
    # half again as long. A deserializer set in SQLALCHEMY_ENGINE_OPTIONS wins.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "json_deserializer": orjson.loads,
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
    }
    _jobs(app)
    _base_url(app)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(app)
    if app.config["REMEMBER_COOKIE_SECURE"] is None:
        app.config["REMEMBER_COOKIE_SECURE"] = bool(app.config["SESSION_COOKIE_SECURE"])


def _jobs(app: Flask) -> None:
    """Resolve the job queue's storage, the export folder and JOBS_INLINE."""
    conf = app.config
    if not conf["JOBS_URL"]:
        conf["JOBS_URL"] = "sqlite:///" + os.path.join(app.instance_path, "jobs.sqlite")
    url = conf["JOBS_URL"]
    if not isinstance(url, str) or not url.startswith(("sqlite:////", "redis://", "rediss://", "unix://")):
        raise ConfigError(
            _wrong("JOBS_URL", url, "sqlite:////an/absolute/path/jobs.sqlite or redis://host:port/db")
        )
    if os.path.abspath(url.removeprefix("sqlite:///")) == os.path.abspath(
        conf["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    ):
        raise ConfigError(_wrong("JOBS_URL", url, "a file of its own, not the app's database"))
    if not conf["EXPORT_DIR"]:
        conf["EXPORT_DIR"] = os.path.join(app.instance_path, "exports")
    if not conf["UPLOAD_DIR"]:
        conf["UPLOAD_DIR"] = os.path.join(app.instance_path, "uploads")
    if conf["JOBS_INLINE"] is None:
        conf["JOBS_INLINE"] = bool(conf["EXPORT_INLINE"])
    for name in (
        "JOBS_HEARTBEAT_SECONDS",
        "JOBS_STALE_SECONDS",
        "JOBS_MAX_ATTEMPTS",
        "JOBS_SQLITE_BUSY_SECONDS",
    ):
        value = conf[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(_wrong(name, value, "a number above 0"))
    if conf["JOBS_HEARTBEAT_SECONDS"] * 2 > conf["JOBS_STALE_SECONDS"]:
        raise ConfigError(
            _wrong("JOBS_STALE_SECONDS", conf["JOBS_STALE_SECONDS"], "at least twice JOBS_HEARTBEAT_SECONDS")
        )
    from survey.jobs import LANES  # the jobs that have a worker of their own

    apart = conf["JOBS_APART"]
    known = isinstance(apart, list | tuple) and all(isinstance(name, str) and name in LANES for name in apart)
    if not known:
        raise ConfigError(_wrong("JOBS_APART", apart, f"a list of jobs from {', '.join(LANES)}, or []"))


def _base_url(app: Flask) -> None:
    """Check BASE_URL and derive TRUSTED_HOSTS from it (see survey/urls.py)."""
    base = app.config["BASE_URL"] or ""
    if not isinstance(base, str):
        raise ConfigError(_wrong("BASE_URL", base, "an address like https://khaosat.example.gov.vn"))
    base = app.config["BASE_URL"] = base.rstrip("/")
    if not base:
        return
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            _wrong("BASE_URL", base, "an absolute http(s) address like https://khaosat.example.gov.vn")
        )
    if app.config["TRUSTED_HOSTS"] is None:
        app.config["TRUSTED_HOSTS"] = [parts.hostname, "localhost", "127.0.0.1"]


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


#: Settings holding Flask-Limiter rate limits, e.g. "30 per minute; 300 per hour".
RATE_LIMIT_SETTINGS = (
    "RATELIMIT_START",
    "RATELIMIT_SUBMIT",
    "RATELIMIT_TOKEN_FAILURES",
    "RATELIMIT_RECOVER",
    "RATELIMIT_LOGIN_PER_ADDRESS",
    "RATELIMIT_LOGIN_PER_ACCOUNT",
    "RATELIMIT_LOGIN_ACCOUNT_CEILING",
    "RATELIMIT_SUMMARY",
)
#: Counts and thresholds that must be whole numbers above zero.
POSITIVE_INT_SETTINGS = (
    "DASHBOARD_MIN_GROUP",
    "MODEL_MIN_REGISTER",
    "PEER_MIN_GROUP",
    "PER_PAGE",
    "RETENTION_DAYS",
    "MAIL_PER_MINUTE",
    "MAIL_TIMEOUT",
)


def check(app: Flask) -> None:
    """Refuse to start with settings that would only fail later, on some request.

    A misspelt stratum in ROLLUP_STRATA once started fine and made /summary answer 500.
    Every wrong setting is named with its value and what it may be, all in one error.
    """
    conf = app.config
    problems = [
        *_strata_problems(conf["ROLLUP_STRATA"]),
        *_language_problems(app),
        *_positive_int_problems(conf),
        *_rate_limit_problems(conf),
        *_framework_problems(conf["DEFAULT_FRAMEWORK"]),
        *_reminder_problems(conf["REMINDER_DAYS_BEFORE_CLOSE"]),
    ]
    if problems:
        raise ConfigError(
            "The app cannot start with these settings (instance/config.py or SURVEY_* variables):\n"
            + "\n".join(f"- {problem}" for problem in problems)
        )


def _wrong(setting: str, value: object, allowed: str) -> str:
    return f"{setting} is {value!r}; it must be {allowed}"


def _reminder_problems(days: object) -> list[str]:
    if not isinstance(days, list | tuple) or not all(
        isinstance(n, int) and not isinstance(n, bool) and 0 < n <= 366 for n in days
    ):
        return [_wrong("REMINDER_DAYS_BEFORE_CLOSE", days, "a list of whole days from 1 to 366, e.g. [7, 2]")]
    return []


def _strata_problems(strata: object) -> list[str]:
    from survey.statistics.dimensions import DIMENSIONS

    allowed = f"a list of dimensions from {', '.join(DIMENSIONS)}"
    if not isinstance(strata, list | tuple) or not all(isinstance(name, str) for name in strata):
        return [_wrong("ROLLUP_STRATA", strata, allowed)]
    unknown = [name for name in strata if name not in DIMENSIONS]
    if unknown:
        return [_wrong("ROLLUP_STRATA", strata, f"{allowed} (unknown: {', '.join(unknown)})")]
    if len(set(strata)) != len(strata):
        return [_wrong("ROLLUP_STRATA", strata, f"{allowed}, each once")]
    return []


def _catalogues(app: Flask) -> set[str]:
    """The languages with a message catalogue in Flask-Babel's translation folders."""
    found = set()
    for folder in app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations").split(";"):
        for catalogue in Path(app.root_path, folder).glob("*/LC_MESSAGES/messages.[pm]o"):
            found.add(catalogue.parent.parent.name)
    return found


def _language_problems(app: Flask) -> list[str]:
    languages, default = app.config["LANGUAGES"], app.config["BABEL_DEFAULT_LOCALE"]
    available = sorted(_catalogues(app))
    allowed = f"a list of languages from those with a catalogue: {', '.join(available)}"
    if (
        not isinstance(languages, list | tuple)
        or not languages
        or not all(isinstance(x, str) for x in languages)
    ):
        return [_wrong("LANGUAGES", languages, allowed)]
    problems = []
    if not set(languages) <= set(available):
        problems.append(_wrong("LANGUAGES", languages, allowed))
    if default not in languages:
        problems.append(_wrong("BABEL_DEFAULT_LOCALE", default, f"one of LANGUAGES ({', '.join(languages)})"))
    return problems


def _positive_int_problems(conf) -> list[str]:
    return [
        _wrong(name, conf[name], "a whole number above 0")
        for name in POSITIVE_INT_SETTINGS
        if isinstance(conf[name], bool) or not isinstance(conf[name], int) or conf[name] < 1
    ]


def _rate_limit_problems(conf) -> list[str]:
    import limits

    allowed = 'rate limits like "30 per minute; 300 per hour", each of at least 1'
    problems = []
    for name in RATE_LIMIT_SETTINGS:
        value = conf[name]
        try:
            parsed = limits.parse_many(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if not parsed or any(item.amount < 1 for item in parsed):
            problems.append(_wrong(name, value, allowed))
    return problems


def _framework_problems(code: object) -> list[str]:
    from survey import frameworks

    packaged = sorted({found for found, _, _ in frameworks.files()})
    if code not in packaged:
        return [_wrong("DEFAULT_FRAMEWORK", code, f"a packaged framework: {', '.join(packaged)}")]
    return []
