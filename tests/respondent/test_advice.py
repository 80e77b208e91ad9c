"""The result page's advice: weakest pillar first, for the firm's size, with its own barriers
and needs, how it stands against similar firms, and the chart's legend."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape

from survey import tokens
from survey.models import SizeClass
from survey.models.base import utcnow
from survey.modules import load
from survey.respondent import advice
from survey.respondent.charts import level_colour
from survey.respondent.pages import RESPONSE_KEY, TOKEN_KEY
from tests import factories
from tests.respondent import helpers

V1, V2 = helpers.FRAMEWORK, helpers.V2
EN = {"Accept-Language": "en"}


def answers_with_weakest(framework, weak: str, high: float = 0.8) -> dict:
    """Every criterion at ``high`` of its maximum except pillar ``weak``'s, at nothing."""
    answers = factories.answers_at(framework, high)
    nothing = factories.answers_at(framework, 0.0)
    for criterion in next(p for p in framework.pillars if p.code == weak).criteria:
        answers[criterion.code] = nothing[criterion.code]
    return answers


def open_result(client, db, response, path: str = "/result", headers=EN):
    """``path`` in a session holding ``response`` (as its resume link would leave it), in
    English unless ``headers`` say otherwise."""
    token, digest = tokens.new_token()
    response.resume_token_hash = digest
    db.session.commit()
    with client.session_transaction() as session:
        session[RESPONSE_KEY] = response.id
        session[TOKEN_KEY] = token
    return client.get(path, headers=headers)


def advice_order(page: str) -> list[str]:
    return re.findall(r'data-advice="([a-z_]+)"', page)


def section(page: str, code: str) -> str:
    return re.search(rf'data-advice="{code}".*?</section>', page, re.S).group(0)


@pytest.mark.parametrize("weak", ["data", "strategy"])
def test_the_weakest_pillar_comes_first_then_rising(client, db, weak):
    wave = factories.wave()
    response = factories.response(wave, answers=answers_with_weakest(V1, weak))
    page = open_result(client, db, response).get_data(as_text=True)
    order = advice_order(page)
    assert order[0] == weak and sorted(order) == sorted(p.code for p in V1.pillars)
    percents = {s.pillar_code: s.points / s.max_points for s in response.pillar_scores}
    assert [percents[c] for c in order] == sorted(percents[c] for c in order)
    assert re.search(rf'data-advice="{weak}"[^>]*>\s*<p class="start-label" data-testid="start-here">', page)
    assert page.count('data-testid="start-here"') == 1


def test_ties_keep_the_framework_order():
    card = type("Card", (), {})()
    score = type("S", (), {"points": 5, "max_points": 10, "percent": 50.0, "level": 2})
    card.pillars = tuple(score for _ in V1.pillars)
    card.total_points = 30
    built = advice.build(V1, card, None)
    assert [a.pillar.code for a in built.pillars] == [p.code for p in V1.pillars]


def recommendation(page: str, code: str) -> str:
    return re.search(r'<p class="recommendation">(.*?)</p>', section(page, code), re.S).group(1)


def test_a_micro_firm_and_a_medium_one_get_their_own_texts(client, db):
    wave = factories.wave(framework_version=factories.framework_version(2))
    answers = factories.answers_at(V2, 0.3)
    micro = factories.enterprise(employees=5, revenue_vnd=2 * 10**9, capital_vnd=1 * 10**9)
    medium = factories.enterprise(employees=150, revenue_vnd=150 * 10**9, capital_vnd=80 * 10**9)
    pages = {}
    for firm in (micro, medium):
        response = factories.response(wave, firm, answers)
        pages[firm.size_class] = (response, open_result(client, db, response).get_data(as_text=True))
    assert set(pages) == {SizeClass.MICRO, SizeClass.MEDIUM}
    for pillar in V2.pillars:
        level = next(s.level for s in pages[SizeClass.MICRO][0].pillar_scores if s.pillar_code == pillar.code)
        micro_text = pillar.recommendation(level, "micro").en
        default_text = pillar.recommendation(level, "medium").en
        assert micro_text != default_text  # v2 writes micro texts for every level
        assert recommendation(pages[SizeClass.MICRO][1], pillar.code) == escape(micro_text)
        assert recommendation(pages[SizeClass.MEDIUM][1], pillar.code) == escape(default_text)


def test_a_household_business_gets_the_household_fallback(client, db):
    wave = factories.wave(framework_version=factories.framework_version(2), kinds=["household"])
    response = factories.response(wave, factories.household(), factories.answers_at(V2, 0.3))
    assert response.size_class == SizeClass.HOUSEHOLD
    page = open_result(client, db, response).get_data(as_text=True)
    for pillar in V2.pillars:
        level = next(s.level for s in response.pillar_scores if s.pillar_code == pillar.code)
        assert recommendation(page, pillar.code) == escape(pillar.recommendation(level, "micro").en)
    # The kind alone decides when no size class was derived.
    assert advice.size_key(None, "household") == "household" and advice.size_key(None, "enterprise") is None


def test_barriers_rated_high_add_their_advice_and_needs_mark_pillars(client, db):
    wave = factories.with_modules(factories.wave(), "barriers-needs")
    response = factories.response(wave, answers=factories.answers_at(V1, 0.5))
    ratings = dict.fromkeys(("cost", "habits", "skills", "infrastructure", "information"), 1)
    ratings |= {"integration": 1, "leadership": 2, "staff": 1, "data_leaks": 5}
    factories.answer_module(response, "barriers-needs", {**ratings, "needs": ["ecommerce", "finance"]})
    page = open_result(client, db, response).get_data(as_text=True)
    module = load("barriers-needs", 1)
    leaks = module.question("data_leaks")
    # Rated 5: its advice under each pillar it names (infrastructure and data), nowhere else.
    for code in ("infrastructure", "data"):
        assert 'data-barrier="data_leaks"' in section(page, code)
        assert str(escape(leaks.advice.en)) in section(page, code)
    assert page.count('data-barrier="data_leaks"') == 2
    # Rated 2: below "high" (4-5), no advice anywhere.
    assert 'data-barrier="leadership"' not in page
    assert str(escape(module.question("leadership").advice.en)) not in page
    # The e-commerce need concerns the customer pillar; finance names none.
    assert 'data-testid="needs"' in section(page, "customer")
    assert page.count('data-testid="needs"') == 1
    ecommerce = module.question("needs").option("ecommerce").label.en
    assert ecommerce in section(page, "customer")


def test_a_firm_without_modules_gets_the_pillar_advice_alone(client, db):
    response = factories.response(factories.wave(), answers=factories.answers_at(V1, 0.5))
    page = open_result(client, db, response).get_data(as_text=True)
    assert len(advice_order(page)) == len(V1.pillars)
    assert "data-barrier=" not in page and 'data-testid="needs"' not in page


def test_standing_is_within_half_the_rounding_step():
    S = advice.Standing
    assert advice.standing(42.5, 40, 5) is S.SAME and advice.standing(37.5, 40, 5) is S.SAME
    assert advice.standing(42.51, 40, 5) is S.ABOVE and advice.standing(37.49, 40, 5) is S.BELOW
    assert advice.standing(52, 52, 1) is S.SAME and advice.standing(53, 52, 1) is S.ABOVE


def peers(wave, fraction: float, n: int = 5):
    yesterday = utcnow() - timedelta(days=1, hours=1)
    for _ in range(n):
        firm = factories.enterprise(sector_code="G", employees=30, revenue_vnd=20 * 10**9, capital_vnd=None)
        factories.response(wave, firm, factories.answers_at(V1, fraction)).submitted_at = yesterday


def test_above_and_below_similar_firms_in_total_and_by_pillar(client, db):
    wave = factories.wave()
    peers(wave, 0.5)
    firm = factories.enterprise(sector_code="G", employees=30, revenue_vnd=20 * 10**9, capital_vnd=None)
    # Strong everywhere but data, where it has nothing.
    me = factories.response(wave, firm, answers_with_weakest(V1, "data", high=1.0))
    page = open_result(client, db, me).get_data(as_text=True)
    total = re.search(r'data-testid="total-standing" data-standing="([a-z]+)"', page).group(1)
    assert total == "above"
    assert re.search(r'data-standing="below">Below similar firms', section(page, "data"))
    assert re.search(r'data-standing="above">Above similar firms', section(page, "customer"))
    # The legend explains the peers' mark once there is one.
    assert 'data-testid="legend-peer"' in page


def test_about_the_same_as_similar_firms(client, db):
    wave = factories.wave()
    peers(wave, 0.5)
    firm = factories.enterprise(sector_code="G", employees=30, revenue_vnd=20 * 10**9, capital_vnd=None)
    me = factories.response(wave, firm, factories.answers_at(V1, 0.5))
    page = open_result(client, db, me).get_data(as_text=True)
    assert 'data-testid="total-standing" data-standing="same"' in page
    assert all('data-standing="same">About the same' in section(page, p.code) for p in V1.pillars)


def test_the_chart_has_a_legend_of_every_level_readable_without_colour(client, db):
    response = factories.response(factories.wave(), answers=factories.answers_at(V1, 0.5))
    page = open_result(client, db, response).get_data(as_text=True)
    legend = re.search(r'data-testid="chart-legend">(.*?)</ul>', page, re.S).group(1)
    for level in V1.levels:
        item = re.search(rf'data-legend-level="{level.level}">(.*?)</li>', legend, re.S).group(1)
        assert f"Level {level.level}: {escape(level.name.en)}" in item  # said in words, not colour only
    # Each bar's colour is its level's, and its label says the level too.
    for score in response.pillar_scores:
        colour = re.search(rf'class="bar level-{score.level}" fill="([^"]+)"', page).group(1)
        assert colour == level_colour(score.level)
    assert re.findall(r"· level (\d)</text>", page) == [str(s.level) for s in response.pillar_scores]
    assert 'data-testid="legend-peer"' not in page  # no peers, no mark to explain
