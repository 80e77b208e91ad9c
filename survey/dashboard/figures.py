"""Everything the dashboard shows, from the scoring module's rollup: one definition of each number.

This module only arranges what ``survey.statistics.rollup`` computed in SQL: it marks
groups too small to report, orders pillars weakest first, and adds the register's count
and the response rate, overall and for every group of every breakdown (a ward nobody
answered in is a group too: it is where the invitations have to go).
Which breakdowns a report shows is survey.reports.breakdowns' definition. The unscored
modules' figures (survey.statistics.modules) come under the same filters, by the same
breakdowns, with the same minimum group.

Every group carries the rollup's ``weighted`` figures (post-stratified inside the group:
the population estimate the page shows, with the firms it stands for) beside the
respondents' own ``tiers``; a suppressed group has neither. By unit, a unit below the
minimum group with enough firms in the register (survey.reports.privacy) carries the
rollup's ``model_based`` figures instead, to be shown only as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import AdminUnit, Population, ReferenceFigure, Sector, Wave
from survey.models.business import POPULATION
from survey.reports import breakdowns as reports
from survey.reports import privacy
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
    #: Per breakdown, each group's firms in the register (the wave's kinds, the filters).
    register_by: dict[str, dict] = field(default_factory=dict)
    #: The units given a model-based estimate (rollup.model_based), by key; none unless
    #: the unit breakdown is shown.
    model_based: dict = field(default_factory=dict)
    #: The register a unit needs for one (survey.reports.privacy.model_min_register).
    model_min_register: int | None = None

    @property
    def empty(self) -> str | None:
        """Why there is nothing to show: "register" (no firm of the register matches the
        filters), "responses" (firms, but no counted response), else None."""
        if not self.population["register_size"] and not self.overall["n"]:
            return "register"
        if not self.overall["n"]:
            return "responses"
        return None

    def register_of(self, dimension: str | None = None, key=None) -> int | None:
        """The register's firms of a breakdown's group, or (no dimension) of the whole."""
        if dimension is None:
            return self.population["register_size"]
        return self.register_by.get(dimension, {}).get(key)


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
            # The weighted figures are the group's too: gone with its shares.
            marked[-1]["weighted"] = None
    return marked


def _with_model(groups: list[dict], model: dict, min_register: int) -> list[dict]:
    """Each unit's model-based figures, for a suppressed unit the rollup gave them to:
    never for a unit with a direct figure (enough respondents), nor below the register
    a model-based figure needs (the rollup's own rule, checked again where it is shown)."""
    out = []
    for g in groups:
        unit = model.get(g["key"]) if g["suppressed"] else None
        if unit is not None and unit["register"] < min_register:
            unit = None
        out.append({**g, "model_based": unit})
    return out


def _names(session: Session, by: str) -> dict:
    """The names of a breakdown's groups, for a group the register has and no response."""
    if by == "sector":
        return {s.code: {"vi": s.name_vi, "en": s.name_en} for s in session.scalars(select(Sector))}
    if by == "unit":
        return {u.code: {"vi": u.name_vi, "en": u.name_vi} for u in session.scalars(select(AdminUnit))}
    return {}


def _with_register(
    session: Session, by: str, groups: list[dict], register: dict, tiers, framework
) -> list[dict]:
    """Each group with its register count and response rate; the register's groups with
    no response added (n 0), so a ward or sector nobody answered in is seen."""
    seen = {g["key"] for g in groups}
    missing = [key for key in register if key not in seen]
    names = _names(session, by) if missing else {}
    empty = [
        {
            "key": key,
            "label": names.get(key),
            "n": 0,
            "tiers": {t: {"count": 0, "share": None, "ci_low": None, "ci_high": None} for t in tiers},
            "levels": {str(lv.level): 0 for lv in framework.levels},
            "pillar_means": dict.fromkeys(p.code for p in framework.pillars),
        }
        for key in missing
    ]
    out = []
    for group in sorted([*groups, *empty], key=lambda g: str(g["key"])):
        firms = register.get(group["key"])
        out.append({**group, "register": firms, "response_rate": group["n"] / firms if firms else None})
    return out


def _register_by(session: Session, wave: Wave, by: str, filters: dict) -> dict:
    """The register's firms of each group of ``by``: the wave's kinds, under the filters."""
    rows = rollups.register_counts(session, [by], filters, wave.business_kinds)
    counts: dict = {}
    for value, n in rows:
        key = getattr(value, "value", value)
        counts[key] = counts.get(key, 0) + n
    return counts


def _reference(session: Session) -> list[dict]:
    """The outside figures with their own words in both languages (the rollup's list has
    only the tier's code, which is no label).

    A source is stored once, in English after its citation ("Báo Xây dựng, 13/06/2022,
    "…" — figures the city reported at …"): a Vietnamese page shows the citation alone,
    the article's own Vietnamese words, not the English gloss after the dash.
    """
    return [
        {
            "code": f.code,
            "year": f.year,
            "value": f.value,
            "tier": f.tier,
            "label": {"vi": f.label_vi, "en": f.label_en},
            "source": f.source,
            "citation": f.source.split(" — ", 1)[0],
        }
        for f in session.scalars(select(ReferenceFigure).order_by(ReferenceFigure.code))
    ]


def build(
    session: Session,
    wave: Wave,
    filters: dict,
    min_group: int,
    strata,
    breakdowns: tuple[str, ...] | None = None,
    with_trend: bool = True,
    report: reports.Report = reports.DASHBOARD,
    with_modules: bool = True,
    with_model: bool | None = None,
) -> Dashboard:
    """The figures of ``wave`` under ``filters``; ``report`` says which breakdowns (those
    with one possible group for the wave's kinds of business are left out), unless
    ``breakdowns`` names them. A chart's download needs neither the trend nor the
    modules (``with_trend``, ``with_modules``), nor the units' model-based figures, which
    no chart draws (``with_model``: by default, with the modules, i.e. for a page).

    With the unit breakdown, the units below ``min_group`` respondents with at least
    privacy.model_min_register() firms get the rollup's model-based figures (one call)."""
    result = rollups.rollup(session, wave, strata=strata, filters=filters)
    framework = framework_of(wave.framework_version)
    kinds = rollups.kinds_covered(wave, filters)
    if breakdowns is None:
        breakdowns = report.shown(filters, kinds)
    tiers = result["tiers"]
    register_by = {by: _register_by(session, wave, by, filters) for by in breakdowns}
    groups = {
        by: _mark_small(
            _with_register(
                session,
                by,
                rollups.breakdown(session, wave, by, filters, framework, strata),
                register_by[by],
                tiers,
                framework,
            ),
            min_group,
        )
        for by in breakdowns
    }
    model: dict = {}
    min_register = None
    # Nothing to model without a response or a unit in the register (and then there is no
    # table to show it in: the page says why it is empty).
    units = [key for key, firms in register_by.get("unit", {}).items() if key is not None and firms]
    if with_model is None:
        with_model = with_modules
    if with_model and "unit" in groups and result["overall"]["n"] and units:
        min_register = privacy.model_min_register()
        found = rollups.model_based(session, wave, strata, tiers, filters, min_group, min_register)
        model = {unit["key"]: unit for unit in found}
    if "unit" in groups:
        groups["unit"] = _with_model(groups["unit"], model, min_register or 0)
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
        reference=_reference(session),
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
        )
        if with_modules
        else [],
        register_by=register_by,
        model_based=model,
        model_min_register=min_register,
    )


def comparable_waves(session: Session, wave: Wave, filters: dict | None = None) -> list[Wave]:
    """The waves a trend beside ``wave`` may show: on the same framework version (a wave is
    scored by one version, and shares of two versions are not one statistic) and, under
    ``filters``, covering the same kinds of business (an enterprise wave and a household
    wave describe two parts of the city, not a change)."""
    same = session.scalars(select(Wave).where(Wave.framework_version_id == wave.framework_version_id))
    covered = rollups.kinds_covered(wave, filters)
    return [w for w in same if rollups.kinds_covered(w, filters) == covered]
