"""Interval estimates checked against hand computations and published values."""

from __future__ import annotations

import math

import pytest

from survey.scoring.stats import (
    Interval,
    Stratum,
    difference,
    post_stratified,
    shares,
    wilson,
    wilson_from_share,
)

Z = 1.959963984540054  # the 97.5% normal quantile
TOL = 1e-12


def wilson_roots(k: float, n: float, z: float = Z) -> tuple[float, float]:
    """Wilson's interval as the two roots of the quadratic in p it comes from:
    (2np̂ + z² ± z·sqrt(z² + 4np̂(1 − p̂))) / (2(n + z²)), with p̂ = k/n."""
    p = k / n
    root = z * math.sqrt(z * z + 4 * n * p * (1 - p))
    return (2 * n * p + z * z - root) / (2 * (n + z * z)), (2 * n * p + z * z + root) / (2 * (n + z * z))


@pytest.mark.parametrize(
    ("k", "n"),
    [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (1, 2), (81, 263), (7, 1000), (999, 1000), (12_345, 54_321)],
)
@pytest.mark.parametrize("z", [Z, 1.6448536269514722, 2.5758293035489004])
def test_wilson_matches_the_quadratic_roots(k, n, z):
    low, high = wilson_roots(k, n, z)
    interval = wilson(k, n, z)
    assert interval.estimate == k / n
    assert interval.low == pytest.approx(low, abs=TOL)
    assert interval.high == pytest.approx(high, abs=TOL)


def test_wilson_default_is_95_percent():
    low, high = wilson_roots(30, 120)
    assert wilson(30, 120) == Interval(0.25, pytest.approx(low, abs=TOL), pytest.approx(high, abs=TOL))


def test_wilson_published_value():
    # Newcombe (1998), Statistics in Medicine 17:857, example 81/263: Wilson 0.2553 to 0.3662.
    interval = wilson(81, 263)
    assert interval.estimate == pytest.approx(0.3080, abs=5e-5)
    assert interval.low == pytest.approx(0.2553, abs=5e-5)
    assert interval.high == pytest.approx(0.3662, abs=5e-5)


def test_wilson_at_the_edges():
    # k = 0: [0, z²/(n + z²)]; k = n: [n/(n + z²), 1].
    z2 = Z * Z
    assert wilson(0, 10) == Interval(0.0, 0.0, pytest.approx(z2 / (10 + z2), abs=TOL))
    assert wilson(10, 10) == Interval(1.0, pytest.approx(10 / (10 + z2), abs=TOL), 1.0)


def test_wilson_with_no_respondents_is_none():
    assert wilson(0, 0) is None


def test_wilson_at_a_non_integer_sample_size():
    # n may be an effective sample size; the share is successes / n.
    low, high = wilson_roots(5.3, 29.5)
    interval = wilson_from_share(5.3 / 29.5, 29.5)
    assert (interval.low, interval.high) == (pytest.approx(low, abs=TOL), pytest.approx(high, abs=TOL))


def test_post_stratified_worked_example():
    # Register: 800 firms in stratum a, 200 in b; 20 respondents in each.
    # Engaged: 2 of 20 in a (10%), 10 of 20 in b (50%).
    # Estimate: 0.8 · 0.1 + 0.2 · 0.5 = 0.18 (the unweighted 12/40 = 0.30 would be wrong).
    # Weights: 800/20 = 40 in a, 200/20 = 10 in b.
    # Kish: (Σw)² / Σw² = 1000² / (20·40² + 20·10²) = 1e6 / 34000 = 29.4117…
    result = post_stratified([Stratum("a", 800, 20, 2), Stratum("b", 200, 20, 10)])
    n_eff = 1_000_000 / 34_000
    assert result.effective_n == pytest.approx(n_eff, rel=1e-12)
    assert result.interval.estimate == pytest.approx(0.18, abs=TOL)
    low, high = wilson_roots(0.18 * n_eff, n_eff)
    assert result.interval.low == pytest.approx(low, abs=1e-9)
    assert result.interval.high == pytest.approx(high, abs=1e-9)
    reference = wilson_from_share(0.18, n_eff)
    assert (result.interval.low, result.interval.high) == (
        pytest.approx(reference.low, abs=1e-9),
        pytest.approx(reference.high, abs=1e-9),
    )
    # Rounded: [0.0813, 0.3527].
    assert (round(result.interval.low, 4), round(result.interval.high, 4)) == (0.0813, 0.3527)
    assert result.coverage == 1.0
    assert result.uncovered == ()


def test_uncovered_stratum_is_reported_and_left_out():
    # Stratum c has 1000 firms and no respondents: the estimate describes a and b
    # (1000 of 2000 firms), exactly as in the worked example; d is empty on both counts.
    result = post_stratified(
        [
            Stratum("a", 800, 20, 2),
            Stratum("c", 1000, 0, 0),
            Stratum("b", 200, 20, 10),
            Stratum("d", 0, 0, 0),
        ]
    )
    assert result.uncovered == ("c",)
    assert result.coverage == pytest.approx(0.5, abs=TOL)
    assert result.interval.estimate == pytest.approx(0.18, abs=TOL)
    assert result.effective_n == pytest.approx(1_000_000 / 34_000, rel=1e-12)


def test_nothing_covered():
    result = post_stratified([Stratum("a", 100, 0, 0), Stratum("b", 50, 0, 0)])
    assert result.interval is None
    assert result.coverage == 0.0
    assert result.uncovered == ("a", "b")


def test_difference_worked_by_hand():
    # later 0.50 in [0.40, 0.62]; earlier 0.30 in [0.22, 0.40]. d = 0.20.
    # low  = 0.20 − sqrt((0.50 − 0.40)² + (0.40 − 0.30)²) = 0.20 − sqrt(0.02)   = 0.058578…
    # high = 0.20 + sqrt((0.62 − 0.50)² + (0.30 − 0.22)²) = 0.20 + sqrt(0.0208) = 0.344222…
    result = difference(Interval(0.50, 0.40, 0.62), Interval(0.30, 0.22, 0.40))
    assert result.estimate == pytest.approx(0.20, abs=TOL)
    assert result.low == pytest.approx(0.2 - 0.1414213562373095, abs=1e-12)
    assert result.high == pytest.approx(0.2 + 0.1442220510185596, abs=1e-12)


def test_difference_with_the_waves_swapped_is_mirrored():
    # Swapping the waves negates the estimate and mirrors the interval.
    later, earlier = Interval(0.50, 0.40, 0.62), Interval(0.30, 0.22, 0.40)
    forward, backward = difference(later, earlier), difference(earlier, later)
    assert backward.estimate == pytest.approx(-forward.estimate, abs=TOL)
    assert backward.low == pytest.approx(-forward.high, abs=TOL)
    assert backward.high == pytest.approx(-forward.low, abs=TOL)


def test_difference_published_value():
    # Newcombe (1998), Statistics in Medicine 17:873, example 56/70 − 48/80 = 0.2000,
    # hybrid score interval (method 10): 0.0524 to 0.3339.
    result = difference(wilson(56, 70), wilson(48, 80))
    assert result.estimate == pytest.approx(0.2, abs=TOL)
    assert result.low == pytest.approx(0.0524, abs=5e-5)
    assert result.high == pytest.approx(0.3339, abs=5e-5)


def test_shares_per_category():
    result = shares(
        {"engaged": 3, "preparing": 1, "outside": 0}, ["engaged", "preparing", "outside", "unseen"]
    )
    assert list(result) == ["engaged", "preparing", "outside", "unseen"]
    for category, count in [("engaged", 3), ("preparing", 1), ("outside", 0), ("unseen", 0)]:
        low, high = wilson_roots(count, 4)
        row = result[category]
        assert set(row) == {"count", "share", "ci_low", "ci_high"}
        assert row["count"] == count
        assert row["share"] == count / 4
        assert row["ci_low"] == pytest.approx(low, abs=TOL)
        assert row["ci_high"] == pytest.approx(high, abs=TOL)
    # A category nobody is in still gets an upper bound: z²/(4 + z²) = 0.4899.
    assert result["unseen"]["ci_low"] == 0.0
    assert round(result["unseen"]["ci_high"], 4) == 0.4899


def test_shares_count_the_whole_group():
    # Categories not asked for still count in the denominator: 1 of 4, not 1 of 1.
    result = shares({"a": 1, "b": 3}, ["a"])
    assert result == {
        "a": {
            "count": 1,
            "share": 0.25,
            "ci_low": pytest.approx(wilson_roots(1, 4)[0], abs=TOL),
            "ci_high": pytest.approx(wilson_roots(1, 4)[1], abs=TOL),
        }
    }


def test_shares_of_an_empty_group():
    assert shares({}, ["engaged", "outside"]) == {
        "engaged": {"count": 0, "share": None, "ci_low": None, "ci_high": None},
        "outside": {"count": 0, "share": None, "ci_low": None, "ci_high": None},
    }
    assert shares({"engaged": 0}, ["engaged"])["engaged"]["share"] is None
