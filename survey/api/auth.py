"""Bearer tokens on the API's views: who may call, how often, and what a wrong token costs.

``@token_required(scope)`` goes on every view that is not public. Before the view runs:

- the client's address is refused with 429 once it sent too many wrong tokens
  (``RATELIMIT_TOKEN_FAILURES``, the setting of the wrong resume links, counted the same
  way: only refusals count, by address, in the app's limiter) — guessing is throttled;
- each token may make ``RATELIMIT_API`` requests (counted by the token presented);
- the token must be live (known, not revoked, not expired): 401 with a problem saying
  which (``token_invalid``, ``token_revoked``, ``token_expired``; ``token_missing`` without
  one, which costs nothing), and ``WWW-Authenticate`` as RFC 6750 has it;
- its use is counted, in a short writing unit beside the request's (survey.work.beside),
  before the request reads anything;
- its scope must allow the view: 403 ``insufficient_scope`` otherwise.

The decorator also documents all this in the OpenAPI document (the security scheme and
the 401, 403 and 429 answers).
"""

from __future__ import annotations

import functools
import hashlib
import re

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from survey import work
from survey.api import credentials
from survey.api.blueprint import bp
from survey.api.problems import Problem
from survey.extensions import limiter
from survey.models import ApiScope
from survey.models.base import utcnow

SCHEME = "bearerAuth"
#: A secret of survey.tokens is 43 URL-safe characters; anything else is no token of ours.
_BEARER = re.compile(r"^Bearer ([A-Za-z0-9_-]{20,100})$")
_WRONG = "survey_api_wrong_token"


def _presented() -> str | None:
    return request.headers.get("Authorization")


def _token_key() -> str:
    """The per-token count's key: a digest of what was presented (never the secret itself)."""
    presented = _presented() or ""
    if not presented:
        return f"api-anonymous:{get_remote_address()}"
    return "api-token:" + hashlib.sha256(presented.encode("utf-8", "replace")).hexdigest()[:32]


def _wrong_token(response) -> bool:
    """Count only refused tokens against the address, not good ones or none at all."""
    return response.status_code == 401 and bool(g.get(_WRONG))


def _challenge(error: str | None = None) -> dict[str, str]:
    value = 'Bearer realm="api"' + (f', error="{error}"' if error else "")
    return {"WWW-Authenticate": value}


def authenticate(scope: ApiScope) -> credentials.Caller:
    """The request's caller, its use counted; raises the problem to answer otherwise."""
    presented = _presented()
    if not presented:
        raise Problem("token_missing", headers=_challenge())
    match = _BEARER.match(presented.strip())
    try:
        if match is None:
            raise credentials.Refusal("token_invalid")
        with work.beside() as session:
            caller = credentials.accept(session, match.group(1), utcnow())
    except credentials.Refusal as refusal:
        g.setdefault(_WRONG, True)
        raise Problem(refusal.code, headers=_challenge("invalid_token")) from None
    if not caller.may(scope):
        raise Problem("insufficient_scope", headers=_challenge("insufficient_scope"))
    g.api_caller = caller
    return caller


def token_required(scope: ApiScope):
    """Put on an API view (below its route and response decorators) that needs a token."""

    def decorator(view):
        def guarded(*args, **kwargs):
            authenticate(scope)
            return view(*args, **kwargs)

        # The view's own name first: Flask-Limiter keeps each view's limits under it.
        guarded = functools.wraps(view)(guarded)
        guarded = limiter.shared_limit(
            lambda: current_app.config["RATELIMIT_API"], scope="api-token", key_func=_token_key
        )(guarded)
        guarded = limiter.shared_limit(
            lambda: current_app.config["RATELIMIT_TOKEN_FAILURES"],
            scope="api-token-failures",
            deduct_when=_wrong_token,
        )(guarded)
        for status, name in ((429, "TOO_MANY_REQUESTS"), (403, "FORBIDDEN"), (401, "UNAUTHORIZED")):
            guarded = bp.alt_response(status, name)(guarded)
        return bp.doc(security=[{SCHEME: []}])(guarded)

    return decorator


def init_spec(api) -> None:
    """Declare the security scheme the views name."""
    api.spec.components.security_scheme(
        SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from /staff/api-tokens (administrators create them).",
        },
    )
