"""A firm's personal link over a draft a stranger began, and the recovery page, in a real browser.

With and without JavaScript; axe-core checks both pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey import frameworks, tokens
from survey.extensions import db
from survey.models import Invitation, Response, Wave
from tests import factories
from tests.browser.journey import Walk, phone

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("script", [True, False], ids=["with-js", "without-js"])
def test_the_firm_starts_afresh_over_a_strangers_draft(browser, live_app, live_server, live_wave, script):
    with live_app.app_context():
        wave = db.session.get(Wave, live_wave)
        firm = factories.enterprise(
            contact_name="Phạm Văn Minh", contact_email="that.firm@example.vn", contact_phone="0225 3842 999"
        )
        stranger = factories.response(wave, firm, contact_email="stranger@evil.example")
        stranger.answers = factories.answers_at(frameworks.load("dbi-2021-sme", 1), 0.5)
        token, digest = tokens.new_token()
        db.session.add(Invitation(wave_id=wave.id, enterprise=firm, token_hash=digest))
        db.session.commit()
        response_id = stranger.id

    with phone(browser, live_server, java_script_enabled=script, bypass_csp=True) as page:
        walk = Walk(page, audit=script)  # axe needs script
        page.goto(f"/i/{token}")
        walk.visit("take-over")
        expect(page.locator("h1")).to_contain_text("không qua đường liên kết")
        page.locator("button[value=afresh]").click()
        page.wait_for_url(re.compile(r"/firm$"))
        walk.visit("take-over-firm")
        expect(page.locator("#contact_email")).to_have_value("that.firm@example.vn")
        page.locator("label[for=consent]").click()
        walk.main_submit()
        page.wait_for_url(re.compile(r"/assessment/1\b"))

        page.goto("/recover")
        walk.visit("recover")
        assert not walk.problems, "\n".join(walk.problems)

    with live_app.app_context():
        response = db.session.get(Response, response_id)
        assert response.answers == {} and response.consent_at is not None
        assert (
            response.invitation_id
            == db.session.scalars(select(Invitation.id).filter_by(token_hash=digest)).one()
        )
