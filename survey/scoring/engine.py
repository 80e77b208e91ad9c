"""Scoring one set of answers against a framework: pure, deterministic, fast.

The framework's rules are data (bands, overall rules, tiers); this module only reads
them. Comparisons are exact integer arithmetic so that "10% of the maximum" means
exactly that, with no floating-point edge at a band boundary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from survey.scoring.definition import Framework, Kind, criterion_max
from survey.scoring.scorecard import PillarScore, Scorecard

Answers = dict[str, Any]


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    criterion: str
    message: str

    def __str__(self) -> str:
        return f"{self.criterion}: {self.message}"


class _Invalid(Exception):
    """Internal: the fast scoring path met something it does not accept."""


class InvalidAnswers(ValueError):
    """Answers that cannot be scored; ``problems`` names each criterion at fault."""

    def __init__(self, problems: list[AnswerProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class _CompiledCriterion:
    code: str
    pillar_index: int
    multi: bool
    required: bool
    points: dict[str, int]
    max_points: int


class Scorer:
    """A framework prepared for scoring many responses quickly."""

    def __init__(self, framework: Framework):
        self.framework = framework
        self.criteria: dict[str, _CompiledCriterion] = {}
        for index, pillar in enumerate(framework.pillars):
            for criterion in pillar.criteria:
                self.criteria[criterion.code] = _CompiledCriterion(
                    code=criterion.code,
                    pillar_index=index,
                    multi=criterion.kind is Kind.MULTI,
                    required=criterion.required,
                    points={o.code: o.points for o in criterion.options},
                    max_points=criterion_max(criterion),
                )
        # For each pillar, the least whole number of points that reaches each band:
        # points / max >= p / 100  <=>  points >= ceil(p * max / 100), points being integers.
        self._band_thresholds = [
            [
                (band.level, math.ceil(Fraction(str(band.min_percent)) * pillar.max_points / 100))
                for band in sorted(framework.pillar_bands, key=lambda b: -b.level)
            ]
            for pillar in framework.pillars
        ]
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

    def validate(self, answers: Answers) -> list[AnswerProblem]:
        """Every problem with the answers, one per criterion at fault (empty when valid)."""
        if not isinstance(answers, dict):
            return [AnswerProblem("answers", "must be a mapping of criterion code to answer")]
        problems = [
            AnswerProblem(str(code), "unknown criterion") for code in answers if code not in self.criteria
        ]
        for code, criterion in self.criteria.items():
            if code not in answers or answers[code] is None:
                if criterion.required:
                    problems.append(AnswerProblem(code, "required but not answered"))
                continue
            problems.extend(_check_answer(criterion, answers[code]))
        return problems

    def score(self, answers: Answers) -> Scorecard:
        """Score valid answers; raises InvalidAnswers (naming criteria) otherwise."""
        try:
            criterion_points, pillar_points = self._points(answers)
        except _Invalid:
            # The fast path only knows that something is wrong; say exactly what.
            problems = self.validate(answers) or [AnswerProblem("answers", "cannot be scored")]
            raise InvalidAnswers(problems) from None
        pillars = self.framework.pillars
        pillar_scores = []
        for index, pillar in enumerate(pillars):
            points = pillar_points[index]
            level = self.pillar_level(index, points)
            pillar_scores.append(
                PillarScore(
                    code=pillar.code,
                    points=points,
                    max_points=pillar.max_points,
                    percent=round(points * 100 / pillar.max_points, 2),
                    level=level,
                    recommendation=pillar.recommendations[level],
                )
            )
        total = sum(pillar_points)
        overall = self.overall_level(total, [p.level for p in pillar_scores])
        return Scorecard(
            framework=self.framework.code,
            version=self.framework.version,
            criteria=criterion_points,
            pillars=tuple(pillar_scores),
            total_points=total,
            max_points=self.framework.max_points,
            overall_level=overall,
            tier=self.tier(overall),
        )

    def _points(self, answers: Answers) -> tuple[dict[str, int], list[int]]:
        """Points per criterion and per pillar in one pass; raises _Invalid on any problem.

        Scoring is on the hot path of every submission and of rescoring a whole wave, so
        valid answers take this single pass and only invalid ones pay for ``validate``.
        """
        if type(answers) is not dict:
            raise _Invalid
        pillar_points = [0] * len(self.framework.pillars)
        criterion_points: dict[str, int] = {}
        present = 0
        try:
            for code, criterion in self.criteria.items():
                answer = answers.get(code)
                if answer is None:
                    if criterion.required:
                        raise _Invalid
                    present += code in answers
                    points = 0
                elif criterion.multi:
                    if type(answer) is not list or len(set(answer)) != len(answer):
                        raise _Invalid
                    points = min(sum(criterion.points[o] for o in answer), criterion.max_points)
                    present += 1
                else:
                    if type(answer) is not str:
                        raise _Invalid
                    points = criterion.points[answer]
                    present += 1
                criterion_points[code] = points
                pillar_points[criterion.pillar_index] += points
        except (KeyError, TypeError):
            raise _Invalid from None
        if present != len(answers):  # some key is not a criterion of this framework
            raise _Invalid
        return criterion_points, pillar_points

    def pillar_level(self, pillar_index: int, points: int) -> int:
        for level, threshold in self._band_thresholds[pillar_index]:
            if points >= threshold:
                return level
        return 0

    def overall_level(self, total: int, pillar_levels: list[int]) -> int:
        """The highest level whose rule holds, else 0."""
        for level, total_above, min_pillars, pillar_level in self._overall_rules:
            if total > total_above and sum(lv >= pillar_level for lv in pillar_levels) >= min_pillars:
                return level
        return 0

    def tier(self, overall_level: int) -> str:
        return next(code for min_level, code in self._tiers if overall_level >= min_level)


def _check_answer(criterion: _CompiledCriterion, answer: Any) -> list[AnswerProblem]:
    code = criterion.code
    if criterion.multi:
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


_scorers: dict[tuple[str, int, str], Scorer] = {}


def scorer_for(framework: Framework) -> Scorer:
    """A cached Scorer per framework version (and content, should a file be edited)."""
    key = (framework.code, framework.version, framework.content_hash)
    scorer = _scorers.get(key)
    if scorer is None:
        scorer = _scorers[key] = Scorer(framework)
    return scorer


def score(framework: Framework, answers: Answers) -> Scorecard:
    """Score ``answers`` against ``framework``; see Scorer.score."""
    return scorer_for(framework).score(answers)
