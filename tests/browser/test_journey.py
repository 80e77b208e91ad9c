"""The whole respondent journey in a real browser on a small phone, in Vietnamese.

With and without JavaScript, with a break in the middle (the resume link on another
"device"), and with axe-core checking every page. Screenshots of every page go to
``test-output/screenshots/``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.journey import ASSESSMENT_STEPS, Walk, phone

pytestmark = pytest.mark.browser


def walk_with_a_break(browser, live_server, prefix: str, **options) -> int:
    """Start, answer pages 1 and 2, leave; come back with the resume link and finish."""
    with phone(browser, live_server, **options) as page:
        walk = Walk(page, prefix)
        walk.landing()
        walk.start(factories.tax_code())
        walk.firm()
        first_page = walk.step(1)
        page.wait_for_url(re.compile(r"/assessment/2$"))
        walk.visit("assessment-2")
        walk.answer()
        link = walk.resume_link()
        walk.button("next").click()
        page.wait_for_url(re.compile(r"/assessment/3$"))

    # Another device: no cookie, only the link.
    with phone(browser, live_server, **options) as page:
        walk.page = page
        page.goto(link)
        page.wait_for_url(re.compile(r"/assessment/3$"))
        walk.visit("resumed-assessment-3")
        for previous in (2, 1):
            walk.button("back").click()
            page.wait_for_url(re.compile(rf"/assessment/{previous}$"))
        walk.visit("back-to-assessment-1")
        for ticked in first_page:
            expect(page.locator(f"[id='{ticked}']")).to_be_checked()
        for following in (2, 3):
            walk.button("next").click()
            page.wait_for_url(re.compile(rf"/assessment/{following}$"))
        for number in range(3, ASSESSMENT_STEPS + 1):
            walk.step(number)
        walk.review_and_submit()
        return walk.result()


def test_whole_journey_on_a_small_phone_with_a_break(browser, live_server, live_wave):
    level = walk_with_a_break(browser, live_server, "journey")
    assert 0 <= level <= 5


def test_whole_journey_works_without_javascript(browser, live_server, live_wave):
    level = walk_with_a_break(browser, live_server, "nojs", java_script_enabled=False)
    assert 0 <= level <= 5


def test_every_page_of_the_journey_passes_axe(browser, live_server, live_wave):
    # axe is injected as an inline script, which the app's CSP rightly forbids.
    with phone(browser, live_server, bypass_csp=True) as page:
        walk = Walk(page, audit=True)
        walk.landing()
        walk.start(factories.tax_code(), with_errors=True)
        walk.firm(with_errors=True)
        # A page sent back with unanswered questions.
        walk.visit("assessment-1")
        walk.button("next").click()
        expect(page.locator("#error-summary")).to_be_visible()
        walk.visit("assessment-1-errors")
        walk.answer()
        walk.button("next").click()
        for number in range(2, ASSESSMENT_STEPS + 1):
            walk.step(number)
        walk.review_and_submit()
        walk.result()
    problems = "\n".join(walk.problems)
    assert not walk.problems, f"axe found serious or critical violations:\n{problems}"


# Version 2, the Decision's instrument: level criteria, figures and shared figures.
V2 = pytest.mark.parametrize("live_wave", [2], indirect=True)


@V2
def test_version_2_journey_on_a_small_phone(browser, live_server, live_wave):
    level = walk_with_a_break(browser, live_server, "v2-journey")
    assert 0 <= level <= 5


@V2
def test_version_2_journey_without_javascript(browser, live_server, live_wave):
    with phone(browser, live_server, java_script_enabled=False) as page:
        walk = Walk(page, "v2-nojs")
        walk.landing()
        walk.start(factories.tax_code())
        walk.firm()
        for number in range(1, ASSESSMENT_STEPS + 1):
            walk.step(number)
        walk.review_and_submit()
        walk.result()
        expect(page.get_by_test_id("components").locator("tbody tr")).to_have_count(10)


@V2
def test_every_page_of_the_version_2_journey_passes_axe(browser, live_server, live_wave):
    with phone(browser, live_server, bypass_csp=True) as page:
        walk = Walk(page, audit=True)
        walk.landing()
        walk.start(factories.tax_code())
        walk.firm()
        # A figure typed wrongly: the message is shown beside the box, and axe-checked.
        walk.visit("v2-assessment-1")
        walk.answer()
        page.locator("input[name='c1_1_3__value']").fill("1.500.000")
        walk.button("next").click()
        expect(page.locator("#error-summary")).to_be_visible()
        expect(page.locator("#c1_1_3__value-error")).to_contain_text("phân cách hàng nghìn")
        walk.visit("v2-assessment-1-errors")
        walk.answer()
        walk.button("next").click()
        for number in range(2, ASSESSMENT_STEPS + 1):
            walk.step(number)
        walk.review_and_submit()
        walk.result()
