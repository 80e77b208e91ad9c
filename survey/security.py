"""Security headers on every response.

No page has inline script or style, so the Content-Security-Policy can forbid both;
``frame-ancestors 'none'`` (and X-Frame-Options for old browsers) stops click-jacking;
``Referrer-Policy: same-origin`` keeps resume and invitation links, which carry a
secret in the path, from leaking to other sites.

Form fields and query parameters must be text. A request whose form holds bytes that
are not UTF-8, or whose form or query string holds control characters (anything below
a space but tab and line breaks, DEL, and the U+FFFD that stands for unreadable bytes),
is refused with a 400 that says why, before any view sees it. Left alone, Werkzeug
would quietly drop a raw body that is not UTF-8, turn percent-encoded junk into
look-alike text, and hand a NUL to the database, which PostgreSQL refuses with an error.

Bodies are capped before they are read: ``MAX_CONTENT_LENGTH`` (a few hundred KB) on
every route, and ``UPLOAD_MAX_CONTENT_LENGTH`` on the routes named in
``UPLOAD_ENDPOINTS``, for signed-in staff only. The cap is the request's own
(``TextFormRequest.max_content_length``), not a ``before_request`` hook, because the
CSRF check reads the form in a hook of its own that may run first.

Pages with personal data, the respondent's journey, the staff workspace and its
downloads, are sent with ``Cache-Control: no-store``, as is every response that sets a
cookie, so that neither a shared proxy nor the browser's disk keeps them.

Resume, invitation and recovery tokens are secrets in the path; ``redact_tokens`` cuts
them short in the access logs (Werkzeug's here, gunicorn's in survey/gunicorn_conf.py).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl

from flask import Flask, Request, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest
from werkzeug.formparser import FormDataParser

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


#: What no form field may carry; tab, line feed and carriage return are text.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def _not_text() -> BadRequest:
    return BadRequest(
        _(
            "The form contains characters that are not text (control characters, or bytes "
            "that are not UTF-8). Please remove them and send it again."
        )
    )


class TextFormParser(FormDataParser):
    """Parses forms like Werkzeug's, but refuses fields that are not text (see above)."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        try:
            text = stream.read().decode("utf-8")
            items = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise _not_text() from None
        _check(items)
        return stream, self.cls(items), self.cls()

    def _parse_multipart(self, stream, mimetype, content_length, options):
        stream, form, files = super()._parse_multipart(stream, mimetype, content_length, options)
        try:
            _check(form.items(multi=True))
        except BadRequest:
            # The request never gets these files, so it would not close them either.
            for _name, upload in files.items(multi=True):
                upload.close()
            raise
        return stream, form, files


def _check(items) -> None:
    # A multipart part whose name Werkzeug could not read (name="a\" escapes its own closing
    # quote) comes with the name None: no field of ours, and Flask-WTF's CSRF check would
    # crash on it, so it is refused like any other field that is not text.
    if any(name is None or NOT_TEXT.search(name) or NOT_TEXT.search(value) for name, value in items):
        raise _not_text()


class TextFormRequest(Request):
    form_data_parser_class = TextFormParser

    @property
    def max_content_length(self) -> int | None:
        """The body cap of this request: the upload cap on upload routes for staff."""
        if self._max_content_length is None and current_app and self._may_upload():
            return current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _may_upload(self) -> bool:
        # Anonymous clients keep the small cap even there: the role check comes after the
        # CSRF check, which would already have read (and spooled) the whole body.
        return self.endpoint in current_app.config["UPLOAD_ENDPOINTS"] and current_user.is_authenticated


#: Blueprints whose pages carry personal data: never stored by a cache.
NO_STORE_BLUEPRINTS = {"respondent", "staff", "auth"}


class NoStoreCookieSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, marking every response that sets a cookie ``no-store``.

    This runs after every ``after_request`` hook (Flask-Login's among them), when the
    response's cookies are final.
    """

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if "Set-Cookie" in response.headers:
            response.headers["Cache-Control"] = "no-store"


#: A token in a path: /resume/<token>, /i/<token>, /recover/<token>.
TOKEN_IN_PATH = re.compile(r"(?<=/)(resume|i|recover)/([^/?#\s\"']{4})[^/?#\s\"']*")


def redact_tokens(text: str) -> str:
    """``text`` with every path token cut to its first four characters and an ellipsis."""
    return TOKEN_IN_PATH.sub(r"\1/\2…", text)


class RedactTokens(logging.Filter):
    """Redacts tokens in the message and the string arguments of each log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_tokens(a) if isinstance(a, str) else a for a in record.args)
        return True


def redact_werkzeug_log() -> None:
    """Install the filter on the development server's request log (idempotent)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())


def init_app(app: Flask) -> None:
    app.request_class = TextFormRequest
    app.session_interface = NoStoreCookieSessionInterface()
    redact_werkzeug_log()

    @app.before_request
    def refuse_query_strings_that_are_not_text():
        # The same rule for the query string (filters, searches, pages) as for forms.
        _check(request.args.items(multi=True))

    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.blueprint in NO_STORE_BLUEPRINTS:
            response.headers["Cache-Control"] = "no-store"
        return response
