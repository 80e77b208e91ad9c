"""The model-based unit estimates: how they lean on the mix and on the unit's own answers,
and when one may be shown at all."""

from __future__ import annotations

import pytest

from survey import frameworks
from survey.models.size_class import BILLION
from survey.statistics import small_area
from survey.statistics.rollup import rollup
from tests import factories

ENGAGED = factories.answers_at(frameworks.load("dbi-2021-sme", 1), 1.0)
OUTSIDE = factories.answers_at(frameworks.load("dbi-2021-sme", 1), 0.0)
TIER = "engaged"


def cells(units: dict) -> tuple[dict, dict]:
    """Counts for ``units``: unit -> (district, firms, respondents, engaged), one section and
    stratum each, as survey.statistics.groups.counts gives them."""
    population, respondents = {}, {}
    for unit, (district, firms, answered, engaged) in units.items():
        key = (unit, district, "C", "enterprise", "industry", "micro")
        population[key] = firms
        if answered:
            respondents[key] = {"engaged": engaged, "outside": answered - engaged}
    return population, respondents


def test_a_unit_without_respondents_gets_its_mixs_share_with_the_spread_between_units():
    units = {f"u{i}": ("d1", 100, 20, 4 + (i % 3)) for i in range(8)}  # about 25% engaged
    units["quiet"] = ("d1", 100, 0, 0)
    estimates = small_area.estimate_units(*cells(units), TIER)
    area, figure, direct = estimates["quiet"]
    assert area.n == 0 and direct.tiers[TIER].estimate is None  # no direct figure
    assert figure.estimate == pytest.approx(area.prior_mean, abs=0.01)
    assert 0.2 < figure.estimate < 0.3
    assert figure.ci_low < figure.estimate < figure.ci_high


def test_a_units_own_answers_move_it_from_its_mix():
    units = {f"u{i}": ("d1", 100, 20, 5) for i in range(8)}
    units["keen"] = ("d1", 100, 4, 4)
    units["shy"] = ("d1", 100, 4, 0)
    estimates = small_area.estimate_units(*cells(units), TIER)
    keen, shy = estimates["keen"][1], estimates["shy"][1]
    assert keen.estimate > shy.estimate
    assert shy.ci_low >= 0 and keen.ci_high <= 1


def test_only_units_below_the_threshold_with_a_big_enough_register_are_shown():
    assert small_area.shown(register=40, respondents=3, min_group=5, min_register=30)
    assert not small_area.shown(register=40, respondents=5, min_group=5, min_register=30)  # direct instead
    assert not small_area.shown(register=29, respondents=0, min_group=5, min_register=30)  # too few firms


def test_the_rollup_by_unit_gives_model_based_figures_only_where_allowed(db):
    wave = factories.wave(name="Đợt 2025")

    def firm(unit):
        return factories.enterprise(
            unit_id=factories.unit(unit).id,
            sector_code="C",
            employees=5,
            revenue_vnd=BILLION,
            capital_vnd=None,
        )

    busy = [firm("11311") for _ in range(40)]
    quiet = [firm("11329") for _ in range(35)]
    tiny = [firm("11383") for _ in range(10)]
    for i, f in enumerate(busy[:8]):
        factories.response(wave, f, ENGAGED if i % 2 else OUTSIDE)
    factories.response(wave, quiet[0], ENGAGED)
    factories.response(wave, tiny[0], OUTSIDE)
    db.session.flush()
    result = rollup(db.session, wave, by="unit", model_rule=(5, 30))
    shown = {m["key"]: m for m in result["model_based"]}
    # The unit with 8 respondents has its direct figure; the one of 10 firms has none.
    assert set(shown) == {"11329"}
    figure = shown["11329"]
    assert figure["method"] == "model-based" and figure["respondents"] == 1 and figure["register"] == 35
    engaged = figure["tiers"]["engaged"]
    assert 0 <= engaged["ci_low"] < engaged["estimate"] < engaged["ci_high"] <= 1
    assert engaged["firms"] == pytest.approx(engaged["estimate"] * 35)
    # Without the rule, no model-based figures at all.
    assert "model_based" not in rollup(db.session, wave, by="unit")


def test_no_units_no_figures():
    assert small_area.estimate_units({}, {}, TIER) == {}
    assert small_area.posterior([]) == {}
