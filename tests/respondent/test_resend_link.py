"""Nobody is stranded without their link: "send my link again" by kind and identifier,
staff resending it from the response's page, and the link box open after saving.

The mail goes through a real SMTP server on 127.0.0.1 (the ``inbox`` fixture)."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey import tokens
from survey.models import AuditEvent, Response, Role
from tests import factories
from tests.respondent import helpers

EN = {"Accept-Language": "en"}


def ask(client, identifier: str, kind: str = "enterprise", email: str = ""):
    token = client.csrf_token("/recover")
    data = {"kind": kind, "tax_code": identifier, "csrf_token": token}
    if email:
        data["contact_email"] = email
    return client.post("/recover", data=data, headers=EN)


def link_in(message) -> str:
    return re.search(r"https?://\S+/recover/\S+", message.get_content()).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_kind_and_identifier_are_enough_and_the_page_never_shows_the_link(app, client, db, wave, inbox):
    tax = factories.tax_code()
    helpers.start(client, tax)  # contact lan@example.vn
    old_resume = helpers.resume_link(client)
    inbox.messages.clear()
    known = ask(app.test_client(), tax)
    unknown = ask(app.test_client(), factories.tax_code())
    assert known.status_code == unknown.status_code == 200
    pages = [helpers.without_tokens(r.get_data(as_text=True)) for r in (known, unknown)]
    assert "Check your e-mail" in pages[0] and pages[0] == pages[1]  # the same answer either way
    assert [m["To"] for m in inbox.messages] == ["lan@example.vn"]
    link = link_in(inbox.messages[0])
    assert link not in pages[0] and "/recover/" not in pages[0]
    # A fresh token, stored only as its digest; the old resume link is not mailed (it cannot be).
    token = link.rsplit("/", 1)[1]
    response = db.session.scalar(select(Response))
    assert response.recovery_token_hash == tokens.digest(token) and token not in str(vars(response))
    assert old_resume not in inbox.messages[0].get_content()
    # Opening it lets the business in, with a new resume link; the old one stops working.
    device = app.test_client()
    assert "/assessment/" in device.get(path_of(link)).headers["Location"]
    assert helpers.resume_link(device) != old_resume
    assert app.test_client().get(path_of(old_resume)).status_code == 404


def test_a_household_asks_with_its_kind_and_personal_id(app, client, db, wave, inbox):
    personal_id = factories.personal_id()
    token = client.csrf_token("/start")
    client.post(
        "/start", data={"kind": "household", "tax_code": personal_id, "consent": "y", "csrf_token": token}
    )
    firm = helpers.firm_data(firm_name="Hộ kinh doanh Cô Hoa", contact_email="hoa@example.vn")
    firm.pop("ownership")
    assert client.post("/firm", data={**firm, "csrf_token": client.csrf_token("/firm")}).status_code == 302
    inbox.messages.clear()
    ask(app.test_client(), personal_id, kind="enterprise")  # the wrong kind finds nothing
    assert inbox.messages == []
    ask(app.test_client(), personal_id, kind="household")
    assert [m["To"] for m in inbox.messages] == ["hoa@example.vn"]


def test_a_typed_address_must_be_the_one_on_file(app, client, db, wave, inbox):
    tax = factories.tax_code()
    helpers.start(client, tax)
    inbox.messages.clear()
    wrong = ask(app.test_client(), tax, email="thief@evil.example")
    assert wrong.status_code == 200 and "Check your e-mail" in wrong.get_data(as_text=True)
    assert inbox.messages == []  # and nothing to the thief
    ask(app.test_client(), tax, email="Lan@Example.vn")
    assert [m["To"] for m in inbox.messages] == ["lan@example.vn"]


def test_rate_limited_by_address_and_by_response(app, client, db, wave, inbox):
    tax = factories.tax_code()
    helpers.start(client, tax)
    inbox.messages.clear()
    asker = app.test_client()
    statuses = [ask(asker, tax).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert len(inbox.messages) == 1  # one mail per response in ten minutes
    token = asker.csrf_token("/recover")
    refused = asker.post("/recover", data={"kind": "enterprise", "tax_code": tax, "csrf_token": token})
    assert refused.status_code == 429  # RATELIMIT_RECOVER: 5 per 10 minutes


def test_the_start_and_message_pages_offer_it(client, db, wave):
    start = client.get("/start", headers=EN).get_data(as_text=True)
    assert 'href="/recover"' in start and "Send my link again" in start
    tax = factories.tax_code()
    helpers.start(client, tax)
    begun = app_client_start(client.application, tax)
    assert begun.status_code == 409
    assert 'href="/recover"' in begun.get_data(as_text=True)
    recover = client.get("/recover", headers=EN).get_data(as_text=True)
    assert "Send my link again" in recover


def app_client_start(app, tax: str):
    other = app.test_client()
    token = other.csrf_token("/start")
    return other.post(
        "/start",
        data={"kind": "enterprise", "tax_code": tax, "consent": "y", "csrf_token": token},
        headers=EN,
    )


def test_save_and_finish_later_opens_the_link_box(client, db, wave):
    helpers.start(client, factories.tax_code())
    closed = client.get("/assessment/2").get_data(as_text=True)
    assert '<details class="resume">' in closed
    pillar = helpers.FRAMEWORK.pillars[0]
    partial = dict(list(helpers.pillar_answers(pillar).items())[:2])
    saved = helpers.answer_step(client, 1, partial, action="save")
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"], headers=EN).get_data(as_text=True)
    assert '<details class="resume" open>' in page
    assert "Your answers are saved" in page and 'id="resume-link"' in page


def _staff_page(client, response_id: int) -> str:
    return client.get(f"/staff/responses/{response_id}", headers=EN).get_data(as_text=True)


def test_staff_resend_the_link_from_the_response_page(app, client, db, wave, inbox, as_role):
    tax = factories.tax_code()
    respondent = app.test_client()
    helpers.start(respondent, tax)
    response = db.session.scalar(select(Response))
    inbox.messages.clear()
    analyst = as_role(Role.ANALYST)
    page = _staff_page(client, response.id)
    assert f'action="/staff/responses/{response.id}/send-link"' in page and "Resend the link" in page
    token = client.csrf_token(f"/staff/responses/{response.id}")
    sent = client.post(f"/staff/responses/{response.id}/send-link", data={"csrf_token": token}, headers=EN)
    assert sent.status_code == 303
    assert [m["To"] for m in inbox.messages] == ["lan@example.vn"]
    link = link_in(inbox.messages[0])
    assert sent.headers["Location"].endswith(f"/staff/responses/{response.id}")
    after = _staff_page(client, response.id)
    assert "e-mailed to lan@example.vn" in after
    assert link.rsplit("/", 1)[1] not in after and "/recover/" not in after
    event = db.session.scalar(select(AuditEvent).filter_by(action="response.link_sent"))
    assert event.actor_id == analyst.id and event.object_id == str(response.id)
    # Staff need no ten-minute wait; each new link replaces the last.
    token = client.csrf_token(f"/staff/responses/{response.id}")
    client.post(f"/staff/responses/{response.id}/send-link", data={"csrf_token": token})
    assert len(inbox.messages) == 2
    assert app.test_client().get(path_of(link)).status_code == 404
    device = app.test_client()
    assert "/assessment/" in device.get(path_of(link_in(inbox.messages[1]))).headers["Location"]


def test_staff_resend_needs_an_analyst_csrf_and_a_contact(app, client, db, wave, inbox, as_role):
    response = factories.response(wave, contact_email="a@example.vn")
    quiet = factories.response(wave, contact_email=None)
    db.session.commit()
    as_role(Role.VIEWER)
    assert "Resend the link" not in _staff_page(client, response.id)
    token = client.csrf_token(f"/staff/responses/{response.id}")
    assert (
        client.post(f"/staff/responses/{response.id}/send-link", data={"csrf_token": token}).status_code
        == 403
    )
    client.post("/staff/logout", data={"csrf_token": token})
    as_role(Role.ANALYST)
    assert client.post(f"/staff/responses/{response.id}/send-link").status_code == 400  # no CSRF token
    token = client.csrf_token(f"/staff/responses/{quiet.id}")
    assert "no contact e-mail address" in _staff_page(client, quiet.id)
    refused = client.post(f"/staff/responses/{quiet.id}/send-link", data={"csrf_token": token}, headers=EN)
    assert refused.status_code == 303
    assert "no contact e-mail address; no link was sent" in _staff_page(client, quiet.id)
    assert inbox.messages == []
    assert db.session.scalar(select(AuditEvent).filter_by(action="response.link_sent")) is None


def test_staff_resend_without_a_mail_server_says_so(client, db, wave, as_role):
    response = factories.response(wave, contact_email="a@example.vn")
    db.session.commit()
    as_role(Role.ANALYST)
    token = client.csrf_token(f"/staff/responses/{response.id}")
    sent = client.post(f"/staff/responses/{response.id}/send-link", data={"csrf_token": token}, headers=EN)
    assert sent.status_code == 303
    assert "cannot send e-mail" in _staff_page(client, response.id)
    db.session.refresh(response)
    assert response.recovery_token_hash is None
