"""An admin loads a new framework version from a workbook in the browser, previews it on a
phone, publishes it; a wave on that staff-loaded version then runs the whole journey."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, or_, select

from survey import frameworks
from survey.extensions import db
from survey.models import (
    AuditEvent,
    FrameworkVersion,
    InstrumentDraft,
    Response,
    ResponseState,
    StaffUser,
    Wave,
)
from survey.models.staff import Role, StaffSession
from tests import factories
from tests.browser.journey import Walk, phone
from tests.browser.test_staff import PASSWORD, desktop, log_in
from tests.staff.test_instrument_drafts import _edited, _first_criterion_name

pytestmark = pytest.mark.browser

REWORDED = "Doanh nghiệp cập nhật website riêng của mình bao lâu một lần?"
V2 = frameworks.load("dbi-2021-sme", 2)


@pytest.fixture
def admin_email(live_app):
    email = "instruments.admin@browser.staff.test"
    with live_app.app_context():
        user = StaffUser(email=email, role=Role.ADMIN)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        user_id = user.id
    yield email
    with live_app.app_context():
        for response in db.session.scalars(
            select(Response).join(Wave).join(FrameworkVersion).filter(FrameworkVersion.version == 3)
        ):
            db.session.delete(response)
        db.session.flush()
        for wave in db.session.scalars(
            select(Wave).join(FrameworkVersion).filter(FrameworkVersion.version == 3)
        ):
            db.session.delete(wave)
        db.session.flush()
        db.session.execute(delete(InstrumentDraft))
        db.session.execute(delete(FrameworkVersion).where(FrameworkVersion.version == 3))
        db.session.execute(
            delete(AuditEvent).where(
                or_(AuditEvent.actor_id == user_id, AuditEvent.action.like("instrument.%"))
            )
        )
        db.session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
        db.session.delete(db.session.get(StaffUser, user_id))
        db.session.commit()


def test_a_staff_loaded_version_is_previewed_published_and_answered(
    browser, live_server, live_app, admin_email, tmp_path
):
    workbook = tmp_path / "dbi-2021-sme.v3.xlsx"
    workbook.write_bytes(_edited("dbi-2021-sme", 2, 3, (_first_criterion_name(), REWORDED)))
    with desktop(browser, live_server) as page:
        walk = Walk(page, "instrument-admin")
        log_in(walk, admin_email)
        page.goto("/staff/instruments")
        page.locator("#file").set_input_files(str(workbook))
        page.locator("main form[enctype] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/staff/instruments/drafts/\d+$"))
        expect(
            page.locator(f"[data-change=reworded][data-code='{V2.pillars[0].criteria[0].code}']")
        ).to_be_visible()
        draft_url = page.url
    # The preview on a phone: the reworded criterion, as a respondent would see it.
    with phone(browser, live_server) as page:
        walk = Walk(page, "instrument-preview")
        log_in(walk, admin_email)
        page.goto(draft_url + "/preview/1")
        expect(page.get_by_test_id("preview-banner")).to_be_visible()
        expect(page.get_by_text(REWORDED)).to_be_visible()
        walk.answer()
        walk.button("next").click()
        page.wait_for_url(re.compile(r"/preview/2$"))
    with desktop(browser, live_server) as page:
        walk = Walk(page, "instrument-publish")
        log_in(walk, admin_email)
        page.goto(draft_url)
        page.locator("main form[action$='/publish'] button").click()
        page.wait_for_url(re.compile(r"/staff/instruments$"))
        versions = page.locator("[data-testid=published-framework] tbody td:nth-child(2)")
        expect(versions.filter(has_text=re.compile(r"^3$"))).to_have_count(1)

    with live_app.app_context():
        version = db.session.scalars(select(FrameworkVersion).filter_by(code="dbi-2021-sme", version=3)).one()
        wave = factories.wave(name="Khảo sát trên bộ công cụ mới", framework_version=version)
        db.session.commit()
        wave_id = wave.id

    tax_code = factories.tax_code()
    with phone(browser, live_server) as page:
        walk = Walk(page, "instrument-journey")
        walk.landing()
        walk.start(tax_code)
        walk.firm()
        expect(page.get_by_text(REWORDED)).to_be_visible()
        for number in range(1, walk.steps + 1):
            walk.step(number)
        walk.review_and_submit()
        walk.result()
    with live_app.app_context():
        response = db.session.scalar(
            select(Response).filter_by(wave_id=wave_id, state=ResponseState.SUBMITTED)
        )
        assert response is not None and response.wave.framework_version.version == 3
