"""Every staff route refuses anonymous users, and every action refuses lower roles.

The test walks ``app.url_map``, so a route added later without a guard fails here.
"""

from __future__ import annotations

import re

import pytest

from survey.models import Role
from survey.models.staff import ROLE_RANK
from tests import factories

SAMPLE_ARGS = {
    "user_id": 1,
    "wave_id": 1,
    "response_id": 1,
    "invitation_id": 1,
    "job_id": 1,
    "run_id": 1,
    "task_id": 1,
    "action": "open",
    "upload": "0" * 32,
    "kind": "framework",
    "version_id": 1,
    "draft_id": 1,
    "step": 1,
    "programme_id": 1,
    "change": "withdraw",
    "token_id": 1,
    "firm_id": 1,
    "name": "levels",
    "fmt": "svg",
    "mailout_id": 1,
    "purpose": "invitation",
}


def staff_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("staff.")]


def _path(rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(SAMPLE_ARGS[m.group(1)]), rule.rule)


def test_every_staff_view_declares_a_role(app):
    rules = staff_rules(app)
    assert len(rules) >= 20
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "required_role", None) in Role, f"{rule.endpoint} has no role check"


def test_anonymous_users_are_sent_to_log_in_everywhere(app, client):
    # A valid CSRF token from a public page, so that the log-in guard is what answers.
    token = client.csrf_token("/")
    for rule in staff_rules(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(_path(rule), method=method, data=data)
            assert response.status_code == 302, (rule.endpoint, method, response.status_code)
            assert response.headers["Location"].startswith("/staff/login"), rule.endpoint


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_lower_roles_are_refused(app, client, db, as_role, role):
    factories.wave()  # so that wave-dependent pages exist
    as_role(role)
    token = client.csrf_token("/staff/")
    checked = 0
    for rule in staff_rules(app):
        required = app.view_functions[rule.endpoint].required_role
        if ROLE_RANK[required] <= ROLE_RANK[role]:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(_path(rule), method=method, data=data)
            assert response.status_code == 403, (rule.endpoint, method, response.status_code)
            checked += 1
    assert checked > 5


def test_roles_are_ordered():
    assert ROLE_RANK[Role.ADMIN] > ROLE_RANK[Role.ANALYST] > ROLE_RANK[Role.VIEWER]
