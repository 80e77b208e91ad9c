"""The unit filter box on the firm page only filters: the choice stays the person's.

Typing once re-filed a firm prefilled as "Phường Hải An" under Lê Chân, because the
script picked the first match by itself; the dashboard then showed a 110% response
rate for that unit.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey.extensions import db
from survey.models import AdminUnit, Response
from tests import factories
from tests.browser.journey import Walk, phone

pytestmark = pytest.mark.browser


def test_typing_in_the_filter_never_changes_the_prefilled_unit(browser, live_app, live_server, live_wave):
    with live_app.app_context():
        hai_an = db.session.scalars(select(AdminUnit).filter_by(name_vi="Phường Hải An")).one()
        firm = factories.enterprise(unit_id=hai_an.id, sector_code="H")
        db.session.commit()
        tax_code, hai_an_id = firm.tax_code, str(hai_an.id)

    with phone(browser, live_server) as page:
        walk = Walk(page)
        walk.landing()
        walk.start(tax_code)
        unit = page.locator("#unit_id")
        expect(unit).to_have_value(hai_an_id)
        box = page.locator("input[data-filter-for=unit_id]")
        box.press_sequentially("le chan")  # without diacritics, as people type on a phone
        # The filter found Lê Chân's wards (diacritics ignored) and hid the rest ...
        shown = unit.locator("option:not([hidden])")
        expect(shown.filter(has_text="Phường Lê Chân")).to_have_count(1)
        expect(unit.locator("option:not([hidden])", has_text="Phường Đông Hải")).to_have_count(0)
        # ... but did not choose for the firm: Hải An is still selected and still shown.
        expect(unit).to_have_value(hai_an_id)
        expect(shown.filter(has_text="Phường Hải An")).to_have_count(1)
        box.fill("")
        box.press_sequentially("Lê Chân")
        expect(unit).to_have_value(hai_an_id)

        page.locator("#contact_name").fill("Nguyễn Thị Lan")
        page.locator("#contact_email").fill("lan@example.vn")
        page.locator("#contact_phone").fill("0912 345 678")
        page.locator("#firm_name").fill("Công ty TNHH Cảng Xanh")
        walk.main_submit()
        page.wait_for_url(re.compile(r"/assessment/1\b"))

    with live_app.app_context():
        stored = db.session.scalars(
            select(Response).join(Response.enterprise).filter_by(tax_code=tax_code)
        ).one()
        assert str(stored.unit_id) == hai_an_id


def test_the_filter_ignores_marks_and_case_finds_former_districts_and_picks_nothing(
    browser, live_app, live_server, live_wave
):
    """A firm not in the register starts on the empty choice, and typing must leave it there."""
    with phone(browser, live_server) as page:
        walk = Walk(page)
        walk.landing()
        walk.start(factories.tax_code())
        unit = page.locator("#unit_id")
        expect(unit).to_have_value("")
        box = page.locator("input[data-filter-for=unit_id]")
        shown = unit.locator("option:not([hidden])")
        for typed in ("DONG HAI", "đông hải", "Đông Hải"):
            box.fill("")
            box.press_sequentially(typed)
            expect(shown.filter(has_text="Phường Đông Hải")).to_have_count(1)
            expect(shown.filter(has_text="Phường Lê Chân")).to_have_count(0)
            expect(unit).to_have_value("")  # still nothing chosen: the filter never chooses
        # A ward is found by its former district too: An Biên was in Quận Lê Chân.
        box.fill("")
        box.press_sequentially("quan le chan")
        expect(shown.filter(has_text="Phường An Biên")).to_have_count(1)
        expect(shown.filter(has_text="Phường Lê Chân")).to_have_count(1)
        # Districts with nothing left to show are hidden, not left as empty headings.
        expect(unit.locator('optgroup[label="Quận Hải An"]')).to_have_attribute("hidden", "")
        expect(unit.locator('optgroup[label="Quận Lê Chân"]')).not_to_have_attribute("hidden", "")
        expect(unit).to_have_value("")
        # The person's own choice is then the only thing that changes it.
        unit.select_option(label="Phường An Biên")
        box.fill("")
        box.press_sequentially("hai an")
        expect(shown.filter(has_text="Phường An Biên")).to_have_count(1)
        with live_app.app_context():
            an_bien = db.session.scalars(select(AdminUnit).filter_by(name_vi="Phường An Biên")).one()
            expect(unit).to_have_value(str(an_bien.id))
