"""Submitting in Core statements (survey/respondent/submitting.py) keeps every guarantee the
ORM path gave: the scorecard the pure scorer gives, the optimistic lock moved on, nothing
written when the submission is refused, one submission when two clicks race."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey.extensions import db as _db
from survey.models import Response, ResponsePillarScore, ResponseState
from survey.models.base import utcnow
from survey.responses.scoring import profile_of
from survey.scoring import scorer_for
from tests import factories
from tests.concurrency import at_once, scratch_app
from tests.respondent import helpers


def _pillar_rows(session, response_id: int) -> list[tuple]:
    return session.execute(
        select(
            ResponsePillarScore.pillar_code,
            ResponsePillarScore.position,
            ResponsePillarScore.points,
            ResponsePillarScore.max_points,
            ResponsePillarScore.level,
        )
        .filter_by(response_id=response_id)
        .order_by(ResponsePillarScore.position)
    ).all()


def _expected(response: Response) -> tuple:
    card = scorer_for(helpers.FRAMEWORK).score(response.answers, profile_of(response))
    pillars = [(p.code, i, p.points, p.max_points, p.level) for i, p in enumerate(card.pillars)]
    return (card.total_points, card.overall_level, card.tier), pillars


def test_the_stored_scorecard_is_the_scorers_and_the_lock_moves_on(client, db, wave):
    helpers.start(client, factories.tax_code())
    helpers.complete(client, fraction=0.7)
    draft = db.session.scalars(select(Response)).one()
    version, draft_id = draft.version_id, draft.id
    db.session.expire_all()

    assert helpers.submit(client).status_code == 303
    stored = db.session.get(Response, draft_id)
    head, pillars = _expected(stored)
    assert stored.state == ResponseState.SUBMITTED
    assert (stored.total_points, stored.overall_level, stored.tier) == head
    assert [tuple(r) for r in _pillar_rows(db.session, draft_id)] == pillars
    assert len(pillars) == len(helpers.FRAMEWORK.pillars)
    assert stored.version_id == version + 1
    assert stored.submitted_at == stored.scored_at == stored.updated_at


def test_old_pillar_rows_of_a_draft_are_replaced_not_doubled(client, db, wave):
    helpers.start(client, factories.tax_code())
    helpers.complete(client)
    draft = db.session.scalars(select(Response)).one()
    # Rows a draft should never carry, whatever wrote them: the submission replaces them.
    draft.scored_at = utcnow()
    draft.pillar_scores.append(
        ResponsePillarScore(
            pillar_code=helpers.FRAMEWORK.pillars[0].code, position=0, points=0, max_points=1, level=0
        )
    )
    draft.pillar_scores.append(
        ResponsePillarScore(pillar_code="gone", position=9, points=0, max_points=1, level=0)
    )
    db.session.commit()

    assert helpers.submit(client).status_code == 303
    db.session.expire_all()
    stored = db.session.get(Response, draft.id)
    assert [tuple(r) for r in _pillar_rows(db.session, draft.id)] == _expected(stored)[1]


def test_a_wave_closed_after_the_review_page_writes_nothing(client, db, wave):
    helpers.start(client, factories.tax_code())
    helpers.complete(client)
    token = helpers.token_of(client, "/review")
    draft = db.session.scalars(select(Response)).one()
    version = draft.version_id
    wave.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    refused = client.post("/submit", data={"csrf_token": token}, headers={"Accept-Language": "en"})
    assert refused.status_code == 409
    assert "no longer accepts submissions" in refused.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Response, draft.id)
    assert (stored.state, stored.version_id, stored.scored_at) == (ResponseState.DRAFT, version, None)
    assert _pillar_rows(db.session, draft.id) == []


def test_a_session_without_the_resume_token_cannot_submit(client, app, db, wave):
    helpers.start(client, factories.tax_code())
    helpers.complete(client)
    token = helpers.token_of(client, "/review")
    with client.session_transaction() as session:
        session["resume_token"] = "not-the-token"
    refused = client.post("/submit", data={"csrf_token": token}, headers={"Accept-Language": "en"})
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/start")
    with client.session_transaction() as session:
        assert "response_id" not in session and "resume_token" not in session
    page = client.get("/start", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Your session has ended" in page
    assert db.session.scalar(select(Response.state)) == ResponseState.DRAFT


@pytest.fixture(scope="module")
def race_app(database_url, tmp_path_factory):
    with scratch_app(database_url, tmp_path_factory.mktemp("submit"), "race_submit", "seed-reference") as app:
        with app.app_context():
            factories.wave()
            _db.session.commit()
        yield app


def test_two_clicks_at_once_give_one_submission(race_app):
    for _ in range(4):
        first = race_app.test_client()
        with race_app.app_context():
            helpers.start(first, factories.tax_code())
        helpers.complete(first)
        token = helpers.token_of(first, "/review")
        with race_app.app_context():
            before = _db.session.scalar(select(Response.version_id).order_by(Response.id.desc()).limit(1))
        # The same browser twice: the same session cookie, the same form.
        second = race_app.test_client()
        second.set_cookie("session", first.get_cookie("session").value)
        statuses = at_once(
            [
                lambda c=c, t=token: c.post("/submit", data={"csrf_token": t}).status_code
                for c in (first, second)
            ]
        )
        assert statuses == [303, 303]
        with race_app.app_context():
            response = _db.session.scalars(select(Response).order_by(Response.id.desc())).first()
            assert response.state == ResponseState.SUBMITTED
            assert response.version_id == before + 1  # moved on once: one submission wrote
            rows = _db.session.scalar(
                select(func.count()).select_from(ResponsePillarScore).filter_by(response_id=response.id)
            )
            assert rows == len(helpers.FRAMEWORK.pillars)
