"""A register upload in a real browser: the check and the import are tasks a worker runs
(the live server's ThreadWorker), and their page follows them until the preview and the
counts appear, checked with axe-core on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from survey.extensions import db
from survey.models import AuditEvent, Enterprise, Role, StaffUser, Task
from survey.models.staff import StaffSession
from tests import factories
from tests.browser.journey import Walk
from tests.registry_import._support import row, workbook

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-password"
EMAIL = "admin.register@browser.staff.test"


@pytest.fixture
def admin(live_app):
    with live_app.app_context():
        user = StaffUser(email=EMAIL, role=Role.ADMIN)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        user_id = user.id
    codes = [factories.tax_code() for _ in range(3)]
    yield codes
    with live_app.app_context():
        db.session.execute(delete(Task).where(Task.requested_by_id == user_id))
        db.session.execute(delete(AuditEvent).where(AuditEvent.actor_id == user_id))
        db.session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
        db.session.execute(delete(Enterprise).where(Enterprise.tax_code.in_(codes)))
        db.session.delete(db.session.get(StaffUser, user_id))
        db.session.commit()


def test_an_admin_uploads_a_register_sees_the_checked_preview_and_imports_it(
    browser, live_server, live_app, admin, tmp_path
):
    codes = admin
    file = tmp_path / "so-dang-ky.xlsx"
    file.write_bytes(
        workbook([row(tax_code=codes[0]), row(tax_code=codes[1]), row(tax_code=codes[2], name="")]).getvalue()
    )
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server, locale="vi-VN", bypass_csp=True
    )
    page = context.new_page()
    walk = Walk(page, prefix="register-task", audit=True)
    try:
        page.goto("/staff/login")
        page.locator("#email").fill(EMAIL)
        page.locator("#password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/staff/$"))

        page.goto("/staff/register")
        page.locator("input[type=file]").set_input_files(str(file))
        page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/staff/tasks/\d+$"))
        # The page reloads itself once the worker has checked the file, and shows the preview.
        preview = page.get_by_test_id("preview")
        expect(preview).to_be_visible(timeout=30_000)
        walk.visit("preview")
        expect(preview.locator("[data-count=valid]")).to_have_text("2")
        expect(preview.locator("[data-count=errors]")).to_have_text("1")
        assert page.locator("html").get_attribute("lang") == "vi"
        with page.expect_download() as download:
            page.locator("a[href$='/errors.xlsx']").click()
        assert download.value.suggested_filename == "loi-so-dang-ky.xlsx"

        page.locator("form[action$='/confirm'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/staff/register$"), timeout=30_000)
        walk.visit("imported")
        expect(page.locator(".flash-success")).to_contain_text("2")
    finally:
        context.close()
    assert not walk.problems, "axe found serious or critical problems:\n" + "\n".join(walk.problems)
    with live_app.app_context():
        stored = db.session.scalars(select(Enterprise.tax_code).where(Enterprise.tax_code.in_(codes))).all()
        db.session.remove()
    assert sorted(stored) == sorted(codes[:2])
