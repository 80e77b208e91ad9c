"""The respondent's journey through the Flask test client, step by step."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from survey.models import Enterprise, Response, ResponseState, SizeClass
from survey.models.base import utcnow
from survey.scoring.effort import estimate
from tests import factories
from tests.respondent import helpers
from tests.respondent.helpers import FRAMEWORK


def count(db, model=Response, **filters):
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**filters))


def test_landing_page_explains_and_links_to_start(client, wave):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Start the assessment" in page and 'href="/start"' in page
    assert "Privacy notice" in page and "91/2025/QH15" in page
    # The time is measured from the wave's own instrument, not a fixed claim.
    effort = estimate(FRAMEWORK, "en")
    assert f"about {effort.minutes} minutes" in page
    assert f"Answer {effort.questions} questions" in page


def test_whole_journey_stores_answers_and_scores_once(client, db, wave):
    tax = factories.tax_code()
    response = helpers.start(client, tax)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/assessment/1")
    draft = db.session.scalar(select(Response))
    assert draft.state == ResponseState.DRAFT
    assert draft.firm_name == "Công ty TNHH Cảng Xanh" and draft.revenue_vnd == 12_500_000_000
    # Transport & storage (trade & services), 25 employees, 12.5 bn revenue: small.
    assert draft.size_class == SizeClass.SMALL
    assert draft.resume_token_hash and len(draft.resume_token_hash) == 64
    # The firm joined the register.
    assert db.session.scalar(select(Enterprise.name).filter_by(tax_code=tax)) == "Công ty TNHH Cảng Xanh"

    helpers.complete(client, 0.5)
    draft = db.session.scalar(select(Response))
    assert len(draft.answers) == 60 and draft.technologies == ["cloud", "iot"]

    result = helpers.submit(client)
    assert result.status_code == 303 and result.headers["Location"].endswith("/result")
    stored = db.session.scalar(select(Response))
    assert stored.state == ResponseState.SUBMITTED
    expected = factories.answers_at(FRAMEWORK, 0.5)
    assert stored.answers == expected
    assert stored.overall_level is not None and len(stored.pillar_scores) == 6

    page = client.get("/result", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'data-testid="overall-level">{stored.overall_level}<' in page
    assert "<svg" in page and "What to do next" in page


def test_double_submit_and_resubmit_give_one_response_and_the_same_result(client, db, wave):
    helpers.start(client, factories.tax_code())
    helpers.complete(client)
    token = helpers.token_of(client, "/review")
    first = client.post("/submit", data={"csrf_token": token})
    second = client.post("/submit", data={"csrf_token": token})  # double click / back + resubmit
    assert first.headers["Location"] == second.headers["Location"] == "/result"
    assert count(db, state=ResponseState.SUBMITTED) == 1
    submitted_at = db.session.scalar(select(Response.submitted_at))
    # A retry after a time-out, with the page's old token: same result, nothing changes.
    retry = client.post("/submit", data={"csrf_token": token})
    assert retry.headers["Location"] == "/result"
    assert db.session.scalar(select(Response.submitted_at)) == submitted_at
    # Trying to answer again after submitting leads to the result, never to an edit.
    assert client.get("/assessment/1").headers["Location"].endswith("/result")


def test_submitting_an_incomplete_assessment_is_refused(client, db, wave):
    helpers.start(client, factories.tax_code())
    helpers.answer_step(client, 1, helpers.pillar_answers(FRAMEWORK.pillars[0]))
    response = helpers.submit(client)
    assert response.headers["Location"].endswith("/review")
    assert count(db, state=ResponseState.SUBMITTED) == 0
    page = client.get("/review", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "questions are not answered yet" in page


def test_a_page_with_unanswered_questions_keeps_what_was_ticked(client, db, wave):
    helpers.start(client, factories.tax_code())
    pillar = FRAMEWORK.pillars[0]
    partial = dict(list(helpers.pillar_answers(pillar).items())[:3])
    response = helpers.answer_step(client, 1, partial)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # Vietnamese by default: next to each of the 10 unanswered questions and in the summary.
    unanswered = len(pillar.criteria) - 3
    assert page.count('class="field-errors"') == unanswered
    assert page.count("Vui lòng chọn một câu trả lời.") == 2 * unanswered
    first = pillar.criteria[0]
    assert f'value="{partial[first.code]}" checked' in page
    # Nothing saved from a refused page.
    assert db.session.scalar(select(Response.answers)) == {}


def test_save_and_finish_later_keeps_a_partial_page(client, db, wave):
    helpers.start(client, factories.tax_code())
    pillar = FRAMEWORK.pillars[0]
    partial = dict(list(helpers.pillar_answers(pillar).items())[:3])
    response = helpers.answer_step(client, 1, partial, action="save")
    assert response.status_code == 302
    assert db.session.scalar(select(Response.answers)) == partial


def test_unknown_options_are_refused_even_when_saving(client, db, wave):
    helpers.start(client, factories.tax_code())
    code = FRAMEWORK.pillars[0].criteria[0].code
    response = helpers.answer_step(client, 1, {code: "<script>x</script>"}, action="save")
    assert response.status_code == 400
    assert "<script>x</script>" not in response.get_data(as_text=True)
    assert db.session.scalar(select(Response.answers)) == {}


def test_none_cannot_be_combined_with_other_options(client, db, wave):
    helpers.start(client, factories.tax_code())
    multi = next(c for c in FRAMEWORK.pillars[0].criteria if c.kind.value == "multi")
    none = next(o.code for o in multi.options if o.points == 0)
    other = next(o.code for o in multi.options if o.points > 0)
    response = helpers.answer_step(client, 1, {multi.code: [none, other]}, action="save")
    assert response.status_code == 400


def test_resume_link_reopens_the_draft_where_it_stopped(client, app, db, wave):
    helpers.start(client, factories.tax_code())
    link = helpers.resume_link(client)
    for step in (1, 2):
        helpers.answer_step(client, step, helpers.pillar_answers(FRAMEWORK.pillars[step - 1]))
    path = link.split("localhost", 1)[1]
    other = app.test_client()  # another device: no session
    response = other.get(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/assessment/3")
    page = other.get("/assessment/1").get_data(as_text=True)
    first = FRAMEWORK.pillars[0].criteria[0]
    assert f'value="{helpers.pillar_answers(FRAMEWORK.pillars[0])[first.code]}" checked' in page


def test_resume_with_a_wrong_token_says_so_and_is_throttled(client, wave):
    for _ in range(10):
        response = client.get("/resume/not-a-real-token-" + "x" * 30)
        assert response.status_code == 404
    assert client.get("/resume/still-wrong").status_code == 429


def _start_as_stranger(app, tax: str):
    stranger = app.test_client()
    token = stranger.csrf_token("/start")
    return stranger.post(
        "/start",
        data={"tax_code": tax, "consent": "y", "csrf_token": token},
        headers={"Accept-Language": "en"},
    )


def test_start_says_the_same_for_a_draft_and_a_submitted_assessment(client, app, db, wave):
    """A tax code is public: the start page must not tell who has just submitted."""
    drafted, submitted = factories.tax_code(), factories.tax_code()
    helpers.start(client, drafted)
    other = app.test_client()
    helpers.start(other, submitted)
    helpers.complete(other)
    helpers.submit(other)
    answers = [_start_as_stranger(app, tax) for tax in (drafted, submitted)]
    assert [a.status_code for a in answers] == [409, 409]
    # The same page but for the CSRF token of the language switch.
    pages = [helpers.without_tokens(a.get_data(as_text=True)) for a in answers]
    assert pages[0] == pages[1]
    assert "already been begun" in pages[0] and 'href="/recover"' in pages[0]
    assert "Cảng Xanh" not in pages[0]  # nothing of the existing response is shown
    assert count(db) == 2


def test_register_prefills_only_non_personal_fields(client, db, wave):
    firm = factories.enterprise(
        name="Công ty Cổ phần Đóng tàu", sector_code="C", employees=150, contact_email="secret@corp.vn"
    )
    db.session.commit()
    token = client.csrf_token("/start")
    client.post("/start", data={"tax_code": firm.tax_code, "consent": "y", "csrf_token": token})
    page = client.get("/firm").get_data(as_text=True)
    assert 'value="Công ty Cổ phần Đóng tàu"' in page
    assert 'value="150"' in page
    assert "secret@corp.vn" not in page


def test_start_validates_the_tax_code_and_consent(client, wave):
    token = client.csrf_token("/start")
    response = client.post(
        "/start", data={"tax_code": "0100233487", "csrf_token": token}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "check digit does not match" in page
    assert "Please agree to the privacy notice" in page
    assert 'value="0100233487"' in page  # what was typed is kept


def test_firm_form_errors_are_shown_next_to_fields_and_keep_input(client, db, wave):
    token = client.csrf_token("/start")
    client.post("/start", data={"tax_code": factories.tax_code(), "consent": "y", "csrf_token": token})
    token = client.csrf_token("/firm")
    data = {**helpers.firm_data(contact_email="not-an-email", employees="-3"), "csrf_token": token}
    response = client.post("/firm", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="contact_email-error"' in page and "valid e-mail" in page
    assert 'id="employees-error"' in page
    assert 'value="not-an-email"' in page
    assert count(db) == 0


def test_honeypot_filled_is_refused(client, db, wave):
    token = client.csrf_token("/start")
    client.post("/start", data={"tax_code": factories.tax_code(), "consent": "y", "csrf_token": token})
    token = client.csrf_token("/firm")
    response = client.post("/firm", data={**helpers.firm_data(website="http://spam"), "csrf_token": token})
    assert response.status_code == 400
    assert count(db) == 0


def test_forms_refuse_a_missing_csrf_token(client, db, wave):
    response = client.post("/start", data={"tax_code": "0100233488", "consent": "y"})
    assert response.status_code == 400
    assert client.post("/submit").status_code in (302, 400)


def test_closed_wave_refuses_submission_and_keeps_the_draft(client, db, wave):
    helpers.start(client, factories.tax_code())
    helpers.complete(client)
    wave.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    token = client.csrf_token("/assessment/1")
    response = client.post("/submit", data={"csrf_token": token}, headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "no longer accepts submissions" in response.get_data(as_text=True)
    draft = db.session.scalar(select(Response))
    assert draft.state == ResponseState.DRAFT and len(draft.answers) == 60


def test_no_open_wave_says_so(client, db):
    page = client.get("/start", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No survey is open" in page


def test_unit_and_sector_must_be_chosen_not_defaulted(client, db, wave):
    token = client.csrf_token("/start")
    client.post("/start", data={"tax_code": factories.tax_code(), "consent": "y", "csrf_token": token})
    page = client.get("/firm").get_data(as_text=True)
    # The lists start on an empty choice, so skipping them cannot pass for an answer.
    assert '<option selected value="">' in page or '<option value="" selected>' in page
    token = client.csrf_token("/firm")
    data = {**helpers.firm_data(unit_id="", sector_code=""), "csrf_token": token}
    response = client.post("/firm", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Please choose where the enterprise is based." in text
    assert "Please choose the main line of business." in text
    assert count(db) == 0


def test_amounts_accept_the_vietnamese_decimal_comma(client, db, wave):
    helpers.start(client, factories.tax_code(), revenue_bn="2,5", capital_bn="1 000")
    draft = db.session.scalar(select(Response))
    assert draft.revenue_vnd == 2_500_000_000 and draft.capital_vnd == 1_000_000_000_000
