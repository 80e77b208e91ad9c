"""The API's blueprint; its routes live in survey.api.views."""

from __future__ import annotations

from survey.api.openapi import ApiBlueprint
from survey.api.problems import PREFIX, from_exception

bp = ApiBlueprint(
    "api",
    __name__,
    url_prefix=PREFIX,
    description="The survey's figures, version 1. Public: the summary. With a token: the rest.",
)
#: Every error of the API's views is a problem (survey.api.problems).
bp.register_error_handler(Exception, from_exception)
