"""Both unscored modules on a phone: after the framework's pages, a rating left out is
asked for without losing what was typed, and the answers reach the review and the database."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey.extensions import db
from survey.models import Response, ResponseState, Wave
from survey.responses import modules
from tests import factories
from tests.browser.journey import ASSESSMENT_STEPS, Walk, phone

pytestmark = pytest.mark.browser

PROPOSAL = "Mong được tập huấn về hóa đơn điện tử và bán hàng trực tuyến."


@pytest.fixture
def wave_with_modules(live_app):
    with live_app.app_context():
        wave = factories.with_modules(
            factories.wave(name="Khảo sát 2026 có rào cản"), "barriers-needs", "readiness"
        )
        db.session.commit()
        wave_id = wave.id
    yield wave_id
    with live_app.app_context():
        for response in db.session.scalars(select(Response).filter_by(wave_id=wave_id)):
            db.session.delete(response)
        db.session.flush()
        db.session.delete(db.session.get(Wave, wave_id))
        db.session.commit()


def test_a_firm_answers_both_modules_on_a_phone(browser, live_server, live_app, wave_with_modules):
    tax_code = factories.tax_code()
    barriers_step, readiness_step = ASSESSMENT_STEPS + 1, ASSESSMENT_STEPS + 2
    # bypass_csp: only so that axe can be injected (the CSP still refuses inline scripts).
    with phone(browser, live_server, bypass_csp=True) as page:
        walk = Walk(page, "modules", steps=readiness_step)
        walk.landing()
        walk.start(tax_code)
        walk.firm()
        for number in range(1, ASSESSMENT_STEPS + 1):
            walk.step(number)
        # The barriers page: one rating and a proposal, then "continue" asks for the rest.
        page.wait_for_url(re.compile(rf"/assessment/{barriers_step}$"))
        walk.visit("barriers")
        walk.check_accessibility("barriers")
        page.locator("label[for='m_cost-4']").click()
        page.locator("#m_proposals").fill(PROPOSAL)
        walk.button("next").click()
        expect(page.locator("#error-summary")).to_be_visible()
        expect(page.locator("#m_habits-error")).to_be_visible()
        expect(page.locator("#m_cost-4")).to_be_checked()
        expect(page.locator("#m_proposals")).to_have_value(PROPOSAL)
        walk.visit("barriers-errors")
        walk.step(barriers_step)  # ticks the middle point of every rating, one need
        walk.check_accessibility("readiness")
        walk.step(readiness_step)
        assert not walk.problems, "\n".join(walk.problems)
        expect(page.locator("[data-module=barriers-needs]")).to_be_visible()
        expect(page.locator("[data-module=readiness]")).to_be_visible()
        walk.review_and_submit()
        walk.result()

    with live_app.app_context():
        response = db.session.scalar(
            select(Response).filter_by(wave_id=wave_with_modules, state=ResponseState.SUBMITTED)
        )
        barriers, readiness = (modules.answers_of(response, c) for c in modules.carried(response.wave))
        # The middle of 1..5 is 3; the proposal typed before the refused "continue" was kept.
        assert barriers["cost"] == 3 and barriers["habits"] == 3 and barriers["proposals"] == PROPOSAL
        assert barriers["needs"] == ["cloud"]  # the middle one of the ten needs
        assert set(readiness.values()) == {3} and len(readiness) == 29
        assert sorted(p.module_version.label for p in response.module_pins) == [
            "barriers-needs v1",
            "readiness v1",
        ]
