"""Walking the respondent journey in a real browser, as a person would: clicks and typing.

Selectors use ids, ``name=`` attributes, ``data-testid`` and the buttons' ``value``s rather
than the wording, which translators may still change.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# A small phone: narrower than the 390px of the default ``page`` fixture.
SMALL_PHONE = {"width": 360, "height": 800}
ASSESSMENT_STEPS = 7  # six pillars, then the technologies
BLOCKING_IMPACTS = ("serious", "critical")


@contextmanager
def phone(browser: Browser, live_server: str, **options):
    """A fresh browser context (no cookies: another device) on a small phone in Vietnamese."""
    context = browser.new_context(viewport=SMALL_PHONE, base_url=live_server, locale="vi-VN", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    # The app's Content-Security-Policy must never block its own pages' scripts or styles.
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        yield page
    finally:
        context.close()
    assert not blocked, f"the Content-Security-Policy blocked something: {blocked[:3]}"


def axe_source() -> str:
    if not AXE.is_file():
        raise AssertionError(
            f"{AXE.relative_to(ROOT)} is missing: run `npm ci` in {ROOT} to install axe-core "
            "(the version pinned in package-lock.json) before the browser tests."
        )
    return AXE.read_text(encoding="utf-8")


class Walk:
    """One respondent's walk: on each page, check the layout, take a screenshot, run axe."""

    def __init__(
        self, page: Page, prefix: str | None = None, audit: bool = False, steps: int = ASSESSMENT_STEPS
    ):
        self.page = page
        #: The journey's assessment pages: the framework's, then one per unscored module.
        self.steps = steps
        self.prefix = prefix
        self.audit = audit
        self.count = 0
        self.problems: list[str] = []  # axe violations, by page
        self._axe = axe_source() if audit else None

    # --- on every page ---------------------------------------------------------------

    def visit(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state()
        self.count += 1
        scroll_width, inner_width, lang = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth, document.documentElement.lang]"
        )
        if self.prefix:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{self.prefix}-{self.count:02d}-{name}.png", full_page=True)
        if scroll_width > inner_width:
            wide = page.evaluate(
                "() => [...document.querySelectorAll('body *')]"
                ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)"
                ".slice(0, 5).map(e => e.outerHTML.slice(0, 120))"
            )
            raise AssertionError(
                f"{name} ({page.url}) scrolls sideways: {scroll_width}px of content in a "
                f"{inner_width}px window; too wide: {wide}"
            )
        assert lang == "vi", f"{name} ({page.url}) is in {lang!r}, not Vietnamese"
        if self.audit:
            self.check_accessibility(name)

    def check_accessibility(self, name: str) -> None:
        page = self.page
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            self._axe = self._axe or axe_source()  # a walk without ``audit`` may check one page
            page.add_script_tag(content=self._axe)
        # Every rule runs; only the details of passing checks are left out, to save time.
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] not in BLOCKING_IMPACTS:
                continue
            nodes = violation["nodes"]
            self.problems.append(
                f"{name} ({page.url}): {violation['id']} [{violation['impact']}] {violation['help']}"
                f" — {len(nodes)} element(s), first: {json.dumps(nodes[0]['target'] if nodes else None)}"
                f" {nodes[0]['html'][:160] if nodes else ''}"
            )

    # --- steps -------------------------------------------------------------------------

    def landing(self) -> None:
        self.page.goto("/")
        self.visit("landing")
        self.page.locator("main a[href$='/start']").first.click()
        self.page.wait_for_url(re.compile(r"/start$"))

    def main_submit(self) -> None:
        """The form's own submit button (not the language switch in the header)."""
        self.page.locator("main form button[type=submit]").last.click()

    def start(self, tax_code: str, with_errors: bool = False) -> None:
        page = self.page
        self.visit("start")
        if with_errors:
            # A typo in the check digit, and the consent box left empty.
            page.locator("#tax_code").fill(tax_code[:-1] + str((int(tax_code[-1]) + 1) % 10))
            self.main_submit()
            expect(page.locator("#error-summary")).to_be_visible()
            expect(page.locator("#tax_code-error")).to_be_visible()
            expect(page.locator("#consent-error")).to_be_visible()
            self.visit("start-errors")
            page.locator("#tax_code").fill("")
        page.locator("#tax_code").press_sequentially(tax_code)
        page.locator("label[for=consent]").click()
        expect(page.locator("#consent")).to_be_checked()
        self.main_submit()
        page.wait_for_url(re.compile(r"/firm$"))

    def firm(self, with_errors: bool = False) -> None:
        page = self.page
        self.visit("firm")
        page.locator("#firm_name").fill("Công ty TNHH Cảng Xanh")
        unit = page.locator("#unit_id")
        ward = unit.locator("option").nth(3)
        unit.select_option(value=ward.get_attribute("value"))
        page.locator("#sector_code").select_option(value="H")
        page.locator("label[for=ownership-0]").click()
        page.locator("#employees").fill("25")
        page.locator("#revenue_bn").fill("12.5")
        page.locator("#contact_name").fill("Nguyễn Thị Lan")
        page.locator("#contact_email").fill("lan@example" if with_errors else "lan@example.vn")
        page.locator("#contact_phone").fill("0912 345 678")
        if with_errors:
            self.main_submit()
            expect(page.locator("#error-summary")).to_be_visible()
            expect(page.locator("#contact_email-error")).to_be_visible()
            # What was typed is kept.
            expect(page.locator("#firm_name")).to_have_value("Công ty TNHH Cảng Xanh")
            self.visit("firm-errors")
            page.locator("#contact_email").fill("lan@example.vn")
        self.main_submit()
        page.wait_for_url(re.compile(r"/assessment/1\b"))

    def answer(self) -> list[str]:
        """Tick the middle answer of every question on the page; returns the ids ticked.

        One box per checkbox group, so a zero-point "none" is never combined with others.
        """
        page = self.page
        groups = page.locator("main form fieldset.choices").evaluate_all(
            "groups => groups.map(g => [...g.querySelectorAll('input')].map(i => i.id))"
        )
        assert groups, f"no questions on {page.url}"
        ticked = [ids[len(ids) // 2] for ids in groups]
        for chosen in ticked:
            # A real mouse click on the label, scrolled into view; ``force`` only skips
            # waiting for the (static) page to stand still, which would triple the time.
            # The check below proves each click landed.
            page.locator(f"label[for='{chosen}']").click(force=True)
        checked = page.locator("main form fieldset.choices input:checked").evaluate_all(
            "inputs => inputs.map(i => i.id)"
        )
        assert checked == ticked, f"ticked {ticked} but {checked} are checked on {page.url}"
        # Figures (version 2): the shared whole first, then 40 of 100 for every part.
        for box in page.locator("main form fieldset.shared-figure input").all():
            box.fill("100")
        for box in page.locator("main form fieldset.figure input").all():
            box.fill("100" if box.get_attribute("name").endswith("__of") else "40")
        return ticked

    def button(self, action: str):
        return self.page.locator(f"main form button[name=action][value={action}]")

    def step(self, number: int) -> list[str]:
        """On assessment page ``number``: answer everything, then "Save and continue"."""
        self.page.wait_for_url(re.compile(rf"/assessment/{number}\b"))
        self.visit(f"assessment-{number}")
        ticked = self.answer()
        self.button("next").click()
        following = "/review" if number == self.steps else f"/assessment/{number + 1}"
        self.page.wait_for_url(re.compile(rf"{following}$"))
        return ticked

    def resume_link(self) -> str:
        """Open the "continue later" box and copy the personal link."""
        box = self.page.locator("details.resume")
        if box.get_attribute("open") is None:
            box.locator("summary").click()
        field = self.page.locator("#resume-link")
        expect(field).to_be_visible()
        link = field.input_value()
        assert re.search(r"/resume/\S{20,}$", link), link
        return link

    def review_and_submit(self) -> None:
        page = self.page
        page.wait_for_url(re.compile(r"/review$"))
        expect(page.locator("li.missing")).to_have_count(0)
        self.visit("review")
        submit = page.locator("main form[action$='/submit'] button[type=submit]")
        expect(submit).to_be_enabled()
        submit.click()
        page.wait_for_url(re.compile(r"/result$"))

    def result(self) -> int:
        page = self.page
        self.visit("result")
        level = int(page.get_by_test_id("overall-level").inner_text().strip())
        assert 0 <= level <= 5
        expect(page.locator("svg[role=img]")).to_be_visible()
        assert page.locator("svg[role=img] rect.bar").count() == 6
        table = page.locator("main table").first
        expect(table).to_be_visible()
        expect(table.locator("tbody tr")).to_have_count(6)
        return level
