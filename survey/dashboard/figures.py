"""Everything the dashboard shows, from the scoring module's rollup: one definition of each number.

This module only arranges what ``survey.statistics.rollup`` computed in SQL: it marks
groups too small to report, orders pillars weakest first, and adds the response rate.
Which breakdowns a report shows is survey.reports.breakdowns' definition. The unscored
modules' figures (survey.statistics.modules) come under the same filters, by the same
breakdowns, with the same minimum group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Population, Wave
from survey.models.business import POPULATION
from survey.reports import breakdowns as reports
from survey.responses.scoring import framework_of
from survey.statistics import modules as module_stats
from survey.statistics import rollup as rollups


@dataclass
class Dashboard:
    wave: Wave
    filters: dict
    overall: dict
    population: dict
    reference: list
    breakdowns: dict[str, list[dict]]
    #: (pillar code, mean percent), weakest first.
    pillars: list[tuple[str, float | None]]
    levels: dict[str, int]
    technologies: dict[str, int]
    trend: list[dict]
    min_group: int
    response_rate: float | None
    tiers: list[str] = field(default_factory=list)
    #: The kinds of business the figures describe (the wave's, narrowed by the filters).
    kinds: list[str] = field(default_factory=list)
    #: Their populations (enterprises, households), in fixed order.
    populations: list[str] = field(default_factory=list)
    #: The figures of each module the wave carries, in journey order (none: no section).
    modules: list[module_stats.ModuleFigures] = field(default_factory=list)


def _mark_small(groups: list[dict], min_group: int) -> list[dict]:
    """Groups below the minimum keep their n but lose every share: a share of 2 firms is
    not a statistic, and showing it could expose the firms."""
    marked = []
    for group in groups:
        small = group["n"] < min_group
        marked.append({**group, "suppressed": small})
        if small:
            marked[-1]["tiers"] = {
                t: {"count": None, "share": None, "ci_low": None, "ci_high": None} for t in group["tiers"]
            }
            marked[-1]["pillar_means"] = dict.fromkeys(group["pillar_means"])
    return marked


def build(
    session: Session,
    wave: Wave,
    filters: dict,
    min_group: int,
    strata,
    breakdowns: tuple[str, ...] | None = None,
    with_trend: bool = True,
    report: reports.Report = reports.DASHBOARD,
) -> Dashboard:
    """The figures of ``wave`` under ``filters``; ``report`` says which breakdowns (those
    with one possible group for the wave's kinds of business are left out), unless
    ``breakdowns`` names them."""
    result = rollups.rollup(session, wave, strata=strata, filters=filters)
    framework = framework_of(wave.framework_version)
    kinds = rollups.kinds_covered(wave, filters)
    if breakdowns is None:
        breakdowns = report.shown(filters, kinds)
    groups = {
        by: _mark_small(rollups.breakdown(session, wave, by, filters, framework), min_group)
        for by in breakdowns
    }
    means = result["overall"]["pillar_means"]
    pillars = sorted(means.items(), key=lambda item: (item[1] is None, item[1] or 0))
    population = result["population"]
    n = result["overall"]["n"]
    rate = n / population["register_size"] if population["register_size"] else None
    waves = comparable_waves(session, wave, filters) if with_trend else []
    return Dashboard(
        wave=wave,
        filters=filters,
        overall=result["overall"],
        population=population,
        reference=result["reference"],
        breakdowns=groups,
        pillars=pillars,
        levels=result["overall"]["levels"],
        technologies=rollups.technology_counts(session, wave, filters),
        trend=rollups.trend(session, waves, filters, strata) if len(waves) > 1 else [],
        min_group=min_group,
        response_rate=rate,
        tiers=result["tiers"],
        kinds=[k.value for k in kinds],
        populations=[p.value for p in Population if any(POPULATION[k] is p for k in kinds)],
        modules=module_stats.for_wave(
            session, wave, filters=filters, strata=strata, breakdowns=breakdowns, min_group=min_group
        ),
    )


def comparable_waves(session: Session, wave: Wave, filters: dict | None = None) -> list[Wave]:
    """The waves a trend beside ``wave`` may show: on the same framework version (a wave is
    scored by one version, and shares of two versions are not one statistic) and, under
    ``filters``, covering the same kinds of business (an enterprise wave and a household
    wave describe two parts of the city, not a change)."""
    same = session.scalars(select(Wave).where(Wave.framework_version_id == wave.framework_version_id))
    covered = rollups.kinds_covered(wave, filters)
    return [w for w in same if rollups.kinds_covered(w, filters) == covered]
