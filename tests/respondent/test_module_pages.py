"""The unscored modules' pages in the journey, through real HTTP: after the framework's
pages, checked strictly, saved partially, required before submitting, pinned."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey import modules
from survey.models import Response, ResponseModule, ResponseState
from survey.respondent.module_form import module_field
from survey.responses import modules as response_modules
from tests import factories
from tests.respondent import helpers

BARRIERS = modules.load("barriers-needs")
READINESS = modules.load("readiness")
FIRST_MODULE = len(helpers.FRAMEWORK.pillars) + 2
EN = {"Accept-Language": "en"}


@pytest.fixture
def wave(db):
    w = factories.with_modules(factories.wave(name="Khảo sát có phần phụ"), "barriers-needs", "readiness")
    db.session.commit()
    return w


def _ratings(module, value: int) -> dict:
    return {module_field(q.code): str(value) for q in module.questions if q.kind == "rating"}


def _at_modules(client):
    response = helpers.start(client, factories.tax_code())
    assert response.status_code == 302
    helpers.complete(client, then=f"/assessment/{FIRST_MODULE}")


def _response(db) -> Response:
    return db.session.scalars(select(Response).order_by(Response.id.desc())).first()


def test_the_technologies_page_leads_to_the_first_module_not_the_review(client, wave):
    response = helpers.start(client, factories.tax_code())
    assert response.status_code == 302
    for step, pillar in enumerate(helpers.FRAMEWORK.pillars, start=1):
        helpers.answer_step(client, step, helpers.pillar_answers(pillar))
    moved = helpers.answer_step(client, FIRST_MODULE - 1, {"technologies": ["cloud"]})
    assert moved.headers["Location"].endswith(f"/assessment/{FIRST_MODULE}")
    page = client.get(f"/assessment/{FIRST_MODULE}").get_data(as_text=True)
    values = re.findall(r'name="m_cost" id="[^"]+"\s+value="([^"]+)"', page)
    assert values == ["1", "2", "3", "4", "5"]
    assert 'name="m_needs"' in page and 'name="m_proposals"' in page


def test_progress_counts_the_module_pages(client, wave):
    _at_modules(client)
    page = client.get(f"/assessment/{FIRST_MODULE}", headers=EN).get_data(as_text=True)
    # Start, firm, one page per pillar, technologies, the two modules, review.
    total = len(helpers.FRAMEWORK.pillars) + 4 + 2
    assert f'<progress max="{total}" value="{FIRST_MODULE + 2}"' in page


def test_next_asks_for_every_rating_and_keeps_what_was_typed(client, wave, db):
    _at_modules(client)
    refused = helpers.answer_step(
        client,
        FIRST_MODULE,
        {"m_cost": "4", "m_proposals": "Cần hỗ trợ <b>đào tạo</b>", "m_needs": ["training"]},
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert page.count('class="field-errors"') == 8  # the 8 barriers not rated
    assert "Cần hỗ trợ &lt;b&gt;đào tạo&lt;/b&gt;" in page  # kept, and escaped
    assert re.search(r'name="m_cost" id="[^"]+"\s+value="4" checked', page)
    assert re.search(r'name="m_needs" id="[^"]+"\s+value="training" checked', page)
    assert not db.session.scalars(select(ResponseModule)).all()


@pytest.mark.parametrize(
    "bad",
    [
        {"m_cost": "7"},
        {"m_cost": "0"},
        {"m_needs": ["training", "nonsense"]},
        {"m_needs": ["cloud", "cloud"]},
    ],
)
def test_answers_not_offered_are_refused_even_when_saving_for_later(client, wave, db, bad):
    _at_modules(client)
    refused = helpers.answer_step(client, FIRST_MODULE, bad, action="save")
    assert refused.status_code == 400
    assert not db.session.scalars(select(ResponseModule)).all()


def test_a_rating_sent_twice_is_refused(client, wave):
    _at_modules(client)
    refused = helpers.answer_step(client, FIRST_MODULE, {"m_cost": ["4", "5"]}, action="save")
    assert refused.status_code == 400


def test_a_text_longer_than_allowed_is_refused_and_kept(client, wave):
    _at_modules(client)
    text = "x" * 2001
    refused = helpers.answer_step(client, FIRST_MODULE, {"m_proposals": text}, action="save")
    assert refused.status_code == 400
    assert text in refused.get_data(as_text=True)


def test_save_for_later_stores_a_partial_page_and_the_link_returns_to_it(client, wave, db):
    _at_modules(client)
    link = helpers.resume_link(client, f"/assessment/{FIRST_MODULE}")
    saved = helpers.answer_step(client, FIRST_MODULE, {"m_cost": "5", "m_needs": ["cloud"]}, action="save")
    assert saved.status_code == 302
    response = _response(db)
    barriers = response_modules.carried(response.wave)[0]
    assert response_modules.answers_of(response, barriers) == {"cost": 5, "needs": ["cloud"]}
    with client.session_transaction() as session:
        session.clear()
    landed = client.get(link.replace("http://localhost", ""))
    assert landed.headers["Location"].endswith(f"/assessment/{FIRST_MODULE}")


def test_both_modules_then_review_then_submit_pins_the_versions(client, wave, db):
    _at_modules(client)
    done = helpers.answer_step(
        client, FIRST_MODULE, {**_ratings(BARRIERS, 3), "m_cost": "5", "m_needs": ["training", "cloud"]}
    )
    assert done.headers["Location"].endswith(f"/assessment/{FIRST_MODULE + 1}")
    # The readiness page is still unanswered: submitting is refused, nothing scored.
    refused = helpers.submit(client)
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/review")
    assert _response(db).state == ResponseState.DRAFT
    review = client.get("/review", headers=EN).get_data(as_text=True)
    assert "29 questions are not answered yet." in review
    assert re.search(r'data-module="barriers-needs"', review)
    done = helpers.answer_step(client, FIRST_MODULE + 1, _ratings(READINESS, 4))
    assert done.headers["Location"].endswith("/review")
    review = client.get("/review", headers=EN).get_data(as_text=True)
    assert "not answered yet" not in review
    assert "5 – A very great barrier" in review
    assert "Digital-skills training for leaders and staff; Infrastructure and cloud services" in review
    submitted = helpers.submit(client)
    assert submitted.status_code == 303
    response = _response(db)
    assert response.state == ResponseState.SUBMITTED
    pins = sorted(p.module_version.label for p in response.module_pins)
    assert pins == ["barriers-needs v1", "readiness v1"]


def test_a_wave_without_modules_goes_from_technologies_to_review(client, db):
    factories.wave(name="Khảo sát không phần phụ")
    db.session.commit()
    helpers.start(client, factories.tax_code())
    helpers.complete(client)  # asserts the technologies page leads to /review
    assert client.get(f"/assessment/{FIRST_MODULE}").status_code == 404
