"""Population estimates inside every group, worked out by hand on a small register, and the
same figures wherever they are shown."""

from __future__ import annotations

import math

import pytest

from survey import frameworks
from survey.models.size_class import BILLION
from survey.scoring.stats import Z95
from survey.statistics import groups
from survey.statistics.rollup import rollup
from tests import factories

ENGAGED = factories.answers_at(frameworks.load("dbi-2021-sme", 1), 1.0)
OUTSIDE = factories.answers_at(frameworks.load("dbi-2021-sme", 1), 0.0)


def wilson_at(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson's interval of a share p at an effective n, written out independently."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.fixture
def sector_c(db):
    """Manufacturing (C): 8 micro firms (2 answered: 1 engaged) and 2 large ones (both
    answered, both engaged). The large firms answer far more often, as in the city."""
    wave = factories.wave(name="Đợt 2025")
    micro = [
        factories.enterprise(sector_code="C", employees=5, revenue_vnd=BILLION, capital_vnd=None)
        for _ in range(8)
    ]
    large = [
        factories.enterprise(sector_code="C", employees=300, revenue_vnd=None, capital_vnd=None)
        for _ in range(2)
    ]
    factories.response(wave, micro[0], ENGAGED)
    factories.response(wave, micro[1], OUTSIDE)
    for firm in large:
        factories.response(wave, firm, ENGAGED)
    db.session.flush()
    return wave


def test_a_sectors_share_is_weighted_inside_the_sector(db, sector_c):
    result = rollup(db.session, sector_c, by="sector")
    (group,) = result["groups"]
    # The respondents' own share: 3 of 4 engaged.
    assert group["tiers"]["engaged"]["share"] == pytest.approx(0.75)
    weighted = group["weighted"]
    engaged = weighted["tiers"]["engaged"]
    # Weighted inside C: micro 8 firms at 1/2, large 2 firms at 2/2.
    estimate = (8 * 0.5 + 2 * 1.0) / 10
    # Weights 4, 4, 1, 1: Kish's n = 10^2 / (4^2 + 4^2 + 1 + 1).
    kish = 100 / 34
    assert engaged["estimate"] == pytest.approx(estimate)
    assert weighted["effective_n"] == pytest.approx(kish, abs=0.01)
    low, high = wilson_at(estimate, kish)
    assert (engaged["ci_low"], engaged["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    # The firms it stands for: the share of the sector's 10 register firms, interval alike.
    assert (engaged["firms"], engaged["firms_low"], engaged["firms_high"]) == (
        pytest.approx(6.0),
        pytest.approx(10 * low),
        pytest.approx(10 * high),
    )
    assert weighted["register"] == 10 and weighted["respondents"] == 4
    assert weighted["coverage"] == pytest.approx(1.0)


def test_a_cell_without_respondents_is_left_out_and_the_coverage_says_so(db, sector_c):
    for _ in range(5):  # medium firms of C, none answering
        factories.enterprise(sector_code="C", employees=150, revenue_vnd=None, capital_vnd=None)
    db.session.flush()
    (group,) = rollup(db.session, sector_c, by="sector")["groups"]
    assert group["weighted"]["register"] == 15
    assert group["weighted"]["coverage"] == pytest.approx(10 / 15)
    assert group["weighted"]["tiers"]["engaged"]["estimate"] == pytest.approx(0.6)


def test_the_pure_estimate_agrees_with_the_sql_one(db, sector_c):
    population, respondents, width = groups.counts(
        db.session, sector_c, ["sector"], ["business_kind", "size_group", "size_class"]
    )
    assert width == 1
    pure = groups.estimate(population, respondents, width, ["engaged", "outside"])
    (group,) = rollup(db.session, sector_c, by="sector")["groups"]
    assert pure[("C",)].tiers["engaged"].estimate == pytest.approx(
        group["weighted"]["tiers"]["engaged"]["estimate"]
    )


def test_the_change_of_a_group_has_newcombes_interval():
    earlier = groups.TierEstimate(0.2, 0.15, 0.26, None, None, None, 0.3)
    later = groups.TierEstimate(0.3, 0.24, 0.37, None, None, None, 0.35)
    change = groups.change(earlier, later)
    assert change.estimate == pytest.approx(0.1)
    assert change.low == pytest.approx(0.1 - math.sqrt(0.06**2 + 0.06**2))
    assert change.high == pytest.approx(0.1 + math.sqrt(0.07**2 + 0.05**2))
    assert groups.change(None, later) is None


def test_the_change_between_waves_is_given_for_every_group(db, sector_c):
    from survey.statistics.rollup import compare

    earlier = factories.wave(name="Đợt 2024", year=2024)
    for firm in (factories.enterprise(sector_code="C", employees=5, revenue_vnd=BILLION) for _ in range(2)):
        factories.response(earlier, firm, OUTSIDE)
    db.session.flush()
    result = compare(db.session, earlier, sector_c, by="sector")
    (group,) = result["groups"]
    assert group["key"] == "C" and group["respondents"] == [2, 4]
    change = group["tiers"]["engaged"]
    # Weighted inside C in each wave, against today's register (10 micro, 2 large firms):
    # none engaged before (every respondent outside), then (10 x 1/2 + 2 x 1) / 12.
    before = groups.for_wave(
        db.session, earlier, ["sector"], ["business_kind", "size_group", "size_class"], ["engaged"]
    )
    after = groups.for_wave(
        db.session, sector_c, ["sector"], ["business_kind", "size_group", "size_class"], ["engaged"]
    )
    expected = groups.change(before[("C",)].tiers["engaged"], after[("C",)].tiers["engaged"])
    assert before[("C",)].tiers["engaged"].estimate == 0.0
    assert change["difference"] == pytest.approx(7 / 12)
    assert (change["ci_low"], change["ci_high"]) == (
        pytest.approx(expected.low),
        pytest.approx(expected.high),
    )
