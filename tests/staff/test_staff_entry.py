"""Staff enter a business's response after a phone, paper or in-person interview: on the
respondent's own pages, in the staff member's browser session, marked who, when and
how, counted like every other and filterable on the responses list."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models import AuditEvent, Response, ResponseState, Role
from survey.models.response import EntryMethod
from survey.statistics import rollup
from tests import factories
from tests.respondent import helpers
from tests.respondent.conftest import inbox  # noqa: F401 (the real SMTP server fixture)

EN = {"Accept-Language": "en"}


@pytest.fixture
def wave(db):
    wave = factories.wave(name="Khảo sát 2025")
    db.session.commit()
    return wave


def begin(client, method: str = "phone", **fields):
    token = client.csrf_token("/staff/entry")
    data = {"method": method, "consent": "y", "csrf_token": token, **fields}
    return client.post("/staff/entry", data=data, headers=EN)


def fill_firm(client, **overrides):
    token = client.csrf_token("/firm")
    return client.post("/firm", data={**helpers.firm_data(**overrides), "csrf_token": token}, headers=EN)


def the_response(db) -> Response:
    return db.session.scalar(select(Response).order_by(Response.id.desc()))


def test_an_analyst_enters_a_response_on_the_respondent_pages(app, client, db, wave, inbox, as_role):  # noqa: F811
    analyst = as_role(Role.ANALYST)
    form = client.get("/staff/entry", headers=EN)
    assert form.status_code == 200 and 'name="method"' in form.get_data(as_text=True)
    tax = factories.tax_code()
    begun = begin(client, "paper", kind="enterprise", tax_code=tax)
    assert begun.status_code == 302 and begun.headers["Location"].endswith("/firm")
    firm_page = client.get("/firm", headers=EN).get_data(as_text=True)
    assert 'data-testid="staff-entry"' in firm_page and "From a paper form" in firm_page
    created = fill_firm(client)
    assert created.status_code == 302 and "/assessment/1" in created.headers["Location"]
    response = the_response(db)
    assert response.enterprise.tax_code == tax and response.consent_at is not None
    assert (response.entered_by_id, response.entry_method) == (analyst.id, EntryMethod.PAPER)
    assert response.entered_at is not None
    assert inbox.messages == []  # staff send the business no mail unasked
    event = db.session.scalar(select(AuditEvent).filter_by(action="response.entered_by_staff"))
    assert event.actor_id == analyst.id and event.details["method"] == "paper"
    # The journey's own pages and checks, to the end; scored and counted like the rest.
    assert 'data-testid="staff-entry"' in client.get("/assessment/1").get_data(as_text=True)
    helpers.complete(client)
    assert helpers.submit(client).status_code == 303
    result = client.get("/result", headers=EN).get_data(as_text=True)
    assert (
        f'href="/staff/responses/{response.id}"' in result and "entered for the business by staff" in result
    )
    db.session.refresh(response)
    assert response.state == ResponseState.SUBMITTED and response.overall_level is not None
    counted = sum(row[-1] for row in rollup.tier_level_counts(db.session, wave, []))
    assert counted == 1
    page = client.get(f"/staff/responses/{response.id}", headers=EN).get_data(as_text=True)
    entered = helpers_by_testid(page, "entered-by")
    assert "From a paper form" in entered and analyst.email in entered


def helpers_by_testid(page: str, testid: str) -> str:
    from tests.staff.staff_helpers import by_testid

    return by_testid(page, testid)


def test_the_list_filters_by_who_entered(client, db, wave, as_role):
    own = factories.response(wave, answers=factories.answers_at(helpers.FRAMEWORK, 0.5))
    staff = factories.response(wave, answers=factories.answers_at(helpers.FRAMEWORK, 0.5))
    staff.entry_method = EntryMethod.PHONE
    db.session.commit()
    as_role(Role.VIEWER)

    def names(entry: str) -> set[int]:
        page = client.get(f"/staff/responses?wave={wave.id}&entry={entry}").get_data(as_text=True)
        return {r.id for r in (own, staff) if f"/staff/responses/{r.id}" in page}

    assert names("staff") == {staff.id}
    assert names("self") == {own.id}
    assert names("") == {own.id, staff.id}
    assert client.get(f"/staff/responses?wave={wave.id}&entry=robot").status_code == 400
    own_page = client.get(f"/staff/responses/{own.id}", headers=EN).get_data(as_text=True)
    assert "The business itself" in helpers_by_testid(own_page, "entered-by")


def test_from_a_register_firm_its_personal_id_never_on_the_page(client, db, as_role):
    households = factories.wave(name="Hộ kinh doanh", kinds=["household", "individual"])
    firm = factories.household()
    db.session.commit()
    analyst = as_role(Role.ANALYST)
    page = client.get(f"/staff/entry?enterprise={firm.id}", headers=EN).get_data(as_text=True)
    assert firm.name in page and firm.tax_code not in page
    assert f'name="enterprise" value="{firm.id}"' in page and 'name="tax_code"' not in page
    assert begin(client, "in_person", enterprise=str(firm.id)).headers["Location"].endswith("/firm")
    data = helpers.firm_data(firm_name="Hộ kinh doanh Cô Hoa", employees="2", revenue_bn="0,5")
    data.pop("ownership")
    token = client.csrf_token("/firm")
    assert client.post("/firm", data={**data, "csrf_token": token}).status_code == 302
    response = the_response(db)
    assert response.enterprise_id == firm.id and response.wave_id == households.id
    assert (response.entered_by_id, response.entry_method) == (analyst.id, EntryMethod.IN_PERSON)


def test_refusals(client, db, as_role):
    wave = factories.wave(name="Doanh nghiệp", kinds=["enterprise", "branch", "cooperative"])
    own = factories.response(wave)
    db.session.commit()
    as_role(Role.VIEWER)
    assert client.get("/staff/entry").status_code == 403
    assert client.post("/staff/entry", data={"csrf_token": client.csrf_token("/staff/")}).status_code == 403
    client.post("/staff/logout", data={"csrf_token": client.csrf_token("/staff/")})
    as_role(Role.ANALYST)
    missing = begin(client, "", kind="enterprise", tax_code=factories.tax_code(), consent="")
    text = missing.get_data(as_text=True)
    assert missing.status_code == 400
    assert "Please choose how the answers were taken." in text
    assert "Please confirm that the business agreed to the privacy notice." in text
    assert begin(client, kind="enterprise", tax_code="12345").status_code == 400
    unknown = client.get("/staff/entry?enterprise=999999", headers=EN).get_data(as_text=True)
    assert "not in the register" in unknown and 'name="tax_code"' in unknown
    bad_firm = begin(client, kind="enterprise", tax_code=factories.tax_code(), enterprise="999999")
    assert bad_firm.status_code == 400
    # A business with a response of its own: to its page, nothing begun.
    taken = begin(client, kind="enterprise", tax_code=own.enterprise.tax_code)
    assert taken.status_code == 303 and taken.headers["Location"].endswith(f"/staff/responses/{own.id}")
    # No open wave for the kind.
    closed = begin(client, kind="household", tax_code=factories.personal_id())
    assert closed.status_code == 409 and "No survey wave takes answers" in closed.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "staff_entry" not in session and "start_tax_code" not in session
    assert (
        client.get("/staff/entry").status_code == 200
        and db.session.scalar(select(func.count()).select_from(Response)) == 1
    )


def test_a_ticket_left_behind_creates_nothing(client, db, wave, as_role):
    as_role(Role.ANALYST)
    assert begin(client, kind="enterprise", tax_code=factories.tax_code()).status_code == 302
    token = client.csrf_token("/firm")
    client.post("/staff/logout", data={"csrf_token": client.csrf_token("/staff/")})
    ended = client.post("/firm", data={**helpers.firm_data(), "csrf_token": token}, headers=EN)
    assert ended.status_code == 403 and "staff entry has ended" in ended.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_journey_of_the_sessions_own_drops_the_ticket(client, db, wave, as_role):
    as_role(Role.ANALYST)
    assert begin(client, kind="enterprise", tax_code=factories.tax_code()).status_code == 302
    assert helpers.start(client, factories.tax_code()).status_code == 302
    response = the_response(db)
    assert response.entry_method is None and response.entered_by_id is None
    assert 'data-testid="staff-entry"' not in client.get("/assessment/1").get_data(as_text=True)


def test_staff_continue_a_draft_entered_by_staff(app, client, db, wave, as_role):
    first = as_role(Role.ANALYST)
    tax = factories.tax_code()
    begin(client, kind="enterprise", tax_code=tax)
    fill_firm(client)
    response = the_response(db)
    assert response.entered_by_id == first.id
    # Later, from another browser: the same business again continues the draft.
    other = app.test_client()
    colleague = helpers_make_analyst(db, other)
    token = other.csrf_token("/staff/entry")
    again = other.post(
        "/staff/entry",
        data={"kind": "enterprise", "tax_code": tax, "method": "phone", "consent": "y", "csrf_token": token},
    )
    assert again.status_code == 302 and "/assessment/" in again.headers["Location"]
    assert 'data-testid="staff-entry"' in other.get("/assessment/1").get_data(as_text=True)
    assert client.get("/assessment/1").status_code == 302  # the first session is shut out
    event = db.session.scalar(select(AuditEvent).filter_by(action="response.entry_continued"))
    assert event.actor_id == colleague.id
    db.session.refresh(response)
    assert response.entered_by_id == first.id  # who entered it stays


def helpers_make_analyst(db, client):
    from tests.staff.staff_helpers import logged_in

    user = logged_in(client, db, Role.ANALYST)
    db.session.commit()
    return user
