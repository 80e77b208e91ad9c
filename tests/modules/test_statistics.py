"""The unscored modules' figures, checked against a small wave worked out by hand.

Register (enterprises; strata kind × sector group × size class):
  A  industry/small  N = 12   respondents rate cost 5, 4, 2, 1; tick training 2×, finance 1×
  B  trade/micro     N = 4    respondents rate cost 4, 4;       tick training 1×
  C  industry/micro  N = 3    one respondent rates cost 3;      ticks training
  D  industry/large  N = 2    no respondent
Not counted: a rejected response, a draft, an answer without a pin, another wave's answer.
"""

from __future__ import annotations

import math

import pytest

from survey import frameworks
from survey.models import ModuleAnswer, ReviewState
from survey.models.size_class import BILLION
from survey.modules import module_of
from survey.reports import breakdowns
from survey.scoring import stats
from survey.scoring.stats import Z95
from survey.statistics import modules as module_stats
from tests import factories

ENGAGED = factories.answers_at(frameworks.load("dbi-2021-sme", 1), 1.0)
CODE = "barriers-needs"


def small_industry():
    return factories.enterprise(sector_code="C", employees=20, revenue_vnd=5 * BILLION, capital_vnd=None)


def micro_trade():
    return factories.enterprise(sector_code="G", employees=5, revenue_vnd=BILLION, capital_vnd=None)


def micro_industry():
    return factories.enterprise(sector_code="C", employees=5, revenue_vnd=BILLION, capital_vnd=None)


def large_industry():
    return factories.enterprise(sector_code="C", employees=300, revenue_vnd=None, capital_vnd=None)


def barriers(cost: int, needs: list[str] = ()) -> dict:
    """Every barrier rated 2 (required), ``cost`` as given, the needs ticked."""
    module = module_of(factories.module_version(CODE))
    answers = {q.code: 2 for q in module.questions if q.kind == "rating"}
    return {**answers, "cost": cost, "needs": list(needs), "barriers_other": "=bí mật"}


def answered(wave, firm, cost, needs=(), **fields):
    r = factories.response(wave, firm, ENGAGED, **fields)
    factories.answer_module(r, CODE, barriers(cost, needs))
    return r


@pytest.fixture
def city(db):
    wave = factories.with_modules(factories.wave(name="City 2025"), CODE)
    other = factories.with_modules(factories.wave(name="City 2024"), CODE)
    a = [small_industry() for _ in range(12)]
    b = [micro_trade() for _ in range(4)]
    c = [micro_industry() for _ in range(3)]
    for _ in range(2):
        large_industry()
    answered(wave, a[0], 5, ["training", "finance"])
    answered(wave, a[1], 4, ["training"])
    answered(wave, a[2], 2)
    answered(wave, a[3], 1)
    answered(wave, b[0], 4, ["training"])
    answered(wave, b[1], 4)
    answered(wave, c[0], 3, ["training"])
    # Not counted, each rating cost 5 and ticking training: it would move every figure.
    answered(wave, a[4], 5, ["training"], review_state=ReviewState.REJECTED)
    draft = factories.response(wave, a[5], ENGAGED, submit=False)
    factories.answer_module(draft, CODE, barriers(5, ["training"]))
    answered(other, a[6], 5, ["training"])
    unpinned = factories.response(wave, a[7], ENGAGED)
    version = factories.module_version(CODE)
    db.session.add_all(
        [
            ModuleAnswer(response_id=unpinned.id, module_version_id=version.id, question="cost", number=5),
            ModuleAnswer(
                response_id=unpinned.id, module_version_id=version.id, question="needs", option="training"
            ),
        ]
    )
    db.session.flush()
    return wave


def wilson(p, n, z=Z95):
    # The quadratic-root form (as tests/test_rollup.py), independent of survey.scoring.stats.
    root = z * math.sqrt(z * z + 4 * n * p * (1 - p))
    return ((2 * n * p + z * z - root) / (2 * (n + z * z)), (2 * n * p + z * z + root) / (2 * (n + z * z)))


def figures_of(db, wave, min_group=1, **kwargs):
    return module_stats.figures(
        db.session, wave, factories.module_version(CODE), min_group=min_group, **kwargs
    )


def test_plain_figures_count_only_counted_pinned_responses(db, city):
    overall = figures_of(db, city).overall
    assert overall.n == 7  # A 4 + B 2 + C 1; not the rejected, the draft, the unpinned, the other wave
    cost = overall.rating("cost")
    assert cost.n == 7
    assert cost.mean == pytest.approx((5 + 4 + 2 + 1 + 4 + 4 + 3) / 7)  # 23 / 7
    assert (cost.high, cost.high_share) == (4, pytest.approx(4 / 7))  # 5, 4, 4, 4
    habits = overall.rating("habits")
    assert (habits.mean, habits.high) == (2.0, 0)
    training = overall.option("needs", "training")
    assert (training.n, training.count, training.share) == (7, 4, pytest.approx(4 / 7))
    finance = overall.option("needs", "finance")
    assert (finance.count, finance.share) == (1, pytest.approx(1 / 7))
    assert overall.option("needs", "cloud").count == 0
    # Free text is never a figure.
    assert overall.rating("barriers_other") is None


def test_weighted_mean_is_cochrans_stratified_estimate(db, city):
    cost = figures_of(db, city).overall.rating("cost")
    # Covered: A (N 12, mean 3, s² = (46 - 12²/4) / 3 = 10/3), B (N 4, mean 4, s² 0),
    # C (N 3, one respondent, rating 3). D (N 2) has no respondent: N = 19 covered.
    estimate = (12 * 3 + 4 * 4 + 3 * 3) / 19  # 61 / 19 = 3.2105
    # C takes the pooled within-stratum variance: (10 + 0) / ((4 - 1) + (2 - 1)) = 2.5.
    variance = (12 / 19) ** 2 * (10 / 3) / 4 + (4 / 19) ** 2 * 0 / 2 + (3 / 19) ** 2 * 2.5 / 1  # 142.5 / 361
    se = math.sqrt(variance)  # 0.6283
    assert cost.weighted_mean.estimate == pytest.approx(estimate)
    assert cost.weighted_mean.ci_low == pytest.approx(estimate - Z95 * se)  # 1.979
    assert cost.weighted_mean.ci_high == pytest.approx(estimate + Z95 * se)  # 4.442
    assert variance == pytest.approx(142.5 / 361)


def test_weighted_shares_are_post_stratified_wilson_at_kish_n(db, city):
    overall = figures_of(db, city).overall
    kish = 19**2 / (12**2 / 4 + 4**2 / 2 + 3**2 / 1)  # 361 / 53 = 6.81
    # Cost rated 4-5: A 2 of 4, B 2 of 2, C 0 of 1.
    high = (12 * 2 / 4 + 4 * 2 / 2 + 3 * 0 / 1) / 19  # 10 / 19
    cost = overall.rating("cost").weighted_high
    assert cost.estimate == pytest.approx(high)
    assert (cost.ci_low, cost.ci_high) == pytest.approx(wilson(high, kish))
    # Training ticked: A 2 of 4, B 1 of 2, C 1 of 1 (of the responses pinned to the module).
    share = (12 * 2 / 4 + 4 * 1 / 2 + 3 * 1 / 1) / 19  # 11 / 19
    training = overall.option("needs", "training").weighted
    assert training.estimate == pytest.approx(share)
    assert (training.ci_low, training.ci_high) == pytest.approx(wilson(share, kish))
    assert overall.coverage == pytest.approx(19 / 21)


def test_groups_are_weighted_within_themselves_and_small_ones_suppressed(db, city):
    result = figures_of(db, city, breakdowns=("sector",), min_group=5)
    groups = {g.key: g for g in result.breakdowns["sector"]}
    manufacturing, trade = groups["C"], groups["G"]
    # Trade: 2 responses, fewer than 5: its n, no figure.
    assert trade.n == 2 and trade.suppressed
    assert all(r.mean is None and r.weighted_mean.estimate is None for r in trade.ratings)
    assert all(o.share is None and o.weighted.estimate is None for o in trade.options)
    assert trade.rating("cost").n == 2 and trade.option("needs", "training").n == 2
    # Manufacturing: A (N 12, n 4) and C (N 3, n 1) over its own register (D uncovered).
    cost = manufacturing.rating("cost")
    assert manufacturing.n == 5 and not manufacturing.suppressed
    assert cost.mean == pytest.approx(15 / 5)
    estimate = (12 * 3 + 3 * 3) / 15  # 3.0
    variance = (12 / 15) ** 2 * (10 / 3) / 4 + (3 / 15) ** 2 * (10 / 3) / 1  # C pools A's 10/3: 2/3
    assert cost.weighted_mean.estimate == pytest.approx(estimate)
    assert cost.weighted_mean.ci_low == pytest.approx(estimate - Z95 * math.sqrt(variance))
    assert cost.weighted_high.estimate == pytest.approx((12 * 0.5 + 3 * 0) / 15)
    assert manufacturing.coverage == pytest.approx(15 / 17)
    # The overall figures are unsuppressed (7 responses).
    assert result.overall.rating("cost").mean is not None


def test_filters_restrict_respondents_and_register_alike(db, city):
    overall = figures_of(db, city, filters={"sector": "G"}).overall
    cost = overall.rating("cost")
    assert overall.n == 2 and cost.mean == 4.0
    # One stratum (B), both rating 4: variance 0, so the interval is the point itself.
    assert (cost.weighted_mean.estimate, cost.weighted_mean.ci_low, cost.weighted_mean.ci_high) == (
        4.0,
        4.0,
        4.0,
    )
    assert overall.coverage == 1.0
    training = overall.option("needs", "training")
    assert (training.count, training.share) == (1, 0.5)
    assert figures_of(db, city, filters={"size_class": "large"}).overall.n == 0


def test_a_wave_without_modules_has_no_figures(db):
    assert module_stats.for_wave(db.session, factories.wave(), min_group=1) == []


def test_ranked_barriers_put_the_most_often_rated_high_first(db, city):
    result = figures_of(db, city)
    ranked = result.ratings_ranked(result.overall, "barriers")
    assert ranked[0].question == "cost"  # 10/19 rated 4-5; every other barrier 0
    assert len(ranked) == 9


def test_mean_pools_singleton_strata_and_clips_to_the_scale():
    # Strata: X (N 10, values 1 and 5: mean 3, s² 8), Y (N 30, one value 5).
    result = stats.post_stratified_mean(
        [
            stats.MeanStratum("X", 10, 2, 6, 26),
            stats.MeanStratum("Y", 30, 1, 5, 25),
            stats.MeanStratum("Z", 5, 0, 0, 0),
        ],
        1,
        5,
    )
    estimate = (10 * 3 + 30 * 5) / 40  # 4.5
    variance = (10 / 40) ** 2 * 8 / 2 + (30 / 40) ** 2 * 8 / 1  # Y pools X's 8: 4.75
    assert result.estimate == pytest.approx(estimate)
    assert result.standard_error == pytest.approx(math.sqrt(variance))
    # 4.5 ± 1.96 × 2.18 = 4.5 ± 4.27 runs past both ends of the scale: clipped to 1-5.
    assert (result.low, result.high) == (1, 5)
    assert result.uncovered == ("Z",) and result.coverage == pytest.approx(40 / 45)
    # Only singletons: nothing to pool, no interval; no respondents: no estimate.
    alone = stats.post_stratified_mean([stats.MeanStratum("Y", 30, 1, 5, 25)], 1, 5)
    assert (alone.estimate, alone.low, alone.high) == (5.0, None, None)
    assert stats.post_stratified_mean([stats.MeanStratum("Z", 5, 0, 0, 0)], 1, 5).estimate is None


@pytest.mark.parametrize("by", breakdowns.DASHBOARD.breakdowns)
def test_every_breakdown_splits_the_counted_pinned_responses(db, city, by):
    result = figures_of(db, city, breakdowns=(by,))
    groups = result.breakdowns[by]
    assert sum(g.n for g in groups) == 7
    assert sum(g.rating("cost").n for g in groups) == 7
    assert sum(g.option("needs", "training").count for g in groups) == 4


@pytest.mark.parametrize(
    ("filters", "n", "cost_total"),
    [
        ({"economic_pillar": "high_tech_industry"}, 5, 5 + 4 + 2 + 1 + 3),  # A and C (section C)
        ({"size_class": "micro"}, 3, 4 + 4 + 3),  # B and C
        ({"population": "enterprises"}, 7, 23),
        ({"population": "households"}, 0, 0),
        ({"unit": "11311", "sector": "G"}, 2, 8),
    ],
)
def test_every_filter_restricts_the_figures(db, city, filters, n, cost_total):
    overall = figures_of(db, city, filters=filters).overall
    assert overall.n == n
    cost = overall.rating("cost")
    assert cost.n == n and (cost.mean or 0) * n == pytest.approx(cost_total)
