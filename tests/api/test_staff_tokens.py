"""Administrators create, list and revoke API tokens at /staff/api-tokens; both are audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey import tokens
from survey.models import ApiScope, ApiToken, AuditEvent, Role
from survey.models.base import utcnow
from survey.timezone import LOCAL
from tests.api.conftest import bearer


def _day(days: int) -> str:
    return (utcnow().astimezone(LOCAL).date() + timedelta(days=days)).isoformat()


def _create(http, token: str, **fields):
    data = {
        "csrf_token": token,
        "client": "Cổng dữ liệu mở",
        "scope": "analyst",
        "expires_on": _day(30),
        **fields,
    }
    return http.post("/staff/api-tokens", data=data)


def _count(db, model, **by) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**by))


def test_an_admin_creates_a_token_shown_once_and_kept_as_a_digest(client, db, as_role):
    admin = as_role(Role.ADMIN)
    page = client.get("/staff/api-tokens")
    assert page.status_code == 200 and 'data-testid="no-tokens"' in page.get_data(as_text=True)
    answer = _create(client, client.csrf_token("/staff/api-tokens"))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="([^"]+)" data-testid="token-secret"', answer.get_data(as_text=True)).group(1)
    token = db.session.scalars(select(ApiToken)).one()
    assert token.token_hash == tokens.digest(secret) and token.scope is ApiScope.ANALYST
    assert token.client == "Cổng dữ liệu mở" and token.created_by_id == admin.id
    event = db.session.scalars(select(AuditEvent).filter_by(action="api_token.created")).one()
    assert event.actor_id == admin.id and event.object_id == str(token.id)
    assert event.details["scope"] == "analyst" and secret not in str(event.details)
    # Listed, never shown again.
    listing = client.get("/staff/api-tokens").get_data(as_text=True)
    assert "Cổng dữ liệu mở" in listing and secret not in listing
    # It works on the API at once, and its uses are counted on the list.
    assert client.get("/api/v1/waves", headers=bearer(secret)).status_code == 200
    assert re.search(
        rf'data-testid="uses-{token.id}">1<', client.get("/staff/api-tokens").get_data(as_text=True)
    )


def test_revoking_ends_the_token_and_is_audited_once(client, db, as_role):
    as_role(Role.ADMIN)
    csrf = client.csrf_token("/staff/api-tokens")
    page = _create(client, csrf).get_data(as_text=True)
    secret = re.search(r'value="([^"]+)" data-testid="token-secret"', page).group(1)
    token = db.session.scalars(select(ApiToken)).one()
    answer = client.post(f"/staff/api-tokens/{token.id}/revoke", data={"csrf_token": csrf})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/staff/api-tokens")
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert client.get("/api/v1/waves", headers=bearer(secret)).get_json()["code"] == "token_revoked"
    client.post(f"/staff/api-tokens/{token.id}/revoke", data={"csrf_token": csrf})
    assert _count(db, AuditEvent, action="api_token.revoked") == 1
    assert client.post(f"/staff/api-tokens/{token.id}/revoke", data={}).status_code == 400
    assert client.post("/staff/api-tokens/999999/revoke", data={"csrf_token": csrf}).status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"client": ""},
        {"client": "   "},
        {"client": "x" * 121},
        {"scope": "admin"},
        {"scope": ""},
        {"expires_on": _day(0)},
        {"expires_on": _day(-5)},
        {"expires_on": _day(731)},
        {"expires_on": "2026-02-30"},
        {"expires_on": "tomorrow"},
        {"client": "Kho\x00dữ liệu"},
    ],
)
def test_refused_input_creates_nothing(client, db, as_role, fields):
    as_role(Role.ADMIN)
    answer = _create(client, client.csrf_token("/staff/api-tokens"), **fields)
    assert answer.status_code == 400
    assert _count(db, ApiToken) == 0 and _count(db, AuditEvent, action="api_token.created") == 0


def test_without_its_csrf_token_the_form_is_refused(client, db, as_role):
    as_role(Role.ADMIN)
    assert _create(client, "not-the-token").status_code == 400
    assert _count(db, ApiToken) == 0


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_only_admins_reach_the_tokens(client, db, as_role, make_token, role):
    make_token()
    token_id = db.session.scalars(select(ApiToken.id)).one()
    as_role(role)
    csrf = client.csrf_token("/staff/")
    assert client.get("/staff/api-tokens").status_code == 403
    assert _create(client, csrf).status_code == 403
    assert client.post(f"/staff/api-tokens/{token_id}/revoke", data={"csrf_token": csrf}).status_code == 403
    assert _count(db, ApiToken) == 1
