"""Model-based estimates for the units too small to report directly.

Most of the city's 114 units have a handful of respondents: "too few to report" is honest
but leaves the department blind where it must plan. For a unit below the reporting
threshold (and only then) this gives an **empirical-Bayes estimate from a logistic model
with a random effect per unit**, which borrows strength from the unit's former district and
its register's mix of sectors and sizes:

1. **What the unit's mix predicts.** A logistic regression of "engaged or not" on main
   effects of the former district, the VSIC section and each post-stratification stratum
   (kind of business, sector group, size class) is fitted to every respondent of the wave
   (scipy's L-BFGS; a mild ridge keeps a level with few respondents near the average). It
   predicts a chance for every cell of the register, so a unit's prediction follows its own
   mix of firms, and a unit whose few respondents are its large firms is expected to have
   many engaged respondents: size-related non-response is modelled, not averaged in.
2. **How far the unit strays from its mix.** Each unit has its own effect b on the logit
   scale, b ~ Normal(0, tau^2 + the fitted model's own uncertainty about the unit's cells).
   tau (the spread between units) is not fixed at a best fit (a few respondents per unit
   cannot pin it down, and a fixed best fit claims too much): each tau of a grid from 0 to 3
   is weighted by how well it explains every unit's respondents (the likelihood with each
   unit's effect integrated out on a grid), a flat prior on tau (Gelman 2006).
3. **The estimate.** Given its respondents, the unit's effect has a posterior (mixed over
   the taus by their weights). The unit's true figure is its register's own share: its
   respondents as they answered, and each of its other firms engaged with its cell's chance
   moved by b, a Bernoulli each (a unit of 40 firms strays from its chances by a few points
   on its own). The mean of that share is the estimate; its 2.5 % and 97.5 % quantiles
   are the interval. With no respondents it is the mix's prediction with the full spread
   between units; with many it follows the unit's own answers.

The simulation (bench/honest.py; tests/statistics/test_honest_intervals.py in the suite)
measures how often the interval covers the true share. Pure: counts in, figures out;
``for_wave`` reads the counts. A figure is shown only where ``shown`` allows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import expit, logsumexp, ndtr

#: The spreads between units considered: the standard deviation tau of a unit's effect on
#: the logit scale, from none to units that stray by three logits (a share of 20 % being
#: anything from 1 % to 83 %), a flat prior over them (Gelman, "Prior distributions for
#: variance parameters in hierarchical models", Bayesian Analysis 1, 2006).
TAUS = np.linspace(0.0, 3.0, 61)
#: Where a unit's effect is evaluated: a grid wide enough for the widest spread.
EFFECTS = np.linspace(-9.0, 9.0, 361)


@dataclass(frozen=True)
class Area:
    key: object
    register: int
    #: The share the unit's register mix predicts with no effect of its own (M).
    prior_mean: float
    #: Its respondents and how many of them are engaged.
    n: int
    observed: int
    #: The unit's cells: (its register firms, the predicted logit, respondents, engaged).
    cells: tuple[tuple[int, float, int, int], ...] = ()
    #: The variance of the fitted model's prediction of the unit's logit (added to tau^2).
    model_variance: float = 0.0


@dataclass(frozen=True)
class AreaEstimate:
    key: object
    estimate: float
    ci_low: float
    ci_high: float
    prior_mean: float
    respondents_n: int
    #: The fitted spread between units (the posterior mean of tau).
    spread: float


def _log_likelihoods(area: Area) -> np.ndarray:
    """log P(the unit's answers | its effect b), for each b of ``EFFECTS``."""
    total = np.zeros(len(EFFECTS))
    for _firms, eta, n, engaged in area.cells:
        if n:
            shifted = eta + EFFECTS
            total += engaged * shifted - n * np.logaddexp(0, shifted)
    return total


def _log_priors(model_variance: float = 0.0) -> np.ndarray:
    """log N(b; 0, tau^2 + the model's variance) on the grid of effects, normalised over it,
    for each tau of ``TAUS`` (a row each; a point mass at 0 where the variance is 0)."""
    sds = np.sqrt(TAUS**2 + model_variance)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(sds > 0, -0.5 * (EFFECTS[None, :] / np.where(sds > 0, sds, 1.0)) ** 2, -np.inf)
    logs[sds[:, 0] == 0, len(EFFECTS) // 2] = 0.0
    return logs - logsumexp(logs, axis=1, keepdims=True)


def _predictive(area: Area) -> tuple[np.ndarray, np.ndarray]:
    """For each effect b of the grid, the mean and variance of the unit's share of its
    register engaged: its respondents as they answered, and each other firm engaged with
    its cell's chance (a Bernoulli each: the truth is the register's own share, and a unit
    of 40 firms strays from its chance by a few points on its own)."""
    firms = sum(c[0] for c in area.cells)
    if not firms:
        return np.full(len(EFFECTS), area.prior_mean), np.zeros(len(EFFECTS))
    mean = np.full(len(EFFECTS), float(area.observed))
    variance = np.zeros(len(EFFECTS))
    for f, eta, n, _engaged in area.cells:
        others = max(f - n, 0)
        if others:
            chance = expit(eta + EFFECTS)
            mean += others * chance
            variance += others * chance * (1 - chance)
    return mean / firms, variance / firms**2


#: Where the predictive distribution function is evaluated for the interval's ends.
POINTS = np.linspace(0.0, 1.0, 1001)
NEGLIGIBLE = 1e-12


def _spread(areas: Sequence[Area]) -> tuple[np.ndarray, dict, dict]:
    """P(tau | every unit's answers) on the grid, and each unit's log likelihoods and priors."""
    likelihoods = {a.key: _log_likelihoods(a) for a in areas}
    priors = {a.key: _log_priors(a.model_variance) for a in areas}
    # log P(every unit's answers | tau): each unit's effect integrated out on the grid.
    marginal = sum(logsumexp(priors[a.key] + likelihoods[a.key], axis=1) for a in areas)
    weights = np.exp(marginal - marginal.max())
    return weights / weights.sum(), likelihoods, priors


def posterior(areas: Sequence[Area], level: float = 0.95, wanted: set | None = None) -> dict:
    """Each unit's model-based estimate and interval (see the module's docstring); only the
    units in ``wanted`` when given (the spread is learnt from every unit all the same)."""
    if not areas:
        return {}
    tau_weights, likelihoods, priors = _spread(areas)
    spread = float(tau_weights @ TAUS)
    tail = (1 - level) / 2
    result = {}
    for area in areas:
        if wanted is not None and area.key not in wanted:
            continue
        ll = likelihoods[area.key]
        # P(b | answers) = sum over tau of P(tau | all answers) P(b | tau, the unit's answers).
        joint = priors[area.key] + ll
        joint -= logsumexp(joint, axis=1, keepdims=True)
        effect = tau_weights @ np.exp(joint)
        mean, variance = _predictive(area)
        kept = effect > NEGLIGIBLE
        weights, mean, sd = effect[kept] / effect[kept].sum(), mean[kept], np.sqrt(variance[kept])
        # The share's distribution: a normal for each b (the other firms' Bernoullis), mixed.
        spread_sd = np.maximum(sd, 1e-9)[:, None]
        cdf = weights @ ndtr((POINTS[None, :] - mean[:, None]) / spread_sd)
        low = POINTS[min(np.searchsorted(cdf, tail), len(POINTS) - 1)]
        high = POINTS[min(np.searchsorted(cdf, 1 - tail), len(POINTS) - 1)]
        result[area.key] = AreaEstimate(
            area.key, float(weights @ mean), float(low), float(high), area.prior_mean, area.n, spread
        )
    return result


#: The ridge penalty on the main effects of ``_cell_model`` (a prior N(0, 1/RIDGE) on each, on
#: the logit scale): it keeps a level with few respondents near the average instead of at an
#: extreme, and costs nothing where there are many.
RIDGE = 0.5


@dataclass(frozen=True)
class CellModel:
    """A logistic regression of the share engaged on main effects (``_cell_model``)."""

    theta: np.ndarray
    covariance: np.ndarray
    index: tuple[dict, ...]
    offsets: tuple[int, ...]

    def design(self, key: tuple) -> np.ndarray:
        x = np.zeros(len(self.theta))
        x[-1] = 1.0
        for c, value in enumerate(key):
            if value in self.index[c]:
                x[self.offsets[c] + self.index[c][value]] = 1.0
        return x

    def logit(self, key: tuple) -> float:
        return float(self.design(key) @ self.theta)


def _cell_model(cells: Mapping[tuple, Sequence[int]]) -> CellModel | None:
    """The share engaged on main effects, one for each value of each key column (former
    district, section, each stratum), fitted to ``cells`` (key -> (respondents, engaged))
    by scipy's L-BFGS, with the covariance of its coefficients (the inverse of the
    penalised Fisher information). None without respondents."""
    from scipy.optimize import minimize

    keys = [k for k, (n, _) in cells.items() if n > 0]
    if not keys:
        return None
    columns = len(keys[0])
    levels = [sorted({k[c] for k in keys}, key=str) for c in range(columns)]
    index = tuple({v: i for i, v in enumerate(values)} for values in levels)
    offsets = tuple(int(o) for o in np.cumsum([0] + [len(v) for v in levels])[:-1])
    size = sum(len(v) for v in levels) + 1
    design = np.zeros((len(keys), size))
    design[:, -1] = 1.0
    for row, key in enumerate(keys):
        for c in range(columns):
            design[row, offsets[c] + index[c][key[c]]] = 1.0
    n = np.array([cells[k][0] for k in keys], dtype=float)
    y = np.array([cells[k][1] for k in keys], dtype=float)
    penalty = np.full(size, RIDGE)
    penalty[-1] = 0.0

    def cost(theta):
        eta = design @ theta
        value = -(y * eta - n * np.logaddexp(0, eta)).sum() + 0.5 * (penalty * theta**2).sum()
        return value, design.T @ (n * expit(eta) - y) + penalty * theta

    theta = minimize(cost, np.zeros(size), jac=True, method="L-BFGS-B").x
    p = expit(design @ theta)
    information = design.T @ (design * (n * p * (1 - p))[:, None]) + np.diag(penalty)
    return CellModel(theta, np.linalg.pinv(information), index, offsets)


def estimate_units(
    population: Mapping[tuple, int],
    respondents: Mapping[tuple, Mapping[str, int]],
    tier: str,
    wanted=None,
) -> dict:
    """unit -> (Area, AreaEstimate, its direct GroupEstimate or None); with ``wanted``
    (a predicate on the Area), only the units it accepts.

    ``population`` and ``respondents`` are the register and respondent counts of the cells
    (unit, former district, VSIC section, then the post-stratification strata), as
    survey.statistics.groups.counts gives them for ``["unit", "former_area", "sector"]``.
    Cells with an unknown unit or district are left out, as the headline leaves out what
    it cannot weight.
    """
    from survey.statistics import groups

    direct = groups.estimate(_project(population, (0,), 3), _project(respondents, (0,), 3), 1, [tier])
    register: dict = defaultdict(lambda: defaultdict(int))  # unit -> cell -> firms
    answered: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))  # unit -> cell -> [n, engaged]
    pooled: dict = defaultdict(lambda: [0, 0])  # (district, section, strata) -> [n, engaged]
    for key, firms in population.items():
        if key[0] is None or key[1] is None or not firms:
            continue
        register[key[0]][key[1:]] += firms
    for key, counts in respondents.items():
        if key[0] is None or key[1] is None:
            continue
        n, engaged = sum(counts.values()), counts.get(tier, 0)
        for bucket in (answered[key[0]][key[1:]], pooled[key[1:]]):
            bucket[0] += n
            bucket[1] += engaged
    model = _cell_model(pooled)
    areas = []
    for unit, cells in register.items():
        firms = sum(cells.values())
        mine = answered[unit]
        keys = sorted(set(cells) | set(mine), key=lambda c: tuple(map(str, c)))
        logits = {k: model.logit(k) if model else 0.0 for k in keys}
        rows = tuple((cells.get(k, 0), logits[k], *mine.get(k, (0, 0))) for k in keys)
        mix = sum(f * float(expit(logits[k])) for k, f in cells.items()) / firms
        # How unsure the fitted model is of the unit's logits, on average over its firms.
        uncertain = 0.0
        if model is not None:
            average = sum(f * model.design(k) for k, f in cells.items()) / firms
            uncertain = float(average @ model.covariance @ average)
        n = sum(c[0] for c in mine.values())
        areas.append(Area(unit, firms, mix, n, sum(c[1] for c in mine.values()), rows, uncertain))
    # The fitted model's covariance treats respondents as independent, but those of one
    # unit share its effect: its coefficients are less sure than it says by about Kish's
    # design effect of clustering, 1 + (m - 1) rho, with m the respondents per unit and
    # rho the latent intra-unit correlation, tau^2 / (tau^2 + pi^2 / 3). Once tau is known
    # from the first pass, the prediction variances are widened by it and the posterior
    # worked out again.
    answering = [a.n for a in areas if a.n]
    if answering:
        tau = float(_spread(areas)[0] @ TAUS)
        rho = tau * tau / (tau * tau + math.pi**2 / 3)
        effect = 1 + (sum(answering) / len(answering) - 1) * rho
        areas = [replace(a, model_variance=a.model_variance * effect) for a in areas]
    estimates = posterior(areas, wanted=None if wanted is None else {a.key for a in areas if wanted(a)})
    return {a.key: (a, estimates[a.key], direct.get((a.key,))) for a in areas if a.key in estimates}


def _project(counts: Mapping[tuple, object], keep: tuple[int, ...], width: int) -> dict:
    """Counts summed to the key columns ``keep`` (then the strata after ``width``)."""
    out: dict = {}
    for key, value in counts.items():
        short = tuple(key[i] for i in keep) + key[width:]
        if isinstance(value, Mapping):
            tiers = out.setdefault(short, defaultdict(int))
            for tier, n in value.items():
                tiers[tier] += n
        else:
            out[short] = out.get(short, 0) + value
    return out


def for_wave(
    session, wave, tiers: Sequence[str], strata: Sequence[str], filters: dict | None = None, wanted=None
) -> dict[str, dict]:
    """Model-based estimates of each tier's share for every unit of the wave's register
    (tier -> ``estimate_units``'s result); which of them may be shown is ``shown``'s rule.
    The counts are read once (two GROUP BY queries) for all the tiers."""
    # Imported here: survey.statistics.groups reads its counts through rollup, which
    # imports this module.
    from survey.statistics import groups

    population, respondents, _width = groups.counts(
        session, wave, ["unit", "former_area", "sector"], strata, filters
    )
    return {tier: estimate_units(population, respondents, tier, wanted) for tier in tiers}


def shown(register: int, respondents: int, min_group: int, min_register: int) -> bool:
    """A model-based figure is shown only for a unit below the reporting threshold (a unit
    with enough respondents gets its direct estimate instead, never this) and with at least
    ``min_register`` firms in the register (a tiny unit's figure would point at its firms)."""
    return respondents < min_group and register >= min_register
