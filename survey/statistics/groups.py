"""Population estimates for every group a report breaks the city down by.

The headline is post-stratified to the register (survey.statistics.rollup
``population_estimate``); a breakdown's group is too, **inside the group**: its own
register firms and its own respondents, over the remaining post-stratification cells (the
strata without the breakdown's own dimension). Where large firms answer more often than
micro shops inside a sector, the sector's respondents' share is biased the same way the
headline would be without weights; this removes that bias as the headline's weighting
does.

For each group and tier: the estimate with Wilson's interval at Kish's effective n (the
same routine as the headline, survey.scoring.stats.post_stratified), the coverage of the
group's register (the share of its firms in cells with respondents), the estimated number
of firms (the share times the group's register count, the interval scaled alike) and the
respondents' own share beside it.

``estimate`` is pure (counts in, figures out) so that the simulation test can call it on
synthetic registers thousands of times; ``for_wave`` reads the counts in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from survey.models import Wave
from survey.scoring import stats


@dataclass(frozen=True)
class TierEstimate:
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    #: share × the group's register count, and the interval scaled alike.
    firms: float | None
    firms_low: float | None
    firms_high: float | None
    #: The respondents' own share, unweighted.
    sample_share: float | None


@dataclass(frozen=True)
class GroupEstimate:
    key: tuple
    register: int
    respondents: int
    effective_n: float
    coverage: float
    tiers: dict[str, TierEstimate] = field(default_factory=dict)


def _known(values: Sequence) -> bool:
    return all(v is not None for v in values)


def estimate(
    population: Mapping[tuple, int],
    respondents: Mapping[tuple, Mapping[str, int]],
    width: int,
    tiers: Sequence[str],
) -> dict[tuple, GroupEstimate]:
    """Per group (the first ``width`` values of each cell key), each tier's estimate.

    ``population`` maps a cell (group values, then stratum values) to its register firms;
    ``respondents`` maps a cell to its counted respondents per tier. Cells with an unknown
    stratum value cannot be weighted and are left out of both sides, as the headline does.
    """
    cells: dict[tuple, set] = defaultdict(set)
    for key in (*population, *respondents):
        if _known(key[:width]) and _known(key[width:]):
            cells[key[:width]].add(key)
    result = {}
    for group, keys in cells.items():
        ordered = sorted(keys, key=lambda k: tuple(map(str, k)))
        register = sum(population.get(k, 0) for k in ordered)
        answered = {k: sum(respondents.get(k, {}).values()) for k in ordered}
        n = sum(answered.values())
        figures: dict[str, TierEstimate] = {}
        effective_n = coverage = 0.0
        for tier in tiers:
            weighted = stats.post_stratified(
                stats.Stratum(
                    key=k,
                    population=population.get(k, 0),
                    respondents=answered[k],
                    successes=respondents.get(k, {}).get(tier, 0),
                )
                for k in ordered
            )
            effective_n, coverage = weighted.effective_n, weighted.coverage
            interval = weighted.interval
            successes = sum(respondents.get(k, {}).get(tier, 0) for k in ordered)
            if interval is None:
                figures[tier] = TierEstimate(None, None, None, None, None, None, successes / n if n else None)
                continue
            figures[tier] = TierEstimate(
                interval.estimate,
                interval.low,
                interval.high,
                interval.estimate * register,
                interval.low * register,
                interval.high * register,
                successes / n if n else None,
            )
        result[group] = GroupEstimate(group, register, n, effective_n, coverage, figures)
    return result


def counts(
    session: Session, wave: Wave, by: Sequence[str], strata: Sequence[str], filters: dict | None = None
) -> tuple[dict[tuple, int], dict[tuple, dict[str, int]], int]:
    """The register and respondent counts of the cells (``by`` then the remaining strata),
    in two GROUP BY queries; returns them and the width of the group key."""
    from survey.statistics import rollup

    rest = [s for s in strata if s not in by]
    names = [*by, *rest]
    population = {
        tuple(rollup._plain(v) for v in row[:-1]): row[-1]
        for row in rollup.register_counts(session, names, filters, wave.business_kinds)
    }
    respondents: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rollup.respondent_counts(session, wave, names, filters):
        respondents[tuple(rollup._plain(v) for v in row[: len(names)])][row[len(names)]] += row[-1]
    return population, respondents, len(by)


def for_wave(
    session: Session,
    wave: Wave,
    by: Sequence[str],
    strata: Sequence[str],
    tiers: Sequence[str],
    filters: dict | None = None,
) -> dict[tuple, GroupEstimate]:
    population, respondents, width = counts(session, wave, by, strata, filters)
    return estimate(population, respondents, width, tiers)


def change(earlier: TierEstimate | None, later: TierEstimate | None) -> stats.Interval | None:
    """The change in a group's weighted share between two waves, with Newcombe's interval."""
    if earlier is None or later is None or earlier.estimate is None or later.estimate is None:
        return None
    return stats.difference(
        stats.Interval(later.estimate, later.ci_low, later.ci_high),
        stats.Interval(earlier.estimate, earlier.ci_low, earlier.ci_high),
    )
