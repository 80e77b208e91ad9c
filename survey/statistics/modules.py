"""The unscored modules' figures: each rating's mean and share rated high, each option's share.

For one wave and one module version it carries: every rating question's n, mean and
share at or above the module's ``high_from`` (4: "4-5"), and every checklist option's
n and share ticked. Only counted responses (survey.reports.counted) pinned to that
version (``ResponseModule``) count: a response answers the version it was pinned to,
and a row of another version or without a pin is no answer to this one.

As the headline's (survey.statistics.rollup), every figure is a GROUP BY in SQL over
``module_answers`` (one row per rating, one per ticked option), grouped by the
post-stratification cells and, for a breakdown, its dimension; Python only folds the few
grouped rows. Each figure comes twice: as the respondents' plain figure, and weighted to
the register population like the headline, over the same strata and the same register
part (rollup.register_counts over the wave's kinds of business, under the filters): a
share with survey.scoring.stats.post_stratified (Wilson at Kish's effective n), a mean
with stats.post_stratified_mean (Cochran's stratified estimator). A breakdown's group is
weighted within itself: its own register cells and its own respondents.

A checklist's n is the responses pinned to the module: an option not ticked is "no",
and a response that ticked none stores no row. Free text is never a figure here.
Groups below the minimum group size keep their n and lose every figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from survey.models import ModuleAnswer, Response, ResponseModule, Wave
from survey.modules import Module, module_of
from survey.modules import carried as carried_modules
from survey.reports.counted import counted_in
from survey.scoring import stats
from survey.statistics import dimensions
from survey.statistics import rollup as rollups


@dataclass(frozen=True)
class Estimate:
    """A weighted figure for the register population with its 95% interval."""

    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


NONE = Estimate()


@dataclass(frozen=True)
class Rating:
    question: str
    section: str
    #: Respondents who rated it.
    n: int
    #: The respondents' plain mean and share rated ``high_from`` or more.
    mean: float | None
    high: int | None
    high_share: float | None
    weighted_mean: Estimate = NONE
    weighted_high: Estimate = NONE
    suppressed: bool = False


@dataclass(frozen=True)
class Option:
    question: str
    option: str
    section: str
    #: Responses pinned to the module (a checklist's denominator).
    n: int
    count: int | None
    share: float | None
    weighted: Estimate = NONE
    suppressed: bool = False


@dataclass(frozen=True)
class Group:
    #: The breakdown's value (None: not stated); () for the whole (filtered) wave.
    key: object
    label: dict | None
    #: Counted responses pinned to the module in the group.
    n: int
    suppressed: bool
    ratings: tuple[Rating, ...]
    options: tuple[Option, ...]
    #: Share of the group's register part in strata with respondents to the module.
    coverage: float

    def rating(self, code: str) -> Rating | None:
        return next((r for r in self.ratings if r.question == code), None)

    def option(self, question: str, code: str) -> Option | None:
        return next((o for o in self.options if (o.question, o.option) == (question, code)), None)


@dataclass(frozen=True)
class ModuleFigures:
    code: str
    version: int
    #: The definition the figures are of (its texts in both languages); no database object.
    module: Module
    high_from: int
    #: The top of its rating scales (5): ratings run from 1 to it.
    highest: int
    strata_by: tuple[str, ...]
    overall: Group
    breakdowns: dict[str, list[Group]] = field(default_factory=dict)

    def ratings_ranked(self, group: Group, section: str) -> list[Rating]:
        """A section's ratings, the most often rated high (weighted) first; none last."""
        rows = [r for r in group.ratings if r.section == section]
        return sorted(rows, key=lambda r: _rank(_first(r.weighted_high.estimate, r.high_share)))

    def options_ranked(self, group: Group, question: str) -> list[Option]:
        rows = [o for o in group.options if o.question == question]
        return sorted(rows, key=lambda o: _rank(_first(o.weighted.estimate, o.share)))


def _first(*values):
    """The weighted figure, else (no register cell to weight by) the respondents' own."""
    return next((v for v in values if v is not None), None)


def _rank(value: float | None) -> tuple:
    return (value is None, -(value or 0.0))


def _names(by: str | None, strata: list[str]) -> list[str]:
    """The GROUP BY dimensions: the breakdown (if any), then the strata, each once."""
    return [*([by] if by else []), *(s for s in strata if s != by)]


def answer_rows(
    session: Session, wave: Wave, version_id: int, names: list[str], filters: dict, high_from: int
) -> list[tuple]:
    """Rows of (*dimension values, question, option, raters, sum, sum of squares, rated high,
    rows). A rating's row has option ""; a ticked option's has its code and rows = ticks."""
    number = cast(ModuleAnswer.number, Integer)
    pinned = and_(
        ResponseModule.response_id == ModuleAnswer.response_id,
        ResponseModule.module_version_id == ModuleAnswer.module_version_id,
    )
    base = (
        select(ModuleAnswer.response_id)
        .select_from(ModuleAnswer)
        .join(Response, Response.id == ModuleAnswer.response_id)
        .join(ResponseModule, pinned)
    )
    query, cols = dimensions.columns(base, names, Response, filters)
    query = (
        query.with_only_columns(
            *cols,
            ModuleAnswer.question,
            ModuleAnswer.option,
            func.count(ModuleAnswer.number),
            func.sum(number),
            func.sum(number * number),
            func.sum(case((ModuleAnswer.number >= high_from, 1), else_=0)),
            func.count(),
        )
        .where(
            counted_in(wave.id),
            ModuleAnswer.module_version_id == version_id,
            # Ratings and ticked options; text answers are no figure.
            or_(ModuleAnswer.number.is_not(None), ModuleAnswer.option != ""),
        )
        .group_by(*cols, ModuleAnswer.question, ModuleAnswer.option)
    )
    return session.execute(query).all()


def pinned_counts(
    session: Session, wave: Wave, version_id: int, names: list[str], filters: dict
) -> list[tuple]:
    """Rows of (*dimension values, counted responses pinned to the module version)."""
    base = (
        select(Response.id)
        .select_from(ResponseModule)
        .join(Response, Response.id == ResponseModule.response_id)
    )
    query, cols = dimensions.columns(base, names, Response, filters)
    query = (
        query.with_only_columns(*cols, func.count())
        .where(counted_in(wave.id), ResponseModule.module_version_id == version_id)
        .group_by(*cols)
    )
    return session.execute(query).all()


@dataclass
class _Cells:
    """One group's grouped rows, by stratum (a tuple of the strata's values)."""

    register: dict = field(default_factory=dict)
    pinned: dict = field(default_factory=lambda: defaultdict(int))
    #: (question, option) → stratum → [raters, sum, squares, high, rows]
    answers: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0, 0])))


def _known(key: tuple) -> bool:
    return all(v is not None for v in key)


def _fold(names, by, strata, register_rows, pinned_rows, answer_rows_) -> dict:
    """{group key: _Cells}; the group key is the breakdown's value, or () overall."""
    width = len(names)
    position = {name: i for i, name in enumerate(names)}

    def split(values) -> tuple:
        plain = [rollups._plain(v) for v in values]
        group = plain[position[by]] if by else ()
        return group, tuple(plain[position[s]] for s in strata)

    groups: dict = defaultdict(_Cells)
    for row in register_rows:
        group, stratum = split(row[:width])
        groups[group].register[stratum] = groups[group].register.get(stratum, 0) + row[width]
    for row in pinned_rows:
        group, stratum = split(row[:width])
        groups[group].pinned[stratum] += row[width]
    for row in answer_rows_:
        group, stratum = split(row[:width])
        question, option, *numbers = row[width:]
        cell = groups[group].answers[(question, option)][stratum]
        for i, value in enumerate(numbers):
            cell[i] += int(value or 0)
    return groups


def _estimate(interval) -> Estimate:
    return Estimate(interval.estimate, interval.low, interval.high) if interval else NONE


def _rating(
    question, section: str, cells: _Cells, strata: list, scale: tuple[int, int], hidden: bool
) -> Rating:
    """One rating's figures; ``scale`` (1, its top) bounds the mean's interval."""
    by_stratum = cells.answers.get((question.code, ""), {})
    raters = sum(c[0] for c in by_stratum.values())
    if hidden or not raters:
        return Rating(question.code, section, raters, None, None, None, suppressed=hidden)
    total = sum(c[1] for c in by_stratum.values())
    high = sum(c[3] for c in by_stratum.values())
    empty = [0, 0, 0, 0, 0]
    cell = {k: by_stratum.get(k, empty) for k in strata}
    mean = stats.post_stratified_mean(
        (stats.MeanStratum(k, cells.register.get(k, 0), c[0], c[1], c[2]) for k, c in cell.items()), *scale
    )
    share = stats.post_stratified(
        stats.Stratum(k, cells.register.get(k, 0), c[0], c[3]) for k, c in cell.items()
    )
    return Rating(
        question.code,
        section,
        raters,
        total / raters,
        high,
        high / raters,
        Estimate(mean.estimate, mean.low, mean.high),
        _estimate(share.interval),
    )


def _option(question, choice, section: str, cells: _Cells, strata: list, n: int, hidden: bool) -> Option:
    by_stratum = cells.answers.get((question.code, choice.code), {})
    if hidden or not n:
        return Option(question.code, choice.code, section, n, None, None, suppressed=hidden)
    ticks = sum(c[4] for c in by_stratum.values())
    share = stats.post_stratified(
        stats.Stratum(
            k, cells.register.get(k, 0), cells.pinned.get(k, 0), by_stratum[k][4] if k in by_stratum else 0
        )
        for k in strata
    )
    return Option(question.code, choice.code, section, n, ticks, ticks / n, _estimate(share.interval))


def _group(key, label, cells: _Cells, module: Module, min_group: int) -> Group:
    # Only cells with every stratum known can be weighted (as the headline's).
    strata = sorted(
        {k for k in (*cells.register, *cells.pinned) if _known(k)}, key=lambda k: tuple(map(str, k))
    )
    n = sum(cells.pinned.values())
    small = n < min_group
    ratings, options = [], []
    for section in module.sections:
        for question in section.questions:
            if question.kind == "rating":
                raters = sum(c[0] for c in cells.answers.get((question.code, ""), {}).values())
                # A rating few answered (one not required) is as small as a small group.
                hidden = small or raters < min_group
                scale = (1, module.scale(question.scale).top)
                ratings.append(_rating(question, section.code, cells, strata, scale, hidden))
            elif question.kind == "checklist":
                options += [
                    _option(question, o, section.code, cells, strata, n, small) for o in question.options
                ]
    register = sum(cells.register.get(k, 0) for k in strata)
    covered = sum(cells.register.get(k, 0) for k in strata if cells.pinned.get(k))
    coverage = covered / register if register else 0.0
    return Group(key, label, n, small, tuple(ratings), tuple(options), coverage)


def _top(module: Module) -> int:
    """The top of the module's rating scales (5 on a 1-5 scale), for the "4-5" label."""
    return max(
        (module.scale(q.scale).top for q in module.questions if q.kind == "rating"), default=module.high_from
    )


class _Register:
    """The register's cells per GROUP BY, asked once per build whatever the modules."""

    def __init__(self, session: Session, wave: Wave, filters: dict):
        self.session, self.wave, self.filters = session, wave, filters
        self._rows: dict[tuple, list] = {}

    def rows(self, names: list[str]) -> list:
        key = tuple(names)
        if key not in self._rows:
            self._rows[key] = rollups.register_counts(
                self.session, names, self.filters, self.wave.business_kinds
            )
        return self._rows[key]


def _groups(session, wave, version_id, module, by, strata, filters, min_group, register) -> dict:
    names = _names(by, strata)
    folded = _fold(
        names,
        by,
        strata,
        register.rows(names),
        pinned_counts(session, wave, version_id, names, filters),
        answer_rows(session, wave, version_id, names, filters, module.high_from),
    )
    labels = rollups._labels(session, by) if by else {}
    return {
        key: _group(key, labels.get(key), cells, module, min_group)
        for key, cells in folded.items()
        # A group of the register with no respondent to the module is no row, as in the
        # headline's breakdowns.
        if cells.pinned
    }


def figures(
    session: Session,
    wave: Wave,
    version,
    *,
    filters: dict | None = None,
    strata=rollups.DEFAULT_STRATA,
    breakdowns: tuple[str, ...] | list[str] = (),
    min_group: int,
    _register: _Register | None = None,
) -> ModuleFigures:
    """The figures of module ``version`` (a ModuleVersion the wave carries) in ``wave``,
    overall and by each of ``breakdowns``, under ``filters``; groups with fewer than
    ``min_group`` responses to the module keep their n and show no figure."""
    filters = dict(filters or {})
    strata = list(strata)
    dimensions.check([*strata, *breakdowns, *filters])
    module = module_of(version)
    register = _register or _Register(session, wave, filters)
    overall = _groups(session, wave, version.id, module, None, strata, filters, min_group, register).get(())
    if overall is None:
        empty = _Cells()
        overall = _group((), None, empty, module, min_group)
    by = {}
    for name in breakdowns:
        groups = _groups(session, wave, version.id, module, name, strata, filters, min_group, register)
        by[name] = [groups[k] for k in sorted(groups, key=str)]
    return ModuleFigures(
        code=version.code,
        version=version.version,
        module=module,
        high_from=module.high_from,
        highest=_top(module),
        strata_by=tuple(strata),
        overall=overall,
        breakdowns=by,
    )


def for_wave(
    session: Session,
    wave: Wave,
    *,
    filters: dict | None = None,
    strata=rollups.DEFAULT_STRATA,
    breakdowns: tuple[str, ...] | list[str] = (),
    min_group: int,
) -> list[ModuleFigures]:
    """The figures of every module ``wave`` carries, in journey order ([] when none)."""
    register = _Register(session, wave, dict(filters or {}))
    return [
        figures(
            session,
            wave,
            c.version,
            filters=filters,
            strata=strata,
            breakdowns=breakdowns,
            min_group=min_group,
            _register=register,
        )
        for c in carried_modules(wave)
    ]
