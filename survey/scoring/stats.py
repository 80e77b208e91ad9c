"""Interval estimates for shares: Wilson, post-stratified, and a difference of two.

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
