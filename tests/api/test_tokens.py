"""API tokens on the wire: scope, expiry, revocation, counting, per-token limits, wrong-token throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey import tokens
from survey.api import credentials
from survey.models import ApiScope, ApiToken, AuditEvent, Role
from survey.models.base import utcnow
from tests.api.conftest import bearer
from tests.staff.conftest import make_staff

PROTECTED = ["/api/v1/frameworks", "/api/v1/waves", "/api/v1/frameworks/dbi-2021-sme/versions/1"]


def _problem(answer, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert body["code"] == code and body["status"] == status
    assert body["type"] == f"/api/v1/problems/{code}" and body["title"] and body["detail"]
    assert answer.headers["Cache-Control"] == "no-store"
    return body


@pytest.mark.parametrize("path", PROTECTED)
def test_no_token_is_a_401_with_a_challenge(client, db, path):
    answer = client.get(path)
    _problem(answer, 401, "token_missing")
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "header",
    [
        "Bearer " + "x" * 43,
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "bearer" + " " * 3,
        "Bearer a b",
        "Bearer " + "é" * 43,
    ],
)
def test_a_wrong_token_is_a_401_saying_invalid_token(client, db, header):
    answer = client.get("/api/v1/waves", headers={"Authorization": header})
    _problem(answer, 401, "token_invalid")
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


def test_a_live_token_is_accepted_and_every_use_counted(client, db, make_token):
    secret = make_token(ApiScope.VIEWER)
    before = utcnow()
    for _ in range(3):
        assert client.get("/api/v1/waves", headers=bearer(secret)).status_code == 200
    token = db.session.scalars(select(ApiToken).filter_by(token_hash=tokens.digest(secret))).one()
    assert token.use_count == 3 and token.last_used_at >= before
    # Uses are counted, not audited one by one.
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_an_expired_token_is_refused_from_its_expiry_instant(client, db, make_token):
    secret = make_token(expires_at=utcnow() - timedelta(seconds=1))
    _problem(client.get("/api/v1/waves", headers=bearer(secret)), 401, "token_expired")
    token = db.session.scalars(select(ApiToken)).one()
    assert token.use_count == 0 and token.last_used_at is None  # a refused call is no use
    assert token.live(token.expires_at - timedelta(microseconds=1)) and not token.live(token.expires_at)


def test_a_revoked_token_is_refused(client, db, make_token):
    secret = make_token(revoked_at=utcnow())
    _problem(client.get("/api/v1/waves", headers=bearer(secret)), 401, "token_revoked")


def test_the_viewer_scope_reads_figures_not_responses(client, db, city, viewer, analyst):
    assert client.get(f"/api/v1/waves/{city.id}/rollup", headers=viewer).status_code == 200
    answer = client.get(f"/api/v1/waves/{city.id}/responses", headers=viewer)
    _problem(answer, 403, "insufficient_scope")
    assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"]
    assert client.get(f"/api/v1/waves/{city.id}/responses", headers=analyst).status_code == 200


def test_wrong_tokens_are_throttled_by_address_like_resume_links(app, client, db, make_token, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_TOKEN_FAILURES", "3 per minute")
    good = bearer(make_token())
    # Good tokens and no token at all cost nothing.
    for _ in range(4):
        assert client.get("/api/v1/waves", headers=good).status_code == 200
        assert client.get("/api/v1/waves").status_code == 401
    for _ in range(3):
        assert client.get("/api/v1/waves", headers=bearer("w" * 43)).status_code == 401
    _problem(client.get("/api/v1/waves", headers=bearer("w" * 43)), 429, "rate_limited")
    # Then the address is refused whatever it sends, as with resume links.
    assert client.get("/api/v1/waves", headers=good).status_code == 429
    # Another address is not.
    other = client.get("/api/v1/waves", headers=good, environ_overrides={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 200


def test_each_token_has_its_own_request_budget(app, client, db, make_token, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API", "2 per minute")
    busy, quiet = bearer(make_token()), bearer(make_token())
    assert [client.get("/api/v1/waves", headers=busy).status_code for _ in range(3)] == [200, 200, 429]
    limited = client.get("/api/v1/frameworks", headers=busy)  # shared across the API's routes
    body = _problem(limited, 429, "rate_limited")
    assert "Retry-After" in limited.headers and body["detail"]
    assert client.get("/api/v1/waves", headers=quiet).status_code == 200


def test_token_answers_are_never_stored_by_a_cache(client, db, viewer):
    answer = client.get("/api/v1/waves", headers=viewer)
    assert answer.headers["Cache-Control"] == "no-store"


def test_create_checks_its_input_and_keeps_only_the_digest(app, db):
    admin = make_staff(db, Role.ADMIN)
    with app.test_request_context():
        _create_and_refuse(db, admin)


def _create_and_refuse(db, admin):
    today = utcnow().date()
    token, secret = credentials.create(
        db.session, "  Kho dữ liệu  ", "analyst", today + timedelta(days=30), admin
    )
    assert token.client == "Kho dữ liệu" and token.scope is ApiScope.ANALYST
    assert token.token_hash == tokens.digest(secret) and secret not in token.token_hash
    assert token.expires_at > utcnow() + timedelta(days=29)
    for client_name, scope, days, field in [
        ("", "viewer", 30, "client"),
        ("x" * 121, "viewer", 30, "client"),
        ("Cổng", "admin", 30, "scope"),
        ("Cổng", "viewer", 0, "expires_on"),
        ("Cổng", "viewer", credentials.MAX_DAYS + 2, "expires_on"),
    ]:
        with pytest.raises(credentials.TokenRefused) as refused:
            credentials.create(db.session, client_name, scope, today + timedelta(days=days), admin)
        assert field in refused.value.problems


def test_a_token_lasts_to_the_end_of_its_day_in_the_citys_time():
    from datetime import UTC, date, datetime

    assert credentials.expiry_of(date(2026, 3, 31)) == datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
