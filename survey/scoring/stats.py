"""Interval estimates: shares (Wilson, post-stratified, a difference of two) and a
post-stratified mean.

Kept free of any database so each formula can be checked against a hand computation.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

#: The 97.5% quantile of the standard normal distribution.
Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Interval:
    estimate: float
    low: float
    high: float


def wilson(successes: int, n: float, z: float = Z95) -> Interval | None:
    """Wilson score interval for ``successes`` out of ``n`` (None when n is 0).

    ``n`` may be an effective (non-integer) sample size; ``successes`` is then used
    only through the share ``successes / n``.
    """
    if n <= 0:
        return None
    return wilson_from_share(successes / n, n, z)


def wilson_from_share(p: float, n: float, z: float = Z95) -> Interval:
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(max(p * (1 - p) / n + z2 / (4 * n * n), 0.0))
    # Clamp rounding noise only; mathematically the interval holds p and lies in [0, 1].
    return Interval(p, max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


@dataclass(frozen=True, slots=True)
class Stratum:
    key: Hashable
    population: int
    respondents: int
    #: Respondents in the category being estimated (e.g. "engaged").
    successes: int


@dataclass(frozen=True, slots=True)
class WeightedShare:
    interval: Interval | None
    #: Kish's effective sample size of the weights: (sum w)^2 / sum w^2.
    effective_n: float
    #: Share of the register population in strata that have respondents.
    coverage: float
    uncovered: tuple[Hashable, ...] = field(default=())


def post_stratified(strata: Iterable[Stratum], z: float = Z95) -> WeightedShare:
    """A share for the register population, weighting each respondent by N_h / n_h.

    Strata with firms in the register but no respondents cannot be estimated; they
    are listed in ``uncovered`` and the estimate describes the covered population
    (``coverage`` says how much of the register that is). The interval is Wilson's,
    taken at Kish's effective sample size, which stays inside [0, 1] and equals the
    plain Wilson interval when the sample is proportional to the register.
    """
    strata = list(strata)
    covered = [s for s in strata if s.respondents > 0 and s.population > 0]
    uncovered = tuple(s.key for s in strata if s.respondents == 0 and s.population > 0)
    population = sum(s.population for s in strata)
    covered_population = sum(s.population for s in covered)
    coverage = covered_population / population if population else 0.0
    if not covered:
        return WeightedShare(None, 0.0, coverage, uncovered)
    estimate = sum(s.population * s.successes / s.respondents for s in covered) / covered_population
    # Each respondent in stratum h carries weight N_h / n_h.
    sum_w_squared = sum(s.population * s.population / s.respondents for s in covered)
    effective_n = covered_population * covered_population / sum_w_squared
    return WeightedShare(wilson_from_share(estimate, effective_n, z), effective_n, coverage, uncovered)


def difference(later: Interval, earlier: Interval) -> Interval:
    """Newcombe's hybrid score interval for ``later - earlier`` (independent samples).

    Built from the two Wilson intervals, so it inherits their good behaviour near 0
    and 1. Firms answering both waves make the samples dependent; ignoring a positive
    correlation makes this interval wider, never narrower, than the truth.
    """
    d = later.estimate - earlier.estimate
    low = d - math.sqrt((later.estimate - later.low) ** 2 + (earlier.high - earlier.estimate) ** 2)
    high = d + math.sqrt((later.high - later.estimate) ** 2 + (earlier.estimate - earlier.low) ** 2)
    return Interval(d, max(-1.0, low), min(1.0, high))


def shares(counts: Mapping[str, int], categories: Iterable[str], z: float = Z95) -> dict[str, dict]:
    """Count, share and Wilson interval for each category of one group."""
    n = sum(counts.values())
    result = {}
    for category in categories:
        k = counts.get(category, 0)
        interval = wilson(k, n, z)
        result[category] = {
            "count": k,
            "share": interval.estimate if interval else None,
            "ci_low": interval.low if interval else None,
            "ci_high": interval.high if interval else None,
        }
    return result


@dataclass(frozen=True, slots=True)
class MeanStratum:
    """One post-stratification cell of a mean: its register size and its respondents'
    values as sufficient statistics (how many, their sum and their sum of squares)."""

    key: Hashable
    population: int
    respondents: int
    total: float
    squares: float

    @property
    def mean(self) -> float:
        return self.total / self.respondents

    @property
    def within(self) -> float:
        """The within-cell sum of squared deviations, sum (y - mean)^2."""
        return max(self.squares - self.total * self.total / self.respondents, 0.0)


@dataclass(frozen=True, slots=True)
class WeightedMean:
    estimate: float | None
    #: The 95% interval's ends; None when no cell has two respondents (no variance to use).
    low: float | None
    high: float | None
    standard_error: float | None
    #: Share of the register population in strata that have respondents.
    coverage: float
    uncovered: tuple[Hashable, ...] = field(default=())


def post_stratified_mean(
    strata: Iterable[MeanStratum], lowest: float, highest: float, z: float = Z95
) -> WeightedMean:
    """A mean for the register population: the stratified estimator, post-stratified.

    The estimate is sum_h W_h * ybar_h over the covered strata (register firms and
    respondents both), with W_h = N_h / N the stratum's share of the covered register, and
    its variance is sum_h W_h^2 * s_h^2 / n_h: Cochran, *Sampling Techniques*, 3rd ed.
    (1977), ch. 5 (the stratified mean, eq. 5.1, and its variance, Theorem 5.3), the
    realised n_h taken as fixed as in his stratification after selection (ch. 5A), and
    **without the finite-population correction** (1 - n_h / N_h). Dropping it makes the
    interval wider, never narrower, and matches the shares beside it, whose Wilson
    intervals have none either. A stratum with a single respondent has no s_h^2 of its
    own; it takes the pooled within-stratum variance, sum (n_h - 1) s_h^2 / sum (n_h - 1)
    over the strata with two or more. With no such stratum there is no variance to pool
    and the interval's ends are None.

    The interval is the normal one, estimate +/- z * SE, clipped to the scale's range
    [``lowest``, ``highest``] (a mean of ratings 1-5 lies in it). Uncovered strata and
    ``coverage`` are as in :func:`post_stratified`.
    """
    strata = list(strata)
    covered = [s for s in strata if s.respondents > 0 and s.population > 0]
    uncovered = tuple(s.key for s in strata if s.respondents == 0 and s.population > 0)
    population = sum(s.population for s in strata)
    covered_population = sum(s.population for s in covered)
    coverage = covered_population / population if population else 0.0
    if not covered:
        return WeightedMean(None, None, None, None, coverage, uncovered)
    estimate = sum(s.population * s.mean for s in covered) / covered_population
    several = [s for s in covered if s.respondents > 1]
    if not several:
        return WeightedMean(estimate, None, None, None, coverage, uncovered)
    pooled = sum(s.within for s in several) / sum(s.respondents - 1 for s in several)
    variance = 0.0
    for s in covered:
        s2 = s.within / (s.respondents - 1) if s.respondents > 1 else pooled
        weight = s.population / covered_population
        variance += weight * weight * s2 / s.respondents
    se = math.sqrt(variance)
    low = max(lowest, min(estimate, estimate - z * se))
    high = min(highest, max(estimate, estimate + z * se))
    return WeightedMean(estimate, low, high, se, coverage, uncovered)
