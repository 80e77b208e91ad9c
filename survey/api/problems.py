"""Errors of the API as problem details (RFC 9457): ``application/problem+json``.

Every refusal under /api/v1 has the members ``type``, ``title``, ``status``, ``detail``
and a stable ``code`` (one of ``KINDS``; programs branch on it, never on the words).
``type`` is the address of the problem type's own description under
``/api/v1/problems/<code>``. Refused parameters come with ``errors``, the parameter's
messages by location, as webargs reports them.

The blueprint's handlers turn every error of the API's views into a problem (those
raised as :class:`Problem`, Werkzeug's HTTP errors, Flask-Limiter's 429 and anything
unexpected, which is logged and answered as a 500 without detail). Addresses under the
API that match no route, or a route by another method, never reach a view, so a hook
before the request answers them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, json, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Response

PROBLEM_JSON = "application/problem+json"
PREFIX = "/api/v1"


@dataclass(frozen=True)
class Kind:
    """A problem type: its stable code, HTTP status and title."""

    code: str
    status: int
    title: object  # a lazy string: translated when the problem is sent

    @property
    def type(self) -> str:
        return f"{PREFIX}/problems/{self.code}"


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("bad_request", 400, _l("The request could not be understood")),
        Kind("invalid_parameter", 400, _l("A parameter is not valid")),
        Kind("not_comparable", 400, _l("The waves cannot be compared")),
        Kind("token_missing", 401, _l("An API token is needed")),
        Kind("token_invalid", 401, _l("The API token is not valid")),
        Kind("token_expired", 401, _l("The API token has expired")),
        Kind("token_revoked", 401, _l("The API token was revoked")),
        Kind("insufficient_scope", 403, _l("The API token's scope does not allow this")),
        Kind("not_found", 404, _l("Not found")),
        Kind("no_summary", 404, _l("No summary has been published")),
        Kind("method_not_allowed", 405, _l("Method not allowed")),
        Kind("not_acceptable", 406, _l("Not acceptable")),
        Kind("too_large", 413, _l("The request is too large")),
        Kind("rate_limited", 429, _l("Too many requests")),
        Kind("internal_error", 500, _l("Something went wrong")),
        Kind("unavailable", 503, _l("Service unavailable")),
    )
}
#: The code of a plain HTTP error (an ``abort``, Werkzeug's own) by its status.
BY_STATUS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 406: "not_acceptable"}
BY_STATUS.update({413: "too_large", 429: "rate_limited", 500: "internal_error", 503: "unavailable"})


class Problem(HTTPException):
    """Raise to answer with the problem ``code`` (a key of ``KINDS``)."""

    def __init__(
        self,
        code: str,
        detail: str | None = None,
        *,
        errors: dict | None = None,
        headers: dict[str, str] | None = None,
    ):
        self.kind = KINDS[code]
        self.code = self.kind.status
        super().__init__(description=detail)
        self.detail = detail
        self.errors = errors
        self.extra_headers = headers or {}


def response(
    code: str, detail: str | None = None, *, errors: dict | None = None, headers: dict | None = None
) -> Response:
    """The problem ``code`` as a response."""
    kind = KINDS[code]
    body = {
        "type": kind.type,
        "title": str(kind.title),
        "status": kind.status,
        "detail": detail or str(kind.title),
        "code": kind.code,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    answer = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=kind.status, mimetype=PROBLEM_JSON
    )
    answer.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        answer.headers[name] = value
    return answer


def from_exception(exc: Exception) -> Response:
    """Any error of an API view as a problem."""
    if isinstance(exc, Problem):
        return response(exc.kind.code, exc.detail, errors=exc.errors, headers=exc.extra_headers)
    if isinstance(exc, HTTPException):
        code = BY_STATUS.get(exc.code or 500, "bad_request" if (exc.code or 500) < 500 else "internal_error")
        headers = {k: v for k, v in exc.get_headers() if k.lower() not in ("content-type", "content-length")}
        return response(code, _detail(exc, code), headers=headers)
    current_app.logger.exception("unhandled error in the API")
    return response("internal_error", _("The error has been logged. Please try again later."))


def _detail(exc: HTTPException, code: str) -> str | None:
    """Say what was wrong when it is ours to say: a 400 from the app's own checks (such as
    a query string that is not text) carries a description written for people."""
    if code == "bad_request" and exc.description != type(exc).description:
        return exc.description
    if code == "rate_limited":
        return _("Please wait before sending more requests (see Retry-After).")
    if code == "method_not_allowed":
        return _("This address answers GET requests only.")
    return None


def init_app(app: Flask) -> None:
    """Answer the API's unrouted requests (the views' errors: survey.api.blueprint)."""

    @app.before_request
    def _unrouted_api_requests():
        # No view matched: the blueprint's handlers are not consulted, so answer here.
        exc = request.routing_exception
        if request.path.startswith(PREFIX + "/") and isinstance(exc, NotFound | MethodNotAllowed):
            return from_exception(exc)
        return None
