"""The SQL rollup of a wave, checked against a small register worked out by hand."""

from __future__ import annotations

import json
import math

import pytest
from sqlalchemy import select, update

from survey import frameworks
from survey.models import Response, ReviewState
from survey.models.size_class import BILLION
from survey.responses.scoring import recompute_wave
from survey.scoring.stats import Z95
from survey.statistics.rollup import compare, rollup
from tests import factories

ENGAGED = factories.answers_at(frameworks.load("dbi-2021-sme", 1), 1.0)
OUTSIDE = factories.answers_at(frameworks.load("dbi-2021-sme", 1), 0.0)


def small_industry_firm():
    return factories.enterprise(sector_code="C", employees=20, revenue_vnd=5 * BILLION, capital_vnd=None)


def micro_trade_firm():
    return factories.enterprise(sector_code="G", employees=5, revenue_vnd=BILLION, capital_vnd=None)


@pytest.fixture
def city(db):
    """Register: 12 small industry firms, 4 micro trade firms, 2 large industry firms.

    Counted respondents: industry/small 4 (1 engaged, 3 outside); trade/micro 2 (both
    engaged). Not counted: a rejected response, a draft, and an answer in another wave.
    """
    wave = factories.wave(name="City 2025")
    other = factories.wave(name="City 2024")
    industry = [small_industry_firm() for _ in range(12)]
    trade = [micro_trade_firm() for _ in range(4)]
    for _ in range(2):
        factories.enterprise(sector_code="C", employees=300, revenue_vnd=None, capital_vnd=None)
    factories.response(wave, industry[0], ENGAGED)
    for firm in industry[1:4]:
        factories.response(wave, firm, OUTSIDE)
    factories.response(wave, industry[4], ENGAGED, submit=False)  # a draft
    factories.response(other, industry[5], ENGAGED)  # another wave
    factories.response(wave, trade[0], ENGAGED)
    factories.response(wave, trade[1], ENGAGED)
    factories.response(wave, trade[2], ENGAGED, review_state=ReviewState.REJECTED)
    db.session.flush()
    return wave, other


def wilson(k, n, z=Z95):
    # The quadratic-root form, written independently of survey.scoring.stats.
    p = k / n
    root = z * math.sqrt(z * z + 4 * n * p * (1 - p))
    return ((2 * n * p + z * z - root) / (2 * (n + z * z)), (2 * n * p + z * z + root) / (2 * (n + z * z)))


def test_counts_shares_and_intervals_over_counted_responses_only(db, city):
    wave, _ = city
    result = rollup(db.session, wave)
    overall = result["overall"]
    assert overall["n"] == 6
    engaged = overall["tiers"]["engaged"]
    assert engaged["count"] == 3 and engaged["share"] == pytest.approx(0.5)
    low, high = wilson(3, 6)
    assert (engaged["ci_low"], engaged["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert overall["tiers"]["preparing"] == {
        "count": 0,
        "share": 0.0,
        "ci_low": 0.0,
        "ci_high": pytest.approx(wilson(0, 6)[1]),
    }
    assert overall["tiers"]["outside"]["count"] == 3
    assert overall["levels"] == {"0": 3, "1": 0, "2": 0, "3": 0, "4": 0, "5": 3}
    # Half the counted firms at 100% of every pillar, half at 0%.
    assert overall["pillar_means"] == {p: pytest.approx(50.0) for p in result["pillars"]}


def test_breakdown_by_sector(db, city):
    wave, _ = city
    result = rollup(db.session, wave, by="sector")
    groups = {g["key"]: g for g in result["groups"]}
    assert set(groups) == {"C", "G"}
    assert groups["C"]["n"] == 4 and groups["C"]["tiers"]["engaged"]["count"] == 1
    assert groups["C"]["tiers"]["engaged"]["ci_low"] == pytest.approx(wilson(1, 4)[0])
    assert groups["G"]["n"] == 2 and groups["G"]["tiers"]["engaged"]["share"] == 1.0
    assert groups["C"]["pillar_means"]["data"] == pytest.approx(25.0)
    assert groups["C"]["label"] == {"vi": "Công nghiệp chế biến, chế tạo", "en": "Manufacturing"}


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("economic_pillar", {"high_tech_industry": 4, "tourism_trade": 2}),
        ("size_class", {"small": 4, "micro": 2}),
        ("size_group", {"industry": 4, "trade_services": 2}),
        ("ownership", {"private": 6}),
        ("unit", {"11311": 6}),
        ("former_area", {"Quận Hồng Bàng": 6}),
    ],
)
def test_every_dimension_groups_in_sql(db, city, by, expected):
    result = rollup(db.session, city[0], by=by)
    assert {g["key"]: g["n"] for g in result["groups"]} == expected


def test_population_estimate_is_post_stratified(db, city):
    wave, _ = city
    population = rollup(db.session, wave)["population"]
    # Worked by hand: covered strata industry/small (N=12, n=4, 1 engaged) and
    # trade/micro (N=4, n=2, 2 engaged); industry/large (N=2) has no respondent.
    estimate = (12 * (1 / 4) + 4 * (2 / 2)) / 16  # = 0.4375
    kish = 16**2 / (12**2 / 4 + 4**2 / 2)  # = 256 / 44
    engaged = population["tiers"]["engaged"]
    assert engaged["estimate"] == pytest.approx(estimate)
    assert population["effective_n"] == pytest.approx(kish, abs=0.01)
    z2 = Z95 * Z95
    centre = (estimate + z2 / (2 * kish)) / (1 + z2 / kish)
    half = Z95 / (1 + z2 / kish) * math.sqrt(estimate * (1 - estimate) / kish + z2 / (4 * kish * kish))
    assert (engaged["ci_low"], engaged["ci_high"]) == (
        pytest.approx(centre - half),
        pytest.approx(centre + half),
    )
    assert sum(population["tiers"][t]["estimate"] for t in ("engaged", "preparing", "outside")) == (
        pytest.approx(1.0)
    )
    assert population["coverage"] == pytest.approx(16 / 18)
    assert population["register_size"] == 18
    # The cells include the kind of business (DEFAULT_STRATA); every firm here is an
    # enterprise, so the cells and the figures are those of sector group × size alone.
    assert population["strata_by"] == ["business_kind", "size_group", "size_class"]
    assert population["uncovered"] == [
        {"business_kind": "enterprise", "size_group": "industry", "size_class": "large"}
    ]
    assert {s["key"]["business_kind"] for s in population["strata"]} == {"enterprise"}
    rates = {
        (s["key"]["size_group"], s["key"]["size_class"]): s["response_rate"] for s in population["strata"]
    }
    assert rates == {
        ("industry", "small"): pytest.approx(4 / 12),
        ("trade_services", "micro"): pytest.approx(2 / 4),
        ("industry", "large"): 0.0,
    }


def test_reference_figures_are_reported_beside_not_mixed_in(db, city):
    result = rollup(db.session, city[0])
    refs = {r["tier"]: r["value"] for r in result["reference"]}
    assert refs == {"outside": 0.76, "engaged": 0.19}
    assert result["population"]["tiers"]["outside"]["estimate"] != 0.76


def test_empty_wave_gives_empty_figures_not_errors(db):
    wave = factories.wave()
    result = rollup(db.session, wave, by="sector")
    assert result["overall"]["n"] == 0
    assert result["overall"]["tiers"]["engaged"]["share"] is None
    assert result["groups"] == []
    assert result["population"]["tiers"]["engaged"]["estimate"] is None


def test_change_between_waves(db, city):
    wave, earlier = city
    change = compare(db.session, earlier, wave)["tiers"]["engaged"]
    # The earlier wave: one industry/small respondent, engaged: weighted share 1.0.
    assert change["difference"] == pytest.approx(0.4375 - 1.0)
    assert change["ci_low"] <= change["difference"] <= change["ci_high"]


def test_rollup_cli_json_contract(runner, city):
    wave, _ = city
    result = runner.invoke(args=["rollup", "--wave", str(wave.id), "--by", "sector", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for group in [data["overall"], *data["groups"]]:
        assert isinstance(group["n"], int)
        for tier in ("engaged", "preparing", "outside"):
            assert set(group["tiers"][tier]) == {"count", "share", "ci_low", "ci_high"}
    assert set(data["population"]["tiers"]["engaged"]) == {"estimate", "ci_low", "ci_high"}
    text = runner.invoke(args=["rollup", "--wave", "City 2025", "--compare-to", "City 2024"])
    assert text.exit_code == 0 and "Population estimate" in text.output


def test_rollup_cli_rejects_unknown_wave_and_dimension(runner, db):
    assert "No wave" in runner.invoke(args=["rollup", "--wave", "404"]).output
    factories.wave()
    result = runner.invoke(args=["rollup", "--wave", "1", "--by", "colour"])
    assert result.exit_code != 0 and "colour" in result.output


def test_recompute_restores_tampered_scorecards(db, runner, city):
    wave, _ = city
    db.session.execute(update(Response).where(Response.wave_id == wave.id).values(total_points=1))
    db.session.commit()
    result = runner.invoke(args=["recompute-scores", "--wave", str(wave.id)])
    assert result.exit_code == 0, result.output
    # 7 submitted in the wave (the rejected one is still a submitted scorecard), all fixed.
    assert "7 scorecards checked, 7 changed" in result.output
    assert recompute_wave(db.session, db.session.get(type(wave), wave.id)).changed == 0


def test_filters_restrict_every_figure_alike(db, city):
    wave, _ = city
    result = rollup(db.session, wave, by="size_class", filters={"sector": "G"})
    assert result["filters"] == {"sector": "G"}
    assert result["overall"]["n"] == 2 and result["overall"]["tiers"]["engaged"]["count"] == 2
    assert [g["key"] for g in result["groups"]] == ["micro"]
    population = result["population"]
    # Only the 4 trade firms of the register are the population now.
    assert population["register_size"] == 4 and population["tiers"]["engaged"]["estimate"] == 1.0
    by_unit = rollup(db.session, wave, filters={"unit": "11311", "size_group": "industry"})
    assert by_unit["overall"]["n"] == 4


def test_unknown_filter_is_refused(db, city):
    from survey.statistics.dimensions import UnknownDimension

    with pytest.raises(UnknownDimension):
        rollup(db.session, city[0], filters={"colour": "red"})


def test_technology_counts_run_in_sql(db, city):
    from survey.statistics.rollup import technology_counts

    wave, _ = city
    responses = db.session.scalars(select(Response).where(Response.wave_id == wave.id)).all()
    for response in responses:
        response.technologies = ["cloud", "iot"] if response.tier == "engaged" else ["cloud"]
    db.session.flush()
    # Counted: 6 responses (3 engaged); the draft and the rejected one are not counted.
    assert technology_counts(db.session, wave) == {"cloud": 6, "iot": 3}
    assert technology_counts(db.session, wave, {"sector": "G"}) == {"cloud": 2, "iot": 2}


def test_rollup_cli_text_gives_each_groups_weighted_share_beside_the_respondents(runner, db, city):
    wave, _ = city
    result = runner.invoke(args=["rollup", "--wave", str(wave.id), "--by", "sector"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Weighted by sector (post-stratified inside each group" in text
    groups = {g["key"]: g for g in rollup(db.session, wave, by="sector")["groups"]}
    # Industry (C): 12 small firms with 4 respondents (1 engaged), 2 large ones with none.
    c = groups["C"]["weighted"]
    engaged = c["tiers"]["engaged"]
    assert engaged["estimate"] == pytest.approx(0.25) and c["register"] == 14
    line = next(x for x in text.splitlines() if x.strip().startswith("engaged") and "weighted" in x)
    assert (
        f"weighted  25.0% [{engaged['ci_low'] * 100:5.1f}%, {engaged['ci_high'] * 100:5.1f}%]"
        f"  ≈ {engaged['firms']:,.0f} firms [{engaged['firms_low']:,.0f}–{engaged['firms_high']:,.0f}]"
    ) in line
    assert "respondents  25.0%" in line
    assert "sector=C  n=4  register 14, coverage 85.7%" in text


def test_rollup_cli_text_by_unit_labels_the_model_based_figures(app, runner, db, city, monkeypatch):
    wave, _ = city
    monkeypatch.setitem(app.config, "MODEL_MIN_REGISTER", 5)
    quiet = [
        factories.enterprise(unit_id=factories.unit("11329").id, sector_code="C", employees=20)
        for _ in range(6)
    ]
    factories.response(wave, quiet[0], ENGAGED)
    db.session.commit()
    result = runner.invoke(args=["rollup", "--wave", str(wave.id), "--by", "unit"])
    assert result.exit_code == 0, result.output
    text = result.output
    model = text[text.index("Model-based estimates (NOT direct figures)") :]
    assert "unit=11329  model-based estimate  n=1  register 6" in model
    assert "unit=11311" not in model  # 6 respondents: its direct figure, never a model's
    assert "    engaged      model " in model
    monkeypatch.setitem(app.config, "MODEL_MIN_REGISTER", 7)
    text = runner.invoke(args=["rollup", "--wave", str(wave.id), "--by", "unit"]).output
    assert "unit=11329  model-based" not in text and "Model-based estimates" in text
