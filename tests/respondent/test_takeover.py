"""Who may hold a response: the personal link takes it over, and every other session ends.

The probe: a stranger started a register firm's draft from its public tax code before
the firm opened its personal link; the link then opened that draft, and the stranger's
old session went on showing the real contact and the result. Revoking or reissuing a
link did not shut out whoever had used it.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.models import AuditEvent, Response, ResponseState, Role
from tests import factories
from tests.respondent import helpers
from tests.staff.staff_helpers import logged_in
from tests.staff.test_invitations import exported, invitation_of, issue, path_of, post_action, register_firm


def stranger_draft(app, firm):
    """A stranger begins the firm's assessment from its tax code and answers a page."""
    stranger = app.test_client()
    started = helpers.start(
        stranger, firm.tax_code, contact_name="Kẻ Lạ", contact_email="stranger@evil.example"
    )
    assert started.status_code == 302
    page = helpers.answer_step(stranger, 1, helpers.pillar_answers(helpers.FRAMEWORK.pillars[0]))
    assert page.status_code == 302
    return stranger, helpers.resume_link(stranger)


def link_for(client, db, wave, firm) -> str:
    logged_in(client, db, Role.ANALYST)
    return exported(issue(client, wave.id))[firm.tax_code]["link"]


def shut_out(client, resume: str) -> bool:
    """Whether neither the client's session nor its resume link opens anything now."""
    firm_page = client.get("/firm")
    result = client.get("/result")
    resumed = client.get(path_of(resume))
    return (
        "/assessment" not in firm_page.headers.get("Location", "/start")
        and firm_page.status_code == 302
        and result.headers.get("Location", "").endswith("/start")
        and resumed.status_code == 404
    )


def opened_through(app, link: str):
    """A device that opened the personal link and saved the firm page: (client, resume link)."""
    holder = app.test_client()
    assert holder.get(path_of(link)).headers["Location"].endswith("/firm")
    token = holder.csrf_token("/firm")
    assert (
        holder.post("/firm", data={**helpers.firm_data(), "consent": "y", "csrf_token": token}).status_code
        == 302
    )
    return holder, helpers.resume_link(holder)


def choose(firm_client, link: str, choice: str):
    token = firm_client.csrf_token(path_of(link))
    return firm_client.post(path_of(link), data={"csrf_token": token, "choice": choice})


def test_a_stranger_draft_does_not_silently_become_the_invited_firms(app, client, db):
    wave = factories.wave()
    firm = register_firm()
    link = link_for(client, db, wave, firm)
    stranger, stranger_resume = stranger_draft(app, firm)

    firm_client = app.test_client()
    asked = firm_client.get(path_of(link), headers={"Accept-Language": "en"})
    assert asked.status_code == 200
    assert "begun without your link" in asked.get_data(as_text=True)
    # Only asking changes nothing yet: the draft is as the stranger left it.
    response = db.session.scalars(select(Response).filter_by(wave_id=wave.id)).one()
    assert response.contact_email == "stranger@evil.example" and response.invitation_id is None

    fresh = choose(firm_client, link, "afresh")
    assert fresh.status_code == 302 and fresh.headers["Location"].endswith("/firm")
    db.session.expire_all()
    response = db.session.get(Response, response.id)
    assert response.answers == {}
    assert response.contact_email == firm.contact_email  # the register's, not the stranger's
    assert response.consent_at is None  # the firm consents itself on the firm page
    assert response.invitation_id == invitation_of(db, link).id
    assert shut_out(stranger, stranger_resume)

    # The firm fills in its profile and consents, then answers and submits.
    token = firm_client.csrf_token("/firm")
    data = {**helpers.firm_data(contact_email="real@firm.vn"), "consent": "y", "csrf_token": token}
    assert firm_client.post("/firm", data=data).status_code == 302
    helpers.complete(firm_client)
    assert helpers.submit(firm_client).status_code == 303
    # The stranger's old session and link show nothing of it.
    for path in ("/firm", "/result", "/review", "/assessment/1"):
        page = stranger.get(path)
        assert page.status_code == 302 and "real@firm.vn" not in page.get_data(as_text=True)
    assert stranger.get(path_of(stranger_resume)).status_code == 404
    assert db.session.scalars(
        select(AuditEvent.details).filter_by(action="response.taken_over", object_id=str(response.id))
    ).one() == {"invitation_id": response.invitation_id, "state": "draft", "choice": "afresh"}


def test_the_firm_may_keep_a_draft_begun_without_its_link(app, client, db):
    wave = factories.wave()
    firm = register_firm()
    link = link_for(client, db, wave, firm)
    stranger, stranger_resume = stranger_draft(app, firm)
    firm_client = app.test_client()
    kept = choose(firm_client, link, "keep")
    assert kept.status_code == 302 and kept.headers["Location"].endswith("/firm")
    response = db.session.scalars(select(Response).filter_by(wave_id=wave.id)).one()
    db.session.refresh(response)
    assert response.answers  # what was typed stays, for the firm to check
    assert response.consent_at is None
    page = firm_client.get("/firm").get_data(as_text=True)
    assert "stranger@evil.example" in page  # shown to the firm so it can correct it
    assert shut_out(stranger, stranger_resume)


def test_a_choice_needs_the_form_token(app, client, db):
    wave = factories.wave()
    firm = register_firm()
    link = link_for(client, db, wave, firm)
    stranger, _resume = stranger_draft(app, firm)
    refused = app.test_client().post(path_of(link), data={"choice": "afresh"})
    assert refused.status_code == 400
    response = db.session.scalars(select(Response).filter_by(wave_id=wave.id)).one()
    db.session.refresh(response)
    assert response.answers and response.invitation_id is None
    assert stranger.get("/assessment/1").status_code == 200  # nothing was taken over


def test_each_opening_of_the_link_ends_the_sessions_before_it(app, client, db):
    wave = factories.wave()
    firm = register_firm()
    link = link_for(client, db, wave, firm)
    phone, phone_resume = opened_through(app, link)
    # No choice page: the draft was begun through the link.
    laptop = app.test_client()
    opened = laptop.get(path_of(link))
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/assessment/1")
    assert laptop.get("/assessment/1").status_code == 200
    assert shut_out(phone, phone_resume)


def test_a_response_submitted_without_the_link_is_taken_over_and_said_so(app, client, db):
    wave = factories.wave()
    firm = register_firm()
    link = link_for(client, db, wave, firm)
    stranger, stranger_resume = stranger_draft(app, firm)
    helpers.complete(stranger)
    assert helpers.submit(stranger).status_code == 303
    firm_client = app.test_client()
    opened = firm_client.get(path_of(link), headers={"Accept-Language": "en"})
    assert opened.headers["Location"].endswith("/result")
    page = firm_client.get("/result", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "submitted before your enterprise opened its personal link" in page
    assert shut_out(stranger, stranger_resume)


def test_revoking_a_link_ends_the_sessions_and_resume_links_of_whoever_used_it(app, client, db):
    wave = factories.wave()
    firm = register_firm()
    link = link_for(client, db, wave, firm)
    holder, resume = opened_through(app, link)
    invitation = invitation_of(db, link)
    assert post_action(client, f"/staff/invitations/link/{invitation.id}/revoke").status_code == 200
    assert shut_out(holder, resume)


def test_reissuing_ends_old_sessions_and_the_new_link_opens_the_same_draft(app, client, db):
    wave = factories.wave()
    firm = register_firm()
    link = link_for(client, db, wave, firm)
    holder, resume = opened_through(app, link)
    invitation = invitation_of(db, link)
    done = post_action(client, f"/staff/invitations/link/{invitation.id}/reissue")
    new = re.search(
        r'data-testid="new-link"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-testid="new-link"',
        done.get_data(as_text=True),
    )
    new_link = next(g for g in new.groups() if g)
    assert shut_out(holder, resume)
    again = app.test_client().get(path_of(new_link))
    assert again.status_code == 302 and again.headers["Location"].endswith("/assessment/1")
    # Reissuing the replaced link again is refused, not a 500 and not a second live link.
    twice = post_action(client, f"/staff/invitations/link/{invitation.id}/reissue")
    assert twice.status_code == 409
    assert post_action(client, f"/staff/invitations/link/{invitation.id}/revoke").status_code == 409


def test_a_submitted_profile_cannot_be_rewritten(app, client, db):
    wave = factories.wave()
    tax = factories.tax_code()
    helpers.start(client, tax)
    helpers.complete(client)
    token = client.csrf_token("/review")
    helpers.submit(client)
    changed = client.post(
        "/firm", data={**helpers.firm_data(sector_code="K", employees="5000"), "csrf_token": token}
    )
    assert changed.status_code == 409
    response = db.session.scalars(select(Response).filter_by(wave_id=wave.id)).one()
    db.session.refresh(response)
    assert (response.sector_code, response.employees, response.state) == ("H", 25, ResponseState.SUBMITTED)
    assert client.get("/firm").headers["Location"].endswith("/result")


def test_a_draft_is_read_only_once_the_wave_takes_no_answers(app, client, db):
    from datetime import timedelta

    from survey.models.base import utcnow

    wave = factories.wave()
    helpers.start(client, factories.tax_code())
    first = helpers.pillar_answers(helpers.FRAMEWORK.pillars[0])
    assert helpers.answer_step(client, 1, first, action="save").status_code == 302
    token = client.csrf_token("/firm")
    wave.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    changed = client.post("/firm", data={**helpers.firm_data(employees="5000"), "csrf_token": token})
    assert changed.status_code == 409
    later = helpers.answer_step(
        client, 2, helpers.pillar_answers(helpers.FRAMEWORK.pillars[1]), action="save"
    )
    assert later.status_code == 409
    response = db.session.scalars(select(Response).filter_by(wave_id=wave.id)).one()
    db.session.refresh(response)
    assert response.employees == 25
    assert set(response.answers) == {c.code for c in helpers.FRAMEWORK.pillars[0].criteria}
    # Reading stays possible.
    assert client.get("/assessment/1").status_code == 200
