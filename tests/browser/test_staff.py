"""The staff journey in a real browser on a desktop: log in, find a response, review it.

An analyst finds a submitted response by tax code, flags it with a reason, adds an
internal note, then verifies it; an administrator then sees both review actions in
the audit log. Screenshots go to ``test-output/screenshots/staff-*.png``.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect
from sqlalchemy import delete, or_, select

from survey import frameworks, labels
from survey.extensions import db
from survey.models import AuditEvent, Enterprise, Response, ResponseNote, Role, StaffUser, Wave
from survey.models.staff import StaffSession
from survey.staff import audit_words
from tests import factories
from tests.browser.journey import Walk

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "a-long-browser-password"
FLAG_REASON = "Số lao động không khớp với sổ đăng ký"
NOTE = "Đã gọi điện cho doanh nghiệp, chờ xác nhận số liệu."


@contextmanager
def desktop(browser, live_server: str):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server, locale="vi-VN")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@contextmanager
def staff_scene(live_app, wave_id: int):
    """An analyst, an admin and a submitted response in the live database; all removed after,
    with the notes and audit events the test caused."""
    with live_app.app_context():
        framework = frameworks.load("dbi-2021-sme", 1)
        wave = db.session.get(Wave, wave_id)
        firm = factories.enterprise(name="Công ty TNHH Kiểm Tra Nhân Viên")
        response = factories.response(wave, firm, answers=factories.answers_at(framework, 0.6))
        users = {}
        for role in (Role.ANALYST, Role.ADMIN):
            user = StaffUser(email=f"{role.value}.{firm.tax_code}@browser.staff.test", role=role)
            user.set_password(PASSWORD)
            db.session.add(user)
            users[role] = user
        db.session.commit()
        scene = {
            "response_id": response.id,
            "firm_id": firm.id,
            "tax_code": firm.tax_code,
            "emails": {role: user.email for role, user in users.items()},
            "user_ids": [user.id for user in users.values()],
        }
    try:
        yield scene
    finally:
        with live_app.app_context():
            user_ids = scene["user_ids"]
            db.session.execute(delete(ResponseNote).where(ResponseNote.response_id == scene["response_id"]))
            db.session.execute(
                delete(AuditEvent).where(
                    or_(
                        AuditEvent.actor_id.in_(user_ids),
                        (AuditEvent.object_type == "responses")
                        & (AuditEvent.object_id == str(scene["response_id"])),
                        (AuditEvent.object_type == "staff_users")
                        & AuditEvent.object_id.in_([str(i) for i in user_ids]),
                    )
                )
            )
            stored = db.session.get(Response, scene["response_id"])
            if stored is not None:
                db.session.delete(stored)
            db.session.flush()
            db.session.delete(db.session.get(Enterprise, scene["firm_id"]))
            db.session.execute(delete(StaffSession).where(StaffSession.user_id.in_(user_ids)))
            for user_id in user_ids:
                db.session.delete(db.session.get(StaffUser, user_id))
            db.session.commit()


def log_in(walk: Walk, email: str) -> None:
    page = walk.page
    page.goto("/staff/login")
    walk.visit("login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    expect(page.locator(".staff-nav .who")).to_have_text(email)


def audit_words_vi(live_app, response_id: int) -> tuple[dict[str, str], str]:
    """The Vietnamese words the pages use for the review actions and a note, and for the
    response as the audit log names it."""
    with live_app.test_request_context(), force_locale("vi"):
        actions = ("response.flagged", "response.verified", "response.note")
        words = {action: audit_words.action_words(action) for action in actions}
        kind = labels.label("responses", "audit_object")
        return words, gettext("%(kind)s no. %(id)s", kind=kind, id=response_id)


def log_out(page: Page) -> None:
    page.locator(".staff-nav form[action$='/logout'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/login"))


def review(page: Page, decision: str, reason: str | None = None) -> None:
    form = page.locator("main form[action$='/review']")
    form.locator(f"label[for='decision-{decision}']").click()
    expect(page.locator(f"#decision-{decision}")).to_be_checked()
    if reason:
        form.locator("#reason").fill(reason)
    # "Save", not "save and open the next awaiting review": back to this response.
    form.locator("button[type=submit]:not([name=then])").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("review-state")).to_have_attribute("data-state", decision)


def test_analyst_flags_notes_and_verifies_a_response_and_the_admin_sees_it(
    browser, live_server, live_app, live_wave
):
    with staff_scene(live_app, live_wave) as scene, desktop(browser, live_server) as page:
        analyst, admin = scene["emails"][Role.ANALYST], scene["emails"][Role.ADMIN]
        response_id, tax_code = scene["response_id"], scene["tax_code"]
        walk = Walk(page, prefix="staff")

        log_in(walk, analyst)
        walk.visit("dashboard")

        # Find the response by its tax code with the search box.
        page.goto(f"/staff/responses?wave={live_wave}")
        filters = page.locator("main form.filters")
        filters.locator("input[name=q]").fill(tax_code)
        filters.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(rf"[?&]q={tax_code}\b"))
        rows = page.locator("main table tbody tr[data-response]")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-response", str(response_id))
        walk.visit("responses-search")
        rows.first.get_by_role("link", name=tax_code).click()
        page.wait_for_url(re.compile(rf"/staff/responses/{response_id}$"))
        expect(page.get_by_test_id("state")).to_have_attribute("data-state", "submitted")
        expect(page.get_by_test_id("review-state")).to_have_attribute("data-state", "pending")
        walk.visit("response")

        # Flag it with a reason, and add an internal note.
        review(page, "flagged", FLAG_REASON)
        expect(page.get_by_test_id("review-state")).to_contain_text(FLAG_REASON)
        walk.visit("response-flagged")
        notes = page.locator("main form[action$='/notes']")
        notes.locator("textarea[name=text]").fill(NOTE)
        notes.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/staff/responses/{response_id}#notes$"))
        note = page.locator("ul.notes li").filter(has_text=NOTE)
        expect(note).to_have_count(1)
        expect(note).to_contain_text(analyst)
        walk.visit("response-noted")

        # Then verify it.
        review(page, "verified")
        walk.visit("response-verified")

        # The response's own history lists both decisions and the note, by the analyst, in
        # the audit log's words.
        words, the_response = audit_words_vi(live_app, response_id)
        history = page.locator("ul.history > li")
        for action in ("response.flagged", "response.verified", "response.note"):
            entry = history.filter(
                has=page.locator("strong", has_text=re.compile(rf"^{re.escape(words[action])}$"))
            )
            expect(entry).to_have_count(1)
            expect(entry).to_contain_text(analyst)
        log_out(page)

        # The administrator sees both review actions in the audit log.
        log_in(walk, admin)
        page.goto("/staff/audit")
        audit_filters = page.locator("main form.filters")
        audit_filters.locator("select[name=object_type]").select_option("responses")
        audit_filters.locator("input[name=object_id]").fill(str(response_id))
        audit_filters.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(rf"object_id={response_id}\b"))
        events = page.locator("main table tbody tr")
        expect(events).to_have_count(3)
        for action in ("response.flagged", "response.verified"):
            row = events.filter(has=page.locator("td", has_text=re.compile(rf"^{re.escape(words[action])}$")))
            expect(row).to_have_count(1)
            expect(row).to_have_attribute("data-action", action)
            expect(row).to_contain_text(analyst)
            expect(row).to_contain_text(the_response)
        walk.visit("audit")
        # The details are for people: the Vietnamese reason reads as typed, not as
        # JSON escapes such as "S\u1ed1 lao \u0111\u1ed9ng".
        flagged = events.filter(
            has=page.locator("td", has_text=re.compile(rf"^{re.escape(words['response.flagged'])}$"))
        )
        expect(flagged).to_contain_text(FLAG_REASON)

    # Cleaned up: nothing of the scene is left in the live database.
    with live_app.app_context():
        assert db.session.get(Response, scene["response_id"]) is None
        assert not db.session.scalars(select(StaffUser).where(StaffUser.id.in_(scene["user_ids"]))).all()
        assert not db.session.scalars(
            select(AuditEvent).where(AuditEvent.actor_id.in_(scene["user_ids"]))
        ).all()
