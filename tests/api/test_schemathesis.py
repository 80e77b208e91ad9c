"""Schemathesis against the app's own OpenAPI document: every operation, generated inputs.

Inputs are generated from the document (valid ones, and ones the document forbids), sent
to the app in-process, and every answer is checked: never a 500; its status, content type,
headers and body are the ones the document gives; what the document forbids is refused
with a 4xx. The token is an analyst's, so every operation is reached past its guard
(tests/api/test_tokens.py covers the refusals). Rate limits are raised so that the
generated traffic is not throttled. ``API_EXAMPLES`` sets the examples per operation.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, note, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks

from survey.extensions import limiter
from survey.models import ApiScope
from tests.api.conftest import bearer

EXAMPLES = int(os.environ.get("API_EXAMPLES", "25"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture
def api_schema(app, db, city, make_token, monkeypatch):
    """The app's own document, loaded as schemathesis reads it, and the token to send."""
    for name in ("RATELIMIT_API", "RATELIMIT_TOKEN_FAILURES", "RATELIMIT_SUMMARY"):
        monkeypatch.setitem(app.config, name, "100000 per minute")
    limiter.reset()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), bearer(make_token(ApiScope.ANALYST))


def _operations(loaded) -> dict[str, object]:
    return {f"{op.ok().method.upper()} {op.ok().path}": op.ok() for op in loaded.get_all_operations()}


def _runs(loaded, wave_id: int):
    """(name, operation, fixed path parameters) for each run: every operation with generated
    path parameters (almost all unknown ids), and those with ids once more on real ones, so
    that the generated queries reach the figures."""
    for name, operation in _operations(loaded).items():
        yield name, operation, None
        if "{wave_id}" in name:
            yield name, operation, {"wave_id": wave_id}
        if "{version}" in name:
            yield name, operation, {"code": "dbi-2021-sme", "version": 2}


def _has_parameters(loaded, name: str) -> bool:
    path = loaded.raw_schema["paths"][name.split(" ", 1)[1]]
    return bool(path.get("parameters") or path["get"].get("parameters"))


def _run(operation, name: str, mode, fixed, headers: dict, statuses: Counter) -> None:
    """Draw ``operation``'s cases, send each, check each answer; count the statuses."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    def run(case):
        note(f"{name}: {case.path_parameters} {case.query}")
        answer = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[name, answer.status_code] += 1

    run()


# The schemathesis pytest plugin's lazy schemas do not run under this pytest, so each
# operation's cases are drawn from its strategy with hypothesis directly: the same cases,
# the same checks.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_every_operation_answers_as_its_document_says(api_schema, city, mode):
    loaded, headers = api_schema
    statuses: Counter[tuple[str, int]] = Counter()
    for name, operation, fixed in _runs(loaded, city.id):
        if mode is GenerationMode.NEGATIVE and not _has_parameters(loaded, name):
            continue  # nothing to send that the document forbids

        _run(operation, name, mode, fixed, headers, statuses)
    print(f"\n{mode}: {sum(statuses.values())} requests, by (operation, status): {sorted(statuses.items())}")
    if mode is GenerationMode.POSITIVE:
        # The generated requests reached every operation's answer, not only its refusals.
        assert {name for name, status in statuses if status == 200} == set(_operations(loaded))
