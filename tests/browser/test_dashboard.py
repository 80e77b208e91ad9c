"""The dashboard, an export and the public summary in a real browser, checked with axe-core.

The export runs in a background thread here (the live server does not run exports
inline), so this also proves the job path that production uses.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from survey import frameworks
from survey.extensions import db
from survey.models import AuditEvent, Enterprise, ExportJob, Response, Role, StaffUser, Wave
from survey.models.staff import StaffSession
from tests import factories
from tests.browser.journey import Walk

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-password"


@contextmanager
def dashboard_scene(live_app, wave_id: int):
    """A viewer and eight submitted responses (six in manufacturing, two in transport)."""
    framework = frameworks.load("dbi-2021-sme", 1)
    with live_app.app_context():
        wave = db.session.get(Wave, wave_id)
        firms = []
        for index in range(8):
            firm = factories.enterprise(sector_code="C" if index < 6 else "H", employees=20)
            factories.response(wave, firm, factories.answers_at(framework, index / 7), technologies=["cloud"])
            firms.append(firm.id)
        user = StaffUser(email="viewer.dashboard@browser.staff.test", role=Role.VIEWER)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        user_id = user.id
    try:
        yield user.email
    finally:
        with live_app.app_context():
            db.session.execute(delete(ExportJob).where(ExportJob.requested_by_id == user_id))
            db.session.execute(delete(AuditEvent).where(AuditEvent.actor_id == user_id))
            db.session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
            for response in db.session.scalars(select(Response).where(Response.enterprise_id.in_(firms))):
                db.session.delete(response)
            db.session.flush()
            db.session.execute(delete(Enterprise).where(Enterprise.id.in_(firms)))
            db.session.delete(db.session.get(StaffUser, user_id))
            db.session.commit()


def test_dashboard_export_and_public_summary(browser, live_server, live_app, live_wave):
    with dashboard_scene(live_app, live_wave) as email:
        # axe is injected as an inline script, which the app's CSP rightly forbids.
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, base_url=live_server, locale="vi-VN", bypass_csp=True
        )
        page = context.new_page()
        walk = Walk(page, prefix="dashboard", audit=True)
        try:
            page.goto("/staff/login")
            page.locator("#email").fill(email)
            page.locator("#password").fill(PASSWORD)
            page.locator("main form button[type=submit]").click()
            page.wait_for_url(re.compile(r"/staff/$"))

            page.goto(f"/staff/dashboard?wave={live_wave}")
            walk.visit("dashboard")
            charts = page.locator("figure.dash-chart svg[role=img]")
            assert charts.count() >= 8
            for index in range(charts.count()):
                box = charts.nth(index).bounding_box()
                assert box and box["width"] > 200 and box["height"] > 20
            # Six manufacturing responses are reported; two in transport are too few.
            expect(page.locator("table[data-dimension=sector] tr[data-group=H]")).to_have_class("suppressed")
            expect(page.locator("table[data-dimension=sector] tr[data-group=C]")).not_to_have_class(
                "suppressed"
            )
            # Each tier's cell: the estimate weighted inside the group, the respondents' share under it.
            cell = page.locator("table[data-dimension=sector] tr[data-group=C] td[data-tier]").first
            expect(cell).to_have_attribute("data-estimate", re.compile(r"^[01](\.\d+)?(e-\d+)?$"))
            expect(cell.locator(".weighted-estimate")).to_be_visible()
            expect(cell.locator(".respondents-share")).to_be_visible()
            expect(
                page.locator("table[data-dimension=sector] tr[data-group=H] td[data-estimate]")
            ).to_have_count(0)

            # The summary workbook is built in the background; the page refreshes until it is ready.
            page.locator("details.dash-export > summary").click()
            page.locator("form.exports button[value=summary]").click()
            page.wait_for_url(re.compile(r"/staff/exports/\d+$"))
            walk.visit("export")
            expect(page.get_by_test_id("download")).to_be_visible(timeout=30_000)
            with page.expect_download() as download:
                page.get_by_test_id("download").click()
            assert download.value.suggested_filename.endswith(".xlsx")

            page.goto("/summary")
            walk.visit("public-summary")
            assert page.locator("figure.dash-chart svg[role=img]").count() >= 4
            expect(page.locator("tr[data-group=H].suppressed").first).to_be_visible()
        finally:
            context.close()
        assert not walk.problems, "axe found serious or critical problems:\n" + "\n".join(walk.problems)


def log_in(page, email: str) -> None:
    page.goto("/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))


SCREENS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("screen", SCREENS)
def test_the_headline_is_on_the_first_screen_and_the_contents_lead_to_each_section(
    browser, live_server, live_app, live_wave, screen
):
    viewport = SCREENS[screen]
    with dashboard_scene(live_app, live_wave) as email:
        context = browser.new_context(viewport=viewport, base_url=live_server, locale="vi-VN")
        page = context.new_page()
        walk = Walk(page, prefix=f"dashboard-{screen}")
        try:
            log_in(page, email)
            for url in (f"/staff/dashboard?wave={live_wave}", "/summary"):
                page.goto(url)
                walk.visit("staff" if "staff" in url else "public")
                # The whole headline, every tier's share and firms, without scrolling.
                box = page.get_by_test_id("headline").bounding_box()
                assert box and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (url, box)
                for share in page.locator("[data-testid=headline] .share").all():
                    expect(share).to_be_in_viewport()
                # Two columns of cards where the screen is wide, one on a phone.
                pillars = page.locator("#pillars").bounding_box()
                levels = page.locator("#levels").bounding_box()
                if screen == "desktop":
                    assert (
                        abs(pillars["y"] - levels["y"]) < 1 and levels["x"] > pillars["x"] + pillars["width"]
                    )
                else:
                    assert levels["y"] >= pillars["y"] + pillars["height"]
                # Each link of the contents scrolls its section into view.
                links = page.locator("[data-testid=contents] a")
                assert links.count() >= 5
                for index in range(links.count()):
                    target = links.nth(index).get_attribute("href")
                    links.nth(index).click()
                    expect(page.locator(target)).to_be_in_viewport()
                    page.evaluate("window.scrollTo(0, 0)")
            # A chart's SVG from its link, under the page's filters.
            page.goto(f"/staff/dashboard?wave={live_wave}&sector=C")
            with page.expect_download() as download:
                page.locator("figure[data-chart=levels] a[data-format=svg]").click()
            assert download.value.suggested_filename == f"chart-levels-wave-{live_wave}.svg"
            # Read and closed at once: a file left open fails the test with a ResourceWarning.
            body = Path(download.value.path()).read_text(encoding="utf-8")
            assert body.startswith("<?xml") and ("Bộ lọc" in body or "Filters" in body)
        finally:
            context.close()
