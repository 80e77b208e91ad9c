"""Tokens and a scored wave for the API tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from survey import frameworks, tokens
from survey.main import summary
from survey.models import ApiScope, ApiToken
from survey.models.base import utcnow
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
HIGH = factories.answers_at(FRAMEWORK, 1.0)
LOW = factories.answers_at(FRAMEWORK, 0.0)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def make_token(db):
    """``make_token(scope, **fields)``: a stored token's secret (fields: expires_at, revoked_at, …)."""

    def make(scope: ApiScope = ApiScope.VIEWER, **fields) -> str:
        secret, digest = tokens.new_token()
        values = {
            "client": f"Hệ thống {scope.value}",
            "expires_at": utcnow() + timedelta(days=30),
            "use_count": 0,
        }
        db.session.add(ApiToken(scope=scope, token_hash=digest, **{**values, **fields}))
        db.session.commit()
        return secret

    return make


@pytest.fixture
def viewer(make_token) -> dict[str, str]:
    return bearer(make_token(ApiScope.VIEWER))


@pytest.fixture
def analyst(make_token) -> dict[str, str]:
    return bearer(make_token(ApiScope.ANALYST))


@pytest.fixture
def city(db):
    """Manufacturing (C): 6 responses, 2 engaged. Transport (H): 2 responses (too few to
    report). Four more firms of H in the register; one draft."""
    summary.forget()
    wave = factories.wave(name="Đợt 2025")
    for index in range(6):
        firm = factories.enterprise(sector_code="C", employees=20)
        factories.response(
            wave, firm, HIGH if index < 2 else LOW, technologies=["cloud"] if index < 2 else []
        )
    for _ in range(2):
        factories.response(wave, factories.enterprise(sector_code="H", employees=20), HIGH)
    for _ in range(4):
        factories.enterprise(sector_code="H", employees=20)
    factories.response(wave, factories.enterprise(sector_code="C"), None, contact_email="nhap@example.vn")
    db.session.commit()
    yield wave
    summary.forget()
