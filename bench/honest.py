"""Are the intervals honest? Synthetic registers, non-random respondents, many times over.

Each run draws a register of firms in units grouped into districts, each firm with a VSIC
section and a size class, and a true engagement that depends on its district, section,
size and a unit effect of its own. Respondents are drawn with a propensity rising with
size (micro firms answer least), the bias the weighting must remove. Then the group
estimates (survey.statistics.groups) by section and the model-based unit estimates
(survey.statistics.small_area) are computed from the counts exactly as for a wave, and
compared with the register's true shares.

The suite runs a small seeded number of runs (tests/statistics/test_honest_intervals.py);
``make bench`` runs more (bench/__main__.py).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from survey.statistics import groups, small_area

SECTIONS = ("C", "F", "G", "H", "I")
#: The size group each section belongs to (Decree 80): manufacturing and construction, or trade and services.
SECTION_GROUP = {
    "C": "industry",
    "F": "industry",
    "G": "trade_services",
    "H": "trade_services",
    "I": "trade_services",
}
SIZES = ("micro", "small", "medium", "large")
SIZE_WEIGHTS = (0.70, 0.20, 0.07, 0.03)
#: Response propensity by size: large firms answer about nine times as often as micro ones.
PROPENSITY = {"micro": 0.05, "small": 0.12, "medium": 0.25, "large": 0.45}
#: Engagement rises with size too, so that the unweighted share is biased upwards.
SIZE_EFFECT = {"micro": -1.0, "small": 0.0, "medium": 0.8, "large": 1.5}
STRATA = ("size_group", "size_class")
TIERS = ("engaged", "outside")


@dataclass
class Outcome:
    """Coverage counts and bias sums over every run."""

    group_intervals: int = 0
    group_covered: int = 0
    weighted_error: float = 0.0
    sample_error: float = 0.0
    area_intervals: int = 0
    area_covered: int = 0
    area_widths: list[float] = field(default_factory=list)
    #: (true share, AreaEstimate) of every model-based figure shown.
    area_records: list = field(default_factory=list)

    @property
    def group_coverage(self) -> float:
        return self.group_covered / self.group_intervals

    @property
    def area_coverage(self) -> float:
        return self.area_covered / self.area_intervals

    @property
    def weighted_bias(self) -> float:
        return self.weighted_error / self.group_intervals

    @property
    def sample_bias(self) -> float:
        return self.sample_error / self.group_intervals


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def one_run(rng: random.Random, outcome: Outcome, min_group: int = 5, min_register: int = 20) -> None:
    districts = {f"d{d}": rng.gauss(0, 0.5) for d in range(4)}
    sections = {s: rng.gauss(0, 0.4) for s in SECTIONS}
    population: dict = defaultdict(int)
    respondents: dict = defaultdict(lambda: defaultdict(int))
    truth_engaged: dict = defaultdict(int)
    truth_total: dict = defaultdict(int)
    units = {}
    for index in range(24):
        district = f"d{index % 4}"
        unit = f"u{index}"
        units[unit] = (district, rng.gauss(0, 0.35), rng.randint(30, 260))
    for unit, (district, unit_effect, firms) in units.items():
        for _ in range(firms):
            section = rng.choice(SECTIONS)
            size = rng.choices(SIZES, SIZE_WEIGHTS)[0]
            engaged = rng.random() < _logistic(
                -0.6 + districts[district] + sections[section] + SIZE_EFFECT[size] + unit_effect
            )
            cell = (unit, district, section, SECTION_GROUP[section], size)
            population[cell] += 1
            truth_total[("section", section)] += 1
            truth_total[("unit", unit)] += 1
            if engaged:
                truth_engaged[("section", section)] += 1
                truth_engaged[("unit", unit)] += 1
            if rng.random() < PROPENSITY[size]:
                respondents[cell]["engaged" if engaged else "outside"] += 1

    def project(keep: tuple[int, ...]):
        """The counts by the cell columns ``keep`` (then the strata), as the SQL would give."""
        pop: dict = defaultdict(int)
        resp: dict = defaultdict(lambda: defaultdict(int))
        for cell, n in population.items():
            pop[tuple(cell[i] for i in keep) + cell[3:]] += n
        for cell, tiers in respondents.items():
            for tier, n in tiers.items():
                resp[tuple(cell[i] for i in keep) + cell[3:]][tier] += n
        return groups.estimate(pop, resp, len(keep), TIERS)

    by_section = project((2,))
    for (section,), g in by_section.items():
        share = g.tiers["engaged"]
        if share.estimate is None:
            continue
        truth = truth_engaged[("section", section)] / truth_total[("section", section)]
        outcome.group_intervals += 1
        outcome.group_covered += share.ci_low <= truth <= share.ci_high
        outcome.weighted_error += share.estimate - truth
        outcome.sample_error += share.sample_share - truth

    cells = {(u, d, sec, g, size): n for (u, d, sec, g, size), n in population.items()}
    estimates = small_area.estimate_units(cells, respondents, "engaged")
    for unit, (area, figure, direct) in estimates.items():
        answered = direct.respondents if direct else 0
        if not small_area.shown(area.register, answered, min_group, min_register):
            continue
        truth = truth_engaged[("unit", unit)] / truth_total[("unit", unit)]
        outcome.area_intervals += 1
        outcome.area_covered += figure.ci_low <= truth <= figure.ci_high
        outcome.area_widths.append(figure.ci_high - figure.ci_low)
        outcome.area_records.append((truth, figure))


def simulate(runs: int, seed: int = 2026) -> Outcome:
    rng = random.Random(seed)
    outcome = Outcome()
    for _ in range(runs):
        one_run(rng, outcome)
    return outcome


#: What ``report`` calls honest: the coverage of nominal 95% intervals at least this.
COVERAGE_TARGET = 0.93


def report(runs: int = 400) -> bool:
    """The larger run for ``make bench``; True when both coverages reach COVERAGE_TARGET
    and the weighting removes most of the respondents' bias."""
    outcome = simulate(runs)
    print(f"honest intervals, {runs} synthetic registers:")
    print(f"  section estimates: {outcome.group_intervals} intervals, coverage {outcome.group_coverage:.3f}")
    print(
        f"    mean error weighted {outcome.weighted_bias:+.4f}, respondents' share {outcome.sample_bias:+.4f}"
    )
    widths = sorted(outcome.area_widths)
    median = widths[len(widths) // 2] if widths else float("nan")
    print(
        f"  model-based unit estimates: {outcome.area_intervals} intervals,"
        f" coverage {outcome.area_coverage:.3f}"
    )
    print(f"    median interval width {median:.3f}")
    met = (
        outcome.group_coverage >= COVERAGE_TARGET
        and outcome.area_coverage >= COVERAGE_TARGET
        and abs(outcome.weighted_bias) < abs(outcome.sample_bias) / 4
    )
    verdict = "met" if met else "MISSED"
    print(f"  target: coverage >= {COVERAGE_TARGET} for both, bias cut by 4x or more: {verdict}")
    return met
