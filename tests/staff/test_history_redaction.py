"""Viewers see what was done to a response, never the words of notes and reasons (issue 21)."""

from __future__ import annotations

import html

import pytest

from survey import frameworks
from survey.models import Role
from tests import factories
from tests.staff.conftest import log_in, make_staff

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
NOTE = "Gọi lại cho giám đốc: nợ thuế, đừng công bố"
REASON = "Số liệu doanh thu bịa đặt, theo nguồn tin nội bộ"
CORRECTION_REASON = "Theo điện thoại với kế toán trưởng"
TYPED_NAME = "Tên do cán bộ gõ lại"


@pytest.fixture
def reviewed(app, client, db, as_role):
    """A response with a note, a rejection (with its reason) and a correction, by an analyst."""
    wave = factories.wave()
    firm = factories.enterprise(name="Công ty Ghi chú")
    response = factories.response(wave, firm, factories.answers_at(FRAMEWORK, 0.5), firm_name=firm.name)
    db.session.commit()
    analyst = app.test_client()
    as_role_client(analyst, db, Role.ANALYST)
    page = f"/staff/responses/{response.id}"
    token = analyst.csrf_token(page)
    assert analyst.post(f"{page}/notes", data={"csrf_token": token, "text": NOTE}).status_code == 303
    db.session.refresh(response)
    review = {"csrf_token": token, "decision": "rejected", "reason": REASON}
    review["version_id"] = response.version_id
    assert analyst.post(f"{page}/review", data=review).status_code == 303
    db.session.refresh(response)
    correction = {
        "csrf_token": token,
        "firm_name": TYPED_NAME,
        "unit_id": response.unit_id,
        "sector_code": response.sector_code,
        "ownership": response.ownership.value,
        "employees": response.employees or 10,
        "reason": CORRECTION_REASON,
        "version_id": response.version_id,
    }
    assert analyst.post(f"{page}/correct", data=correction).status_code == 303
    return response


def as_role_client(client, db, role):
    user = make_staff(db, role, email=f"{role.value}.writer@staff.example.org")
    assert log_in(client, user.email).status_code == 302


def test_viewers_see_the_history_without_notes_or_reasons(client, db, as_role, reviewed):
    as_role(Role.VIEWER)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = html.unescape(client.get(f"/staff/responses/{reviewed.id}").get_data(as_text=True))
    history = page[page.index('class="history"') :]
    # What happened is there, in words, and who did it...
    for done in ("Internal note added", "Reviewed: rejected", "Profile corrected by staff"):
        assert f"<strong>{done}</strong>" in history, done
    assert history.count("analyst.writer@staff.example.org") == 3
    # ...and the states, but none of the words typed.
    assert "Review state: Awaiting review → Rejected" in history
    for text in (NOTE, REASON, CORRECTION_REASON):
        assert text not in page, text
    # The corrected name is the firm's name now (the heading shows it); the history does not.
    assert TYPED_NAME not in history and "Công ty Ghi chú" not in history
    # A hidden value is marked as hidden, under its name: a viewer knows a note was written,
    # and that the rejection and the correction gave reasons.
    assert "<li>Note: (hidden)</li>" in history
    assert "Reason for the review decision: – → (hidden)" in history
    assert "<li>Reason: (hidden)</li>" in history


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_analysts_and_admins_still_read_them(client, db, as_role, reviewed, role):
    as_role(role)
    page = client.get(f"/staff/responses/{reviewed.id}").get_data(as_text=True)
    for text in (NOTE, REASON, CORRECTION_REASON, TYPED_NAME):
        assert text in page, text


def test_the_audit_log_with_its_details_is_for_admins_only(client, db, as_role, reviewed):
    as_role(Role.VIEWER)
    assert client.get("/staff/audit").status_code == 403
