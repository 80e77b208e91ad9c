"""Rolling a wave's scorecards up into the city's figures, in SQL.

Every figure is a GROUP BY over the stored scorecard columns; Python only turns the
few grouped rows into shares and intervals (survey.scoring.stats). Nothing here loads
response objects, so time and memory do not grow with rows fetched per response. Which
responses count is survey.reports.counted's rule, the same in every query here.
"""

from __future__ import annotations

from collections import defaultdict
from enum import Enum

from sqlalchemy import Float, cast, func, select, true
from sqlalchemy.orm import Session

from survey.frameworks import framework_of
from survey.models import (
    AdminUnit,
    BusinessKind,
    Enterprise,
    ReferenceFigure,
    Response,
    ResponsePillarScore,
    Sector,
    Wave,
)
from survey.models.business import POPULATION
from survey.reports.counted import counted_in
from survey.scoring import stats
from survey.statistics import dimensions, groups

#: Post-stratification cells: the kind of business first (a household business is not
#: weighted up to stand for an enterprise), then Decree 80's sector group and size class.
DEFAULT_STRATA = ("business_kind", "size_group", "size_class")


def _plain(value):
    return value.value if isinstance(value, Enum) else value


def tier_level_counts(
    session: Session, wave: Wave, by: list[str], filters: dict | None = None
) -> list[tuple]:
    """Rows of (*dimension values, tier, overall level, count)."""
    query, cols = dimensions.columns(select(Response.id).select_from(Response), by, Response, filters)
    query = (
        query.with_only_columns(*cols, Response.tier, Response.overall_level, func.count())
        .where(counted_in(wave.id))
        .group_by(*cols, Response.tier, Response.overall_level)
    )
    return session.execute(query).all()


def pillar_means(session: Session, wave: Wave, by: list[str], filters: dict | None = None) -> list[tuple]:
    """Rows of (*dimension values, pillar code, mean percent of the pillar maximum)."""
    # Both sides cast to FLOAT: dividing by a bare integer column makes SQLAlchemy cast it to
    # NUMERIC, and PostgreSQL's numeric arithmetic is markedly slower than float's.
    percent = cast(ResponsePillarScore.points, Float) * 100.0 / cast(ResponsePillarScore.max_points, Float)
    query, cols = dimensions.columns(
        select(Response.id).select_from(Response).join(ResponsePillarScore), by, Response, filters
    )
    query = (
        query.with_only_columns(*cols, ResponsePillarScore.pillar_code, func.avg(percent))
        .where(counted_in(wave.id))
        .group_by(*cols, ResponsePillarScore.pillar_code)
    )
    return session.execute(query).all()


def kinds_covered(wave: Wave, filters: dict | None = None) -> list[BusinessKind]:
    """The kinds of business the wave's figures describe under ``filters``, in fixed order.

    A wave is for some kinds (``Wave.kinds``); the population and kind-of-business filters
    narrow them further. The register part a figure is for is the register's firms of
    these kinds, never the whole register.
    """
    filters = filters or {}
    kinds = wave.business_kinds
    if filters.get("business_kind"):
        kinds = [k for k in kinds if k.value == filters["business_kind"]]
    if filters.get("population"):
        kinds = [k for k in kinds if POPULATION[k].value == filters["population"]]
    return kinds


def register_counts(
    session: Session,
    strata: list[str],
    filters: dict | None = None,
    kinds: list[BusinessKind] | tuple[BusinessKind, ...] | None = None,
) -> list[tuple]:
    """Rows of (*stratum values, register firms); ``kinds`` (if given) limits the register
    to those kinds of business: the part of the city a wave is for."""
    query, cols = dimensions.columns(
        select(Enterprise.id).select_from(Enterprise), strata, Enterprise, filters
    )
    if kinds is not None:
        query = query.where(Enterprise.kind.in_([BusinessKind(k) for k in kinds]))
    return session.execute(query.with_only_columns(*cols, func.count()).group_by(*cols)).all()


def respondent_counts(
    session: Session, wave: Wave, strata: list[str], filters: dict | None = None
) -> list[tuple]:
    query, cols = dimensions.columns(select(Response.id).select_from(Response), strata, Response, filters)
    query = (
        query.with_only_columns(*cols, Response.tier, func.count())
        .where(counted_in(wave.id))
        .group_by(*cols, Response.tier)
    )
    return session.execute(query).all()


def _group(key, n, tier_counts, level_counts, means, tiers, levels) -> dict:
    return {
        "key": key,
        "n": n,
        "tiers": stats.shares(tier_counts, tiers),
        "levels": {str(level): level_counts.get(level, 0) for level in levels},
        "pillar_means": means,
    }


def _groups(tier_rows, mean_rows, width: int, tiers, levels, pillars) -> dict:
    """Fold grouped rows into one dict per dimension-value key (a tuple of ``width``)."""
    tier_counts: dict = defaultdict(lambda: defaultdict(int))
    level_counts: dict = defaultdict(lambda: defaultdict(int))
    for row in tier_rows:
        key = tuple(_plain(v) for v in row[:width])
        tier, level, count = row[width:]
        tier_counts[key][tier] += count
        level_counts[key][level] += count
    means: dict = defaultdict(dict)
    for row in mean_rows:
        key = tuple(_plain(v) for v in row[:width])
        means[key][row[width]] = round(float(row[width + 1]), 2)
    return {
        key: _group(
            key,
            sum(counts.values()),
            counts,
            level_counts[key],
            {p: means[key].get(p) for p in pillars},
            tiers,
            levels,
        )
        for key, counts in tier_counts.items()
    }


def population_estimate(
    session: Session, wave: Wave, strata: list[str], tiers: list[str], filters: dict | None = None
) -> dict:
    """Post-stratified shares of each tier for the register population (see README).

    With ``filters``, the register and the respondents are restricted alike, so the
    estimate describes the filtered part of the city. The register is always restricted
    to the kinds of business the wave is for (``Wave.kinds``): a wave for enterprises does
    not count the household businesses of the register as uncovered.
    """
    kinds = wave.business_kinds
    population = {
        tuple(_plain(v) for v in row[:-1]): row[-1]
        for row in register_counts(session, strata, filters, kinds)
    }
    respondents: dict = defaultdict(lambda: defaultdict(int))
    for row in respondent_counts(session, wave, strata, filters):
        key = tuple(_plain(v) for v in row[: len(strata)])
        respondents[key][row[len(strata)]] += row[-1]

    def known(key) -> bool:
        return all(v is not None for v in key)

    cells = sorted({k for k in (*population, *respondents) if known(k)}, key=lambda k: tuple(map(str, k)))
    unstratified_respondents = sum(sum(c.values()) for k, c in respondents.items() if not known(k))
    unstratified_register = sum(n for k, n in population.items() if not known(k))
    tier_estimates = {}
    effective_n = coverage = 0.0
    uncovered: tuple = ()
    for tier in tiers:
        result = stats.post_stratified(
            stats.Stratum(
                key=key,
                population=population.get(key, 0),
                respondents=sum(respondents[key].values()),
                successes=respondents[key].get(tier, 0),
            )
            for key in cells
        )
        interval = result.interval
        tier_estimates[tier] = {
            "estimate": interval.estimate if interval else None,
            "ci_low": interval.low if interval else None,
            "ci_high": interval.high if interval else None,
        }
        effective_n, coverage, uncovered = result.effective_n, result.coverage, result.uncovered
    return {
        "strata_by": list(strata),
        "business_kinds": [k.value for k in kinds_covered(wave, filters)],
        "tiers": tier_estimates,
        "effective_n": round(effective_n, 2),
        "coverage": coverage,
        "register_size": sum(population.values()),
        "register_unstratified": unstratified_register,
        "respondents_unstratified": unstratified_respondents,
        "strata": [
            {
                "key": dict(zip(strata, key, strict=True)),
                "population": population.get(key, 0),
                "respondents": sum(respondents[key].values()),
                "response_rate": (
                    sum(respondents[key].values()) / population[key] if population.get(key) else None
                ),
            }
            for key in cells
        ],
        # Respondents in a cell the register does not have cannot be weighted either.
        "uncovered": [dict(zip(strata, key, strict=True)) for key in uncovered],
    }


def _labels(session: Session, by: str) -> dict:
    if by == "sector":
        return {s.code: {"vi": s.name_vi, "en": s.name_en} for s in session.scalars(select(Sector))}
    if by == "unit":
        return {u.code: {"vi": u.name_vi, "en": u.name_vi} for u in session.scalars(select(AdminUnit))}
    return {}


def rollup(
    session: Session,
    wave: Wave,
    by: str | None = None,
    strata: list[str] | tuple[str, ...] = DEFAULT_STRATA,
    filters: dict[str, str] | None = None,
    model_rule: tuple[int, int] | None = None,
) -> dict:
    """The wave's figures: overall, optionally by one dimension, and the population estimate.

    ``filters`` (dimension → value) restrict every figure alike; see statistics.dimensions.
    By unit, with ``model_rule`` (the minimum group and the minimum register,
    survey.reports.privacy), the units below the minimum group get their model-based
    estimates (``model_based``) where ``small_area.shown`` allows.
    """
    filters = dict(filters or {})
    framework = framework_of(wave.framework_version)
    tiers = [t.code for t in framework.tiers]
    levels = [lv.level for lv in framework.levels]
    pillars = [p.code for p in framework.pillars]
    strata = list(strata)
    dimensions.check([*strata, *([by] if by else []), *filters])

    overall = _groups(
        tier_level_counts(session, wave, [], filters),
        pillar_means(session, wave, [], filters),
        0,
        tiers,
        levels,
        pillars,
    ).get(()) or _group((), 0, {}, {}, dict.fromkeys(pillars), tiers, levels)
    overall.pop("key")
    result = {
        "wave": _wave_info(wave),
        "framework": {
            "code": framework.code,
            "version": framework.version,
            "title": {"vi": framework.title.vi, "en": framework.title.en},
        },
        "tiers": tiers,
        "levels": levels,
        "pillars": pillars,
        "overall": overall,
        "filters": filters,
        "population": population_estimate(session, wave, strata, tiers, filters),
        "reference": [
            {"code": f.code, "year": f.year, "value": f.value, "tier": f.tier, "source": f.source}
            for f in session.scalars(select(ReferenceFigure).order_by(ReferenceFigure.code))
        ],
    }
    if by:
        result["by"] = by
        result["groups"] = breakdown(session, wave, by, filters, framework, strata)
        if by == "unit" and model_rule is not None:
            result["model_based"] = model_based(session, wave, strata, tiers, filters, *model_rule)
    return result


def breakdown(
    session: Session,
    wave: Wave,
    by: str,
    filters: dict | None = None,
    framework=None,
    strata: list[str] | tuple[str, ...] = DEFAULT_STRATA,
) -> list[dict]:
    """The groups of one dimension: n, the respondents' tier shares with intervals
    (``tiers``), the population estimate inside the group (``weighted``: see
    ``group_estimates``), levels and pillar means."""
    dimensions.check([by, *(filters or {})])
    framework = framework or framework_of(wave.framework_version)
    tiers = [t.code for t in framework.tiers]
    levels = [lv.level for lv in framework.levels]
    pillars = [p.code for p in framework.pillars]
    labels = _labels(session, by)
    found = _groups(
        tier_level_counts(session, wave, [by], filters),
        pillar_means(session, wave, [by], filters),
        1,
        tiers,
        levels,
        pillars,
    )
    weighted = group_estimates(session, wave, by, strata, tiers, filters)
    return [
        {**group, "key": key[0], "label": labels.get(key[0]), "weighted": weighted.get(key[0])}
        for key, group in sorted(found.items(), key=lambda item: str(item[0][0]))
    ]


def _figures(figure) -> dict:
    return {
        "estimate": figure.estimate,
        "ci_low": figure.ci_low,
        "ci_high": figure.ci_high,
        "firms": figure.firms,
        "firms_low": figure.firms_low,
        "firms_high": figure.firms_high,
    }


def group_estimates(
    session: Session, wave: Wave, by: str, strata, tiers: list[str], filters: dict | None = None
) -> dict:
    """Each group of ``by`` (its value -> figures) post-stratified inside the group on the
    remaining strata (survey.statistics.groups): for each tier the estimate, its Wilson
    interval at Kish's effective n and the firms it stands for (share x the group's
    register), with the group's register, respondents, effective n and coverage."""
    found = groups.for_wave(session, wave, [by], list(strata), tiers, filters)
    return {
        key[0]: {
            "register": g.register,
            "respondents": g.respondents,
            "effective_n": round(g.effective_n, 2),
            "coverage": g.coverage,
            "tiers": {t: _figures(g.tiers[t]) for t in tiers},
        }
        for key, g in found.items()
    }


def model_based(
    session: Session,
    wave: Wave,
    strata,
    tiers: list[str],
    filters: dict | None,
    min_group: int,
    min_register: int,
) -> list[dict]:
    """The units below ``min_group`` respondents with at least ``min_register`` firms, each
    with its model-based estimate of every tier's share (survey.statistics.small_area) and
    the firms it stands for. Never a unit with enough respondents for a direct figure."""
    # Imported here: SciPy and NumPy cost tens of megabytes, which the processes that never
    # show a model-based figure (an export's worker, most requests) need not pay.
    from survey.statistics import small_area

    by_tier = small_area.for_wave(
        session,
        wave,
        tiers,
        list(strata),
        filters,
        wanted=lambda area: small_area.shown(area.register, area.n, min_group, min_register),
    )
    units = by_tier[tiers[0]] if tiers else {}
    labels = _labels(session, "unit")
    shown = []
    for unit in sorted(units, key=str):
        area, _figure, _direct = units[unit]
        if not small_area.shown(area.register, area.n, min_group, min_register):
            continue
        figures = {}
        for tier in tiers:
            f = by_tier[tier][unit][1]
            figures[tier] = {
                "estimate": f.estimate,
                "ci_low": f.ci_low,
                "ci_high": f.ci_high,
                "firms": f.estimate * area.register,
                "firms_low": f.ci_low * area.register,
                "firms_high": f.ci_high * area.register,
            }
        shown.append(
            {
                "key": unit,
                "label": labels.get(unit),
                "register": area.register,
                "respondents": area.n,
                "method": "model-based",
                "tiers": figures,
            }
        )
    return shown


def _weighted_tiers(session: Session, wave: Wave, strata) -> dict:
    tiers = [t.code for t in framework_of(wave.framework_version).tiers]
    return population_estimate(session, wave, list(strata), tiers)["tiers"]


def _wave_info(wave: Wave) -> dict:
    return {"id": wave.id, "name": wave.name, "year": wave.year}


def compare(
    session: Session, earlier: Wave, later: Wave, strata=DEFAULT_STRATA, by: str | None = None
) -> dict:
    """Change in each tier's weighted share between two waves, with Newcombe's interval.

    Only the population estimates are needed, so only their queries run. With ``by``, the
    change of each group of that dimension too (``groups``: each group's weighted share in
    both waves, post-stratified inside the group, and the change between them); a group
    missing from either wave has none.
    """
    a = _weighted_tiers(session, earlier, strata)
    b = _weighted_tiers(session, later, strata)
    changes = {}
    for tier in [t for t in b if t in a]:
        ea, eb = a[tier], b[tier]
        if ea["estimate"] is None or eb["estimate"] is None:
            changes[tier] = None
            continue
        d = stats.difference(
            stats.Interval(eb["estimate"], eb["ci_low"], eb["ci_high"]),
            stats.Interval(ea["estimate"], ea["ci_low"], ea["ci_high"]),
        )
        changes[tier] = {"difference": d.estimate, "ci_low": d.low, "ci_high": d.high}
    result = {"earlier": _wave_info(earlier), "later": _wave_info(later), "tiers": changes}
    if by:
        result["by"] = by
        result["groups"] = _group_changes(session, earlier, later, strata, by)
    return result


def _group_changes(session: Session, earlier: Wave, later: Wave, strata, by: str) -> list[dict]:
    tiers = [t.code for t in framework_of(later.framework_version).tiers]
    before = groups.for_wave(session, earlier, [by], list(strata), tiers)
    after = groups.for_wave(session, later, [by], list(strata), tiers)
    found = []
    for key in sorted(set(before) | set(after), key=lambda k: str(k[0])):
        changes = {}
        for tier in tiers:
            a = before[key].tiers.get(tier) if key in before else None
            b = after[key].tiers.get(tier) if key in after else None
            d = groups.change(a, b)
            changes[tier] = (
                None if d is None else {"difference": d.estimate, "ci_low": d.low, "ci_high": d.high}
            )
        found.append(
            {
                "key": key[0],
                "respondents": [
                    before[key].respondents if key in before else 0,
                    after[key].respondents if key in after else 0,
                ],
                "tiers": changes,
            }
        )
    return found


def technology_counts(session: Session, wave: Wave, filters: dict | None = None) -> dict[str, int]:
    """How many counted responses use each Industry 4.0 technology, counted in SQL.

    The checklist is a JSON array per response; each database has its own function to
    unnest one (SQLite ``json_each``, PostgreSQL ``json_array_elements_text``).
    """
    unnest = "json_array_elements_text" if session.get_bind().dialect.name == "postgresql" else "json_each"
    element = getattr(func, unnest)(Response.technologies).table_valued("value").alias("tech")
    query, _ = dimensions.columns(select(Response.id).select_from(Response), [], Response, filters)
    query = (
        query.join(element, true())
        .with_only_columns(element.c.value, func.count())
        .where(counted_in(wave.id))
        .group_by(element.c.value)
    )
    return {str(code): n for code, n in session.execute(query).all()}


def trend(
    session: Session, waves: list[Wave], filters: dict | None = None, strata=DEFAULT_STRATA
) -> list[dict]:
    """The weighted share of each tier in each wave, oldest first."""
    points = []
    for wave in sorted(waves, key=lambda w: w.opens_at):
        tiers = [t.code for t in framework_of(wave.framework_version).tiers]
        estimate = population_estimate(session, wave, list(strata), tiers, filters)
        points.append({"wave": _wave_info(wave), "tiers": estimate["tiers"]})
    return points
