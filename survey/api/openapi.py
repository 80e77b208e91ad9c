"""flask-smorest, set up for this API: errors as problem details, parameters refused with 400.

flask-smorest documents each view from its decorators (its arguments' schema, its
responses), and the same schemas validate the arguments and shape the answers, so the
OpenAPI document cannot drift from what the views do. Three of its defaults are changed:

- its error handler for the whole app is not installed (survey.errors keeps the app's
  pages; the API's blueprint has its own, survey.api.problems);
- the error responses it documents are problem details (``application/problem+json``,
  the ``Problem`` schema) instead of its own error format;
- a refused parameter is a 400 ``invalid_parameter`` problem, not webargs' 422, and a
  parameter the document does not name is refused too (a misspelt filter must not
  quietly give the figures of the whole wave);
- no catch-all "default" error is documented: each operation lists the statuses it can
  answer, so the schemathesis run in the tests proves that it answers no other.
"""

from __future__ import annotations

import http

import marshmallow as ma
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser

from survey.api.problems import PROBLEM_JSON, Problem
from survey.api.schemas import ProblemSchema


class ProblemParser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400
    #: Query strings are validated as strictly as bodies: unknown names are refused.
    DEFAULT_UNKNOWN_BY_LOCATION: dict = {  # noqa: RUF012 (webargs reads it from the class)
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        from flask_babel import gettext as _

        raise Problem(
            "invalid_parameter",
            _("A parameter was refused; errors says which and why."),
            errors=error.messages,
        )


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ProblemParser()


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        """The app's error pages stay survey.errors'; the API's are on its blueprint."""

    def _register_responses(self):
        """Api's own, documented as problem details (one component per status)."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)


def make_api() -> ProblemApi:
    """One per app (the Api holds its app and its document)."""
    return ProblemApi(
        spec_kwargs={
            "info": {
                "description": (
                    "The figures of Hải Phòng's digital-readiness survey for the city's other "
                    "systems. The public summary needs no token; everything else needs an API "
                    "token (Authorization: Bearer …) that an administrator creates at "
                    "/staff/api-tokens, with the viewer or the analyst scope. Errors are problem "
                    "details (RFC 9457) with a stable code."
                )
            }
        }
    )
