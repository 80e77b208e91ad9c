"""The JSON API for the city's other systems, version 1, under /api/v1.

Its OpenAPI 3 document, served at /api/v1/openapi.json, is the reference: it is written
from the same schemas that validate the parameters and shape the answers.

Built on flask-smorest (marshmallow, webargs, apispec). It plugs into the app as it is:
an extension and a blueprint, with the app's own factory, unit of work, rate limiter and
error pages left alone. APIFlask, the other candidate, is an application class of its
own (``APIFlask`` in place of ``Flask``), which would have meant changing the factory
and every part that hooks into it for the sake of one blueprint.

- survey.api.views: the routes; survey.api.auth: bearer tokens on them;
- survey.api.credentials: the tokens' rules (made, refused, revoked, counted);
- survey.api.summary and survey.api.responses: the public summary and the responses,
  as data from the code that makes /summary and the responses workbook;
- survey.api.problems: errors as RFC 9457 problem details with stable codes;
- survey.api.openapi, schemas, figure_schemas: the document and its schemas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

#: The API's settings, each overridable like any other (instance/config.py, SURVEY_*).
DEFAULTS = {
    "API_TITLE": "Hải Phòng digital-readiness survey API",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    #: Requests one API token may make (Flask-Limiter's syntax, the app's limiter).
    "RATELIMIT_API": "120 per minute; 3000 per hour",
}


def init_app(app: Flask) -> None:
    """Bind the API to ``app`` (call with the other blueprints, before the views are wrapped)."""
    import limits

    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    try:
        parsed = limits.parse_many(app.config["RATELIMIT_API"])
    except (ValueError, TypeError):
        parsed = []
    if not parsed or any(item.amount < 1 for item in parsed):
        from survey.config import ConfigError

        raise ConfigError(
            f"RATELIMIT_API is {app.config['RATELIMIT_API']!r}; it must be a rate limit like "
            '"120 per minute; 3000 per hour"'
        )

    from survey.api import auth, problems, views
    from survey.api.openapi import make_api

    api = make_api()
    api.init_app(app)
    auth.init_spec(api)
    api.register_blueprint(views.bp)
    problems.init_app(app)
