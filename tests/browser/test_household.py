"""A household business on a phone: it chooses its kind, types its representative's
personal ID (first wrongly), and is sent to the household wave, not the enterprises' one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey.extensions import db
from survey.models import Enterprise, Response, SizeClass
from tests import factories
from tests.browser.journey import ASSESSMENT_STEPS, Walk, phone

pytestmark = pytest.mark.browser


@pytest.fixture
def two_waves(live_app):
    """An enterprises' wave (v1) and a household businesses' wave (v2), open at once."""
    with live_app.app_context():
        firms = factories.wave(name="Doanh nghiệp 2026", kinds=["enterprise", "branch", "cooperative"])
        households = factories.wave(
            name="Hộ kinh doanh 2026",
            kinds=["household", "individual"],
            framework_version=factories.framework_version(2),
        )
        db.session.commit()
        ids = firms.id, households.id
    yield ids
    with live_app.app_context():
        for wave_id in ids:
            for response in db.session.scalars(select(Response).filter_by(wave_id=wave_id)):
                db.session.delete(response)
            db.session.flush()
            db.session.delete(db.session.get(type(firms), wave_id))
        db.session.commit()


def test_a_household_business_answers_its_own_wave_on_a_phone(browser, live_server, live_app, two_waves):
    personal_id = factories.personal_id(province="030", century="1", year=85)
    with phone(browser, live_server) as page:
        walk = Walk(page, "household")
        walk.landing()
        walk.visit("start")
        expect(page.get_by_text("Hộ kinh doanh 2026")).to_be_visible()
        # Typed under "enterprise" first: the page says what the 12 digits look like.
        page.locator("#tax_code").fill(personal_id)
        page.locator("label[for=consent]").click()
        walk.main_submit()
        expect(page.locator("#tax_code-error")).to_contain_text("12")
        walk.visit("start-wrong-kind")
        page.locator("label[for=kind-household]").click()
        # A wrong province code gets its own message; what was typed stays.
        page.locator("#tax_code").fill("999" + personal_id[3:])
        walk.main_submit()
        expect(page.locator("#tax_code-error")).to_contain_text("tỉnh")
        expect(page.locator("#kind-household")).to_be_checked()
        page.locator("#tax_code").fill(" ".join([personal_id[:3], personal_id[3:6], personal_id[6:]]))
        walk.main_submit()
        page.wait_for_url(re.compile(r"/firm$"))
        walk.visit("firm")
        # Shown only in part, even to the household itself; no ownership or capital asked.
        masked = page.get_by_test_id("tax-code").inner_text()
        assert masked == f"{personal_id[:3]}•••••••{personal_id[-2:]}", masked
        assert personal_id not in page.content()
        expect(page.locator("#ownership")).to_have_count(0)
        expect(page.locator("#capital_bn")).to_have_count(0)
        page.locator("#firm_name").fill("Hộ kinh doanh Bánh đa cua Cô Hoa")
        unit = page.locator("#unit_id")
        unit.select_option(value=unit.locator("option").nth(3).get_attribute("value"))
        page.locator("#sector_code").select_option(value="I")
        page.locator("#employees").fill("3")
        page.locator("#revenue_bn").fill("0,8")
        page.locator("#contact_name").fill("Trần Thị Hoa")
        page.locator("#contact_email").fill("hoa@example.vn")
        page.locator("#contact_phone").fill("0912 345 678")
        walk.main_submit()
        page.wait_for_url(re.compile(r"/assessment/1\b"))
        for number in range(1, ASSESSMENT_STEPS + 1):
            walk.step(number)
        walk.review_and_submit()
        walk.result()
        assert personal_id not in page.content()

    with live_app.app_context():
        firm = db.session.scalar(select(Enterprise).filter_by(tax_code=personal_id))
        response = db.session.scalar(select(Response).filter_by(enterprise_id=firm.id))
        assert (firm.kind, firm.id_type, response.kind) == ("household", "cccd12", "household")
        assert response.wave_id == two_waves[1] and response.size_class == SizeClass.HOUSEHOLD
        assert response.ownership == "household" and response.capital_vnd is None
