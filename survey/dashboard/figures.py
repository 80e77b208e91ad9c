"""Everything the dashboard shows, from the scoring module's rollup: one definition of each number.

This module only arranges what ``survey.statistics.rollup`` computed in SQL: it marks
groups too small to report, orders pillars weakest first, and adds the response rate.
Which breakdowns a report shows is survey.reports.breakdowns' definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Wave
from survey.reports import breakdowns as reports
from survey.responses.scoring import framework_of
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
    breakdowns: tuple[str, ...] = reports.DASHBOARD.breakdowns,
    with_trend: bool = True,
) -> Dashboard:
    result = rollups.rollup(session, wave, strata=strata, filters=filters)
    framework = framework_of(wave.framework_version)
    groups = {
        by: _mark_small(rollups.breakdown(session, wave, by, filters, framework), min_group)
        for by in breakdowns
    }
    means = result["overall"]["pillar_means"]
    pillars = sorted(means.items(), key=lambda item: (item[1] is None, item[1] or 0))
    population = result["population"]
    n = result["overall"]["n"]
    rate = n / population["register_size"] if population["register_size"] else None
    waves = session.scalars(select(Wave)).all() if with_trend else []
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
    )
