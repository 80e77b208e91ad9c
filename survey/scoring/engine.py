"""Scoring one set of answers against a framework: pure, deterministic, fast.

The framework's rules are data (bands and how they compare, overall rules, tiers); this
module only reads them. Comparisons are exact rational arithmetic so that "10% of the
maximum" means exactly that, with no floating-point edge at a band boundary.

Answers are ``{criterion code: answer}``; an answer is an option code (single, level,
scale), a list of option codes (multi) or, for a figure, ``{"value": "12"}`` with
``"of": "40"`` when the criterion has its own denominator. A shared figure (total staff)
is answered once under its own code: ``{"staff_total": "40"}``. Numbers are decimal
strings, so that what the firm reported is kept exactly and can be re-scored exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from operator import call
from typing import Any

from survey.scoring.definition import (
    CHOICE_KINDS,
    NOT_APPLICABLE,
    Comparison,
    Framework,
    Kind,
    Profile,
    criterion_max,
)
from survey.scoring.figures import edge_ratio, figure_value, is_figure
from survey.scoring.problems import AnswerProblem, InvalidAnswers
from survey.scoring.scorecard import ComponentScore, PillarScore, Scorecard

Answers = dict[str, Any]


class _Invalid(Exception):
    """Internal: the fast scoring path met something it does not accept."""


@dataclass(frozen=True, slots=True)
class _CompiledCriterion:
    code: str
    pillar_index: int
    component: str | None
    kind: Kind
    required: bool
    points: dict[str, int]
    max_points: int
    #: Figure criteria: (edge numerator, edge denominator, points) of the edge as a
    #: fraction of 1, highest edge first.
    bands: tuple[tuple[int, int, int], ...] = ()
    #: Figure criteria: the shared figure divided by, or None for an own denominator.
    base: str | None = None


#: How ``_points`` scores a criterion (compared by identity: cheaper than a Kind lookup).
_CHOICE, _MULTI, _FIGURE = object(), object(), object()

#: Pillar scores kept per Scorer: points up to the maximum, for every pillar and every
#: maximum a profile or "not applicable" leaves, fit many times over.
_PILLAR_SCORES_KEPT = 50_000


class Scorer:
    """A framework prepared for scoring many responses quickly."""

    def __init__(self, framework: Framework):
        self.framework = framework
        self.comparison = framework.band_comparison
        self._strict = framework.band_comparison is Comparison.ABOVE
        self.criteria: dict[str, _CompiledCriterion] = {}
        for index, pillar in enumerate(framework.pillars):
            for criterion in pillar.criteria:
                component = pillar.component_of(criterion.code)
                self.criteria[criterion.code] = _CompiledCriterion(
                    code=criterion.code,
                    pillar_index=index,
                    component=component.code if component else None,
                    kind=criterion.kind,
                    required=criterion.required,
                    points={o.code: o.points for o in criterion.options},
                    max_points=criterion_max(criterion),
                    bands=tuple(
                        (*edge_ratio(b.percent), b.points)
                        for b in sorted(criterion.bands, key=lambda b: -b.percent)
                    ),
                    base=criterion.base,
                )
        self.shared = {f.code for f in framework.figures}
        self._known = frozenset(self.criteria) | self.shared
        #: What ``_points`` reads of each criterion, in framework order.
        self._plan = tuple(
            (
                c.code,
                _CHOICE if c.kind in CHOICE_KINDS else _MULTI if c.kind is Kind.MULTI else _FIGURE,
                c.required,
                c.points,
                c.max_points,
                c.pillar_index,
                c,
            )
            for c in self.criteria.values()
        )
        self._codes = tuple(self.criteria)
        # Each pillar's criteria, as a slice of the framework's criteria (they are in
        # pillar order), for summing a pillar's points at C speed.
        ends = list(accumulate(len(p.criteria) for p in framework.pillars))
        self._pillar_slices = tuple(zip([0, *ends[:-1]], ends, strict=True))
        self._pillar_max = [p.max_points for p in framework.pillars]
        self._component_max = {k.code: k.max_points for p in framework.pillars for k in p.components}
        self._component_pillar = [(k.code, p.code) for p in framework.pillars for k in p.components]
        self._bands = [
            (band.level, *edge_ratio(band.percent))
            for band in sorted(framework.pillar_bands, key=lambda b: -b.level)
        ]
        self._has_rules = any(
            p.applies_to or any(c.applies_to for c in p.criteria) or any(k.applies_to for k in p.components)
            for p in framework.pillars
        )
        pillar_count = len(framework.pillars)
        self._overall_rules = [
            (
                rule.level,
                rule.total_above,
                pillar_count if rule.min_pillars == "all" else rule.min_pillars,
                rule.pillar_level,
            )
            for rule in sorted(framework.overall_rules, key=lambda r: -r.level)
        ]
        self._tiers = [(t.min_level, t.code) for t in framework.tiers]
        self._lookups = self._fast_lookups()
        # A pillar's score depends only on its points and maximum, and is immutable: each
        # is built once and shared by every scorecard with those figures, instead of six
        # levels, roundings and objects for every scorecard.
        self._pillar_index = range(len(framework.pillars))
        self._pillar_scores: dict[tuple[int, int, int], PillarScore] = {}

    def _fast_lookups(self) -> tuple[Callable[[Any], int | None], ...] | None:
        """Per criterion, a function from its answer to its points, or None for anything
        the full pass must look at: what ``_points`` maps over the answers in one C-level
        ``map`` when every answer is an ordinary choice. None (no fast path) for a
        framework with figures or applicability rules, which need the full pass anyway.
        """
        if self._has_rules or any(c.kind is Kind.FIGURE for c in self.criteria.values()):
            return None
        return tuple(
            c.points.get if c.kind in CHOICE_KINDS else _multi_lookup(c.points, c.max_points)
            for c in self.criteria.values()
        )

    # --- which criteria count --------------------------------------------------------

    def excluded(self, profile: Profile | None) -> frozenset[str]:
        """Codes of the criteria that do not apply to ``profile`` (left out of maxima)."""
        if profile is None or not self._has_rules:
            return frozenset()
        return frozenset(
            c.code for p, c in self.framework.criteria() if not self.framework.applicable(p, c, profile)
        )

    # --- validation ------------------------------------------------------------------

    def validate(self, answers: Answers, profile: Profile | None = None) -> list[AnswerProblem]:
        """Every problem with the answers, one per criterion at fault (empty when valid)."""
        if not isinstance(answers, dict):
            return [AnswerProblem("answers", "must be a mapping of criterion code to answer")]
        problems = [
            AnswerProblem(str(code), "unknown criterion")
            for code in answers
            if code not in self.criteria and code not in self.shared
        ]
        for code in self.shared & answers.keys():
            if answers[code] is not None and not is_figure(answers[code]):
                problems.append(AnswerProblem(code, "a figure is a decimal string such as '12' or '2.5'"))
        excluded = self.excluded(profile)
        for code, criterion in self.criteria.items():
            if code in excluded:
                continue
            if code not in answers or answers[code] is None:
                if criterion.required:
                    problems.append(AnswerProblem(code, "required but not answered"))
                continue
            problems.extend(self._check_answer(criterion, answers[code], answers))
        return problems

    def _check_answer(
        self, criterion: _CompiledCriterion, answer: Any, answers: Answers
    ) -> list[AnswerProblem]:
        code = criterion.code
        if (
            answer == NOT_APPLICABLE
            and self.framework.allows_not_applicable
            and criterion.kind is not Kind.MULTI
        ):
            return []
        if criterion.kind is Kind.FIGURE:
            try:
                self._share(criterion, answer, answers)
            except _Invalid as exc:
                return [AnswerProblem(code, str(exc) or "not a valid figure")]
            return []
        if criterion.kind is Kind.MULTI:
            if not isinstance(answer, list):
                return [AnswerProblem(code, "multi-choice: answer with a list of option codes")]
            problems = [
                AnswerProblem(code, f"unknown option {option!r}")
                for option in answer
                if not isinstance(option, str) or option not in criterion.points
            ]
            if len(set(map(str, answer))) != len(answer):
                problems.append(AnswerProblem(code, "an option is chosen more than once"))
            return problems
        if isinstance(answer, list):
            return [AnswerProblem(code, "single-choice: answer with one option code, not a list")]
        if not isinstance(answer, str) or answer not in criterion.points:
            return [AnswerProblem(code, f"unknown option {answer!r}")]
        return []

    # --- scoring ---------------------------------------------------------------------

    def score(self, answers: Answers, profile: Profile | None = None) -> Scorecard:
        """Score valid answers; raises InvalidAnswers (naming criteria) otherwise.

        Criteria that do not apply to ``profile`` (and "not applicable" answers, where
        the framework allows them) score nothing and are left out of the maxima.
        """
        excluded = self.excluded(profile)
        try:
            criterion_points, pillar_points, shares, dropped = self._points(answers, excluded)
        except _Invalid:
            # The fast path only knows that something is wrong; say exactly what.
            problems = self.validate(answers, profile) or [AnswerProblem("answers", "cannot be scored")]
            raise InvalidAnswers(problems) from None
        pillar_max = self._pillar_max
        if dropped:
            pillar_max = pillar_max.copy()
            criteria = self.criteria
            for code in dropped:
                pillar_max[criteria[code].pillar_index] -= criteria[code].max_points
        pillar_scores = []
        known = self._pillar_scores
        for key in zip(self._pillar_index, pillar_points, pillar_max, strict=True):
            pillar_score = known.get(key)
            if pillar_score is None:
                pillar_score = self._pillar_score(*key)
                if len(known) < _PILLAR_SCORES_KEPT:
                    known[key] = pillar_score
            pillar_scores.append(pillar_score)
        levels = [p.level for p in pillar_scores]
        components = self._components(criterion_points, dropped) if self._component_max else ()
        total = sum(pillar_points)
        overall = self.overall_level(total, levels)
        return Scorecard(
            framework=self.framework.code,
            version=self.framework.version,
            criteria=criterion_points,
            pillars=tuple(pillar_scores),
            components=components,
            shares=shares,
            total_points=total,
            max_points=sum(pillar_max),
            overall_level=overall,
            tier=self.tier(overall),
        )

    def _pillar_score(self, index: int, points: int, top: int) -> PillarScore:
        level = self.level_for(points, top)
        pillar = self.framework.pillars[index]
        percent = round(points * 100 / top, 2) if top else 0.0
        return PillarScore(pillar.code, points, top, percent, level, pillar.recommendation(level))

    def _components(self, criterion_points: dict[str, int], dropped: list[str]) -> tuple[ComponentScore, ...]:
        """Each component's points and maximum, in framework order (DBI 2021 has 10)."""
        criteria = self.criteria
        points_of = dict.fromkeys(self._component_max, 0)
        max_of = self._component_max.copy()
        for code, points in criterion_points.items():
            component = criteria[code].component
            if component:
                points_of[component] += points
        for code in dropped:
            component = criteria[code].component
            if component:
                max_of[component] -= criteria[code].max_points
        return tuple(
            ComponentScore(code=code, pillar=pillar, points=points_of[code], max_points=max_of[code])
            for code, pillar in self._component_pillar
        )

    def _points(
        self, answers: Answers, excluded: frozenset[str]
    ) -> tuple[dict[str, int], list[int], dict[str, float], list[str]]:
        """Points per criterion and per pillar, figure shares (in %) and the criteria left
        out of the maxima, in one pass; raises _Invalid on any problem.

        Scoring is on the hot path of every submission and of rescoring a whole wave, so
        valid answers take this single pass over ``_plan`` (plain tuples: unpacking one
        costs less than reading a criterion's attributes) and only invalid ones pay for
        ``validate``.
        """
        if type(answers) is not dict or not answers.keys() <= self._known:
            raise _Invalid  # not a mapping, or some key is not a code of this framework
        if self._lookups is not None and not excluded:
            try:
                points = list(map(call, self._lookups, map(answers.get, self._codes)))
            except TypeError:  # a list, or a mapping, where one option code belongs
                raise _Invalid from None
            if None not in points:
                return (
                    dict(zip(self._codes, points, strict=True)),
                    [sum(points[start:end]) for start, end in self._pillar_slices],
                    {},
                    [],
                )
            # Something unanswered, "not applicable" or wrong: the full pass below says.
        criterion_points: dict[str, int] = {}
        pillar_points = [0] * len(self._pillar_max)
        shares: dict[str, float] = {}
        dropped: list[str] = list(excluded)
        allow_na = self.framework.allows_not_applicable
        get = answers.get
        try:
            for code, kind, required, table, top, pillar, criterion in self._plan:
                if excluded and code in excluded:
                    continue
                answer = get(code)
                if answer is None:
                    if required:
                        raise _Invalid
                    points = 0
                elif kind is _CHOICE:
                    # Option codes are strings: a number or an unknown code gives None,
                    # a list a TypeError (caught below); "na" is never an option code.
                    points = table.get(answer)
                    if points is None:
                        if allow_na and answer == NOT_APPLICABLE:
                            dropped.append(code)
                            continue
                        raise _Invalid
                elif kind is _MULTI:
                    if type(answer) is not list or len(set(answer)) != len(answer):
                        raise _Invalid
                    points = sum(table[o] for o in answer)
                    if points > top:
                        points = top
                elif allow_na and answer == NOT_APPLICABLE:
                    dropped.append(code)
                    continue
                else:
                    part, whole = self._share(criterion, answer, answers)
                    shares[code] = round(part * 100 / whole, 2)
                    points = self._figure_points(criterion, part, whole)
                criterion_points[code] = points
                pillar_points[pillar] += points
        except (KeyError, TypeError):
            raise _Invalid from None
        if self.shared:
            for code in self.shared & answers.keys():
                if answers[code] is not None and not is_figure(answers[code]):
                    raise _Invalid
        return criterion_points, pillar_points, shares, dropped

    def _share(self, criterion: _CompiledCriterion, answer: Any, answers: Answers) -> tuple[int, int]:
        """The reported share as (part, whole); raises _Invalid saying what is wrong."""
        if type(answer) is not dict or "value" not in answer:
            raise _Invalid('a figure is answered with {"value": ..., "of": ...}')
        allowed = {"value"} if criterion.base else {"value", "of"}
        if set(answer) - allowed or (criterion.base is None and "of" not in answer):
            raise _Invalid(
                "a figure with a base has only a value" if criterion.base else "the denominator is missing"
            )
        raw_of = answers.get(criterion.base) if criterion.base else answer["of"]
        try:
            value = figure_value(answer["value"])
        except ValueError:
            raise _Invalid("the reported value is not a figure") from None
        if raw_of is None:
            raise _Invalid(f"the shared figure {criterion.base} is not answered")
        try:
            of = figure_value(raw_of)
        except ValueError:
            raise _Invalid("the denominator is not a figure") from None
        if value > of:
            raise _Invalid("the part is larger than the whole")
        # Nothing of nothing (no meetings held, none online) is a share of 0.
        return (value, of) if of else (0, 1)

    def _passes(self, part: int, whole: int, edge_num: int, edge_den: int) -> bool:
        """part/whole against the edge edge_num/edge_den, by the framework's comparison."""
        left, right = part * edge_den, edge_num * whole
        return left > right if self._strict else left >= right

    def _figure_points(self, criterion: _CompiledCriterion, part: int, whole: int) -> int:
        for edge_num, edge_den, points in criterion.bands:
            if self._passes(part, whole, edge_num, edge_den):
                return points
        return 0

    def level_for(self, points: int, max_points: int) -> int:
        """A pillar's level from its points out of ``max_points``, by the bands."""
        if max_points <= 0:
            return 0
        # _passes, inlined: this runs for every pillar of every scorecard.
        strict = self._strict
        for level, edge_num, edge_den in self._bands:
            left, right = points * edge_den, edge_num * max_points
            if left > right or (not strict and left == right):
                return level
        return 0

    def pillar_level(self, pillar_index: int, points: int) -> int:
        return self.level_for(points, self.framework.pillars[pillar_index].max_points)

    def overall_level(self, total: int, pillar_levels: list[int]) -> int:
        """The highest level whose rule holds, else 0."""
        for level, total_above, min_pillars, pillar_level in self._overall_rules:
            if total > total_above and sum(lv >= pillar_level for lv in pillar_levels) >= min_pillars:
                return level
        return 0

    def tier(self, overall_level: int) -> str:
        return next(code for min_level, code in self._tiers if overall_level >= min_level)


def _multi_lookup(table: dict[str, int], cap: int) -> Callable[[Any], int | None]:
    """A multi-choice criterion's points from its answer (capped), or None if the answer
    is not a list of distinct known options."""

    def points(answer: Any) -> int | None:
        if type(answer) is not list or len(set(answer)) != len(answer):
            return None
        try:
            return min(sum(map(table.__getitem__, answer)), cap)
        except (KeyError, TypeError):
            return None

    return points


_scorers: dict[tuple[str, int, str], Scorer] = {}


def scorer_for(framework: Framework) -> Scorer:
    """A cached Scorer per framework version (and content, should a file be edited)."""
    key = (framework.code, framework.version, framework.content_hash)
    scorer = _scorers.get(key)
    if scorer is None:
        scorer = _scorers[key] = Scorer(framework)
    return scorer


def score(framework: Framework, answers: Answers, profile: Profile | None = None) -> Scorecard:
    """Score ``answers`` against ``framework``; see Scorer.score."""
    return scorer_for(framework).score(answers, profile)


__all__ = ["Comparison", "Scorer", "score", "scorer_for"]
