"""The app's own error pages, in the user's language, with no internal detail."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, make_response, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from survey import csrf_retry

MESSAGES = {
    400: lambda: (_("The request could not be understood"), _("Please go back and try again.")),
    403: lambda: (_("Not allowed"), _("Your account does not have permission for this page or action.")),
    404: lambda: (_("Page not found"), _("The page you asked for does not exist.")),
    405: lambda: (_("Not allowed"), _("This page cannot be used this way.")),
    409: lambda: (_("Conflict"), _("The request conflicts with the current state of the data.")),
    413: lambda: (_("Too large"), _("What you sent is too large.")),
    429: lambda: (
        _("Too many attempts"),
        _("Please wait a few minutes before trying again."),
    ),
    500: lambda: (_("Something went wrong"), _("The error has been logged. Please try again later.")),
}


def _render(code: int, detail: str | None = None):
    _ensure_url_adapter()
    title, text = MESSAGES.get(code, MESSAGES[500])()
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "detail": detail or text}, code
    return render_template("errors/error.html", code=code, title=title, text=text, detail=detail), code


def init_app(app: Flask) -> None:
    # The form pages that come back filled in when their token expired (never this page).
    csrf_retry.init_app(app)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, CSRFError):
            # Flask-WTF's reason is English and about the mechanism; the user needs to
            # know that the form expired (usually a session that timed out). The form
            # pages of csrf_retry.KEEP_TYPED never come here: they come back filled in.
            detail = _("The form has expired. Please try again.")
        elif isinstance(exc, SecurityError):
            # A Host outside TRUSTED_HOSTS; Werkzeug's English text would repeat it.
            detail = _("This site does not answer to the address you used. Please use its official address.")
        else:
            # Our own aborts may carry a safe, specific description (e.g. a refused filter).
            detail = exc.description if exc.code in (400, 404) and _is_ours(exc) else None
        response = make_response(_render(exc.code or 500, detail))
        # Keep what the status needs besides the page, e.g. Allow on a 405.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return _render(500)


def _ensure_url_adapter() -> None:
    """A request for a host outside TRUSTED_HOSTS has no URL adapter (Flask could not bind
    one to that host), and the page's links need one: bind it to the configured host. The
    links on the page are paths, so the refused host appears nowhere."""
    ctx = request_ctx._get_current_object()
    if ctx.url_adapter is None:
        parts = urlsplit(current_app.config["BASE_URL"] or "http://localhost")
        ctx.url_adapter = current_app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
        )


def _is_ours(exc: HTTPException) -> bool:
    return exc.description != type(exc).description
