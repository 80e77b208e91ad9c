"""Retried requests whose first answer was lost (a server restart, a dropped connection).

The browser keeps the cookie it had before the lost answer, so the retry arrives with
the older session. Each step must then carry on with the response the first request
made, never make a second one or lock the firm out.
"""

from __future__ import annotations

from sqlalchemy import func, select

from survey.models import Response, ResponseState
from tests import factories
from tests.respondent import helpers


def responses(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def test_a_retried_firm_step_continues_the_draft_it_made(client, db, wave):
    tax = factories.tax_code()
    token = client.csrf_token("/start")
    client.post("/start", data={"tax_code": tax, "consent": "y", "csrf_token": token})
    firm_token = client.csrf_token("/firm")
    before = client.get_cookie("session").value
    first = client.post("/firm", data={**helpers.firm_data(), "csrf_token": firm_token})
    assert first.status_code == 302
    # The answer never arrived: the browser still holds the cookie from before.
    client.set_cookie("session", before)
    retry = client.post(
        "/firm", data={**helpers.firm_data(firm_name="Cảng Xanh (retry)"), "csrf_token": firm_token}
    )
    assert retry.status_code == 302, retry.get_data(as_text=True)
    assert responses(db) == 1
    helpers.complete(client)
    assert helpers.submit(client).status_code == 303
    stored = db.session.scalars(select(Response)).one()
    assert stored.state == ResponseState.SUBMITTED
    assert stored.firm_name == "Cảng Xanh (retry)"


def test_someone_else_starting_for_the_same_firm_is_still_refused(client, app, db, wave):
    tax = factories.tax_code()
    stranger = app.test_client()
    # Both pass the start page before either has made the draft.
    for who in (client, stranger):
        token = who.csrf_token("/start")
        who.post("/start", data={"tax_code": tax, "consent": "y", "csrf_token": token})
    first = client.post("/firm", data={**helpers.firm_data(), "csrf_token": client.csrf_token("/firm")})
    assert first.status_code == 302
    late = stranger.post(
        "/firm",
        data={**helpers.firm_data(firm_name="Someone else"), "csrf_token": stranger.csrf_token("/firm")},
        headers={"Accept-Language": "en"},
    )
    assert late.status_code == 409
    assert "resume link" in late.get_data(as_text=True)
    assert db.session.scalars(select(Response)).one().firm_name == "Công ty TNHH Cảng Xanh"


def test_a_retried_submit_stores_one_submission(client, db, wave):
    helpers.start(client, factories.tax_code())
    helpers.complete(client)
    token = client.csrf_token("/review")
    before = client.get_cookie("session").value
    assert client.post("/submit", data={"csrf_token": token}).status_code == 303
    client.set_cookie("session", before)
    retry = client.post("/submit", data={"csrf_token": token})
    assert retry.status_code == 303 and retry.headers["Location"].endswith("/result")
    stored = db.session.scalars(select(Response)).one()
    assert stored.state == ResponseState.SUBMITTED
    assert len(stored.pillar_scores) == len(helpers.FRAMEWORK.pillars)
