"""A lost resume link: a one-time recovery link, mailed only to the assessment's contact."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from survey.models import AuditEvent, Response
from survey.respondent import recovery
from tests import factories
from tests.respondent import helpers


def ask(client, tax_code: str, email: str):
    token = client.csrf_token("/recover")
    return client.post(
        "/recover",
        data={"tax_code": tax_code, "contact_email": email, "csrf_token": token},
        headers={"Accept-Language": "en"},
    )


def link_in(message) -> str:
    return re.search(r"https?://\S+/recover/\S+", message.get_content()).group(0)


def test_the_link_goes_only_to_the_contact_and_the_page_says_the_same(app, client, db, wave, inbox):
    tax = factories.tax_code()
    helpers.start(client, tax)  # contact lan@example.vn
    inbox.messages.clear()  # the resume link mailed at the start
    stranger = app.test_client()
    wrong = ask(stranger, tax, "thief@evil.example")
    unknown = ask(stranger, factories.tax_code(), "lan@example.vn")
    right = ask(app.test_client(), tax, "LAN@example.vn")
    assert wrong.status_code == unknown.status_code == right.status_code == 200
    text = [helpers.without_tokens(r.get_data(as_text=True)) for r in (wrong, unknown, right)]
    assert "Check your e-mail" in text[0] and text[0] == text[1] == text[2]
    assert [m["To"] for m in inbox.messages] == ["lan@example.vn"]


def test_opening_the_link_takes_over_once(app, client, db, wave, inbox):
    tax = factories.tax_code()
    helpers.start(client, tax)
    old_resume = helpers.resume_link(client)
    inbox.messages.clear()
    ask(app.test_client(), tax, "lan@example.vn")
    link = link_in(inbox.messages[0])
    path = "/" + link.split("/", 3)[3]
    device = app.test_client()
    opened = device.get(path)
    assert opened.status_code == 302 and "/assessment/" in opened.headers["Location"]
    assert device.get("/assessment/1").status_code == 200
    # Every earlier session and link ends; the recovery link works once.
    assert client.get("/assessment/1").headers["Location"].endswith("/start")
    assert client.get("/" + old_resume.split("/", 3)[3]).status_code == 404
    assert app.test_client().get(path).status_code == 404
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("response.recover%")))
    assert sorted(actions) == ["response.recovered", "response.recovery_requested"]


def test_one_mail_per_ten_minutes_and_a_day_to_use_it(app, client, db, wave, inbox):
    tax = factories.tax_code()
    helpers.start(client, tax)
    inbox.messages.clear()
    ask(app.test_client(), tax, "lan@example.vn")
    ask(app.test_client(), tax, "lan@example.vn")
    assert len(inbox.messages) == 1  # nobody can flood the firm's inbox
    response = db.session.scalar(select(Response))
    response.recovery_expires_at -= recovery.LIFETIME + timedelta(seconds=1)
    db.session.commit()
    path = "/" + link_in(inbox.messages[0]).split("/", 3)[3]
    assert app.test_client().get(path).status_code == 404  # expired


def test_without_mail_the_page_points_to_the_department(client, wave):
    page = client.get("/recover", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'name="contact_email"' not in page
    assert "please write to" in page


def test_bad_input_gets_messages_and_sends_nothing(app, client, wave, inbox):
    refused = ask(client, "12345", "not-an-address")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'id="tax_code-error"' in page and 'id="contact_email-error"' in page
    assert inbox.messages == []
