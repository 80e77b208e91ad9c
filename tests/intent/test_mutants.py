"""Rules that a changed line once left every other test passing (surviving mutants)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from survey import frameworks, tokens
from survey.models import Invitation, Response
from survey.models.base import utcnow
from survey.respondent import services
from tests import factories

V1 = frameworks.load("dbi-2021-sme", 1)


def test_a_wave_takes_answers_from_its_opening_up_to_but_not_at_its_closing_instant(db):
    wave = factories.wave()
    tick = timedelta(microseconds=1)
    assert wave.accepts_answers(wave.opens_at)
    assert not wave.accepts_answers(wave.opens_at - tick)
    assert wave.accepts_answers(wave.closes_at - tick)
    assert not wave.accepts_answers(wave.closes_at)


def test_an_invitation_never_opens_the_firms_response_in_another_wave(db):
    firm = factories.enterprise()
    earlier = factories.response(factories.wave(name="Đợt trước"), firm, factories.answers_at(V1, 0.5))
    wave = factories.wave(name="Đợt này")
    invitation = Invitation(wave=wave, enterprise=firm, token_hash=tokens.new_token()[1])
    db.session.add(invitation)
    db.session.flush()
    response, _token, _stranger = services.open_invitation(db.session, invitation, "vi", utcnow())
    assert response.id != earlier.id and response.wave_id == wave.id
    waves = set(db.session.scalars(select(Response.wave_id).filter_by(enterprise_id=firm.id)))
    assert waves == {earlier.wave_id, wave.id}
