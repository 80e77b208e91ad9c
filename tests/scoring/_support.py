"""Shared builders for the scoring tests: answers with exact points, synthetic frameworks.

Nothing here computes an expected result; the tests state those by hand.
"""

from __future__ import annotations

import copy
from functools import cache
from itertools import combinations
from pathlib import Path

import yaml

from survey.frameworks import load
from survey.scoring import Framework, from_dict
from survey.scoring.definition import Criterion, Kind

DBI_PATH = Path(__file__).resolve().parents[2] / "survey" / "frameworks" / "dbi-2021-sme.v1.yaml"


def dbi() -> Framework:
    return load("dbi-2021-sme", 1)


@cache
def _raw_dbi() -> dict:
    # The C parser when present, only for speed; the loader under test parses on its own.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(DBI_PATH.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)


def raw_dbi() -> dict:
    """A fresh copy of the DBI file as plain data, read here without the loader."""
    return copy.deepcopy(_raw_dbi())


def choice_for(criterion: Criterion, points: int):
    """The answer to ``criterion`` worth exactly ``points`` (None when impossible).

    Single choice: the option with those points. Multi choice: the fewest options whose
    points add up to exactly ``points`` (below the cap, so no capping is involved); 0 is
    the zero-point option.
    """
    if criterion.kind is Kind.SINGLE:
        return next((o.code for o in criterion.options if o.points == points), None)
    if points > (criterion.max_points or 0):
        return None
    if points == 0:
        zero = next((o.code for o in criterion.options if o.points == 0), None)
        return [zero] if zero is not None else []
    scoring = [o for o in criterion.options if o.points > 0]
    for size in range(1, len(scoring) + 1):
        for combo in combinations(scoring, size):
            if sum(o.points for o in combo) == points:
                return [o.code for o in combo]
    return None


def _achievable(criterion: Criterion) -> list[int]:
    top = max(o.points for o in criterion.options) if criterion.kind is Kind.SINGLE else criterion.max_points
    return [p for p in range(top, -1, -1) if choice_for(criterion, p) is not None]


def answers_with(framework: Framework, points: dict[str, int]) -> dict:
    """Answers giving each pillar exactly ``points[pillar]`` (pillars not named get 0)."""
    unknown = set(points) - {p.code for p in framework.pillars}
    if unknown:
        raise ValueError(f"no such pillars: {unknown}")
    answers = {}
    for pillar in framework.pillars:
        remaining = points.get(pillar.code, 0)
        for criterion in pillar.criteria:
            take = next(p for p in _achievable(criterion) if p <= remaining)
            answers[criterion.code] = choice_for(criterion, take)
            remaining -= take
        if remaining:
            raise ValueError(f"cannot give {pillar.code} exactly {points[pillar.code]} points")
    return answers


def text(label: str) -> dict:
    return {"vi": f"{label} (vi)", "en": f"{label} (en)"}


#: The DBI 2021 rules written out here, independently of the YAML file.
BANDS = [10, 20, 40, 60, 80]
OVERALL = [(1, 20, 4, 1), (2, 64, 4, 2), (3, 128, 4, 3), (4, 192, 5, 4), (5, 256, "all", 5)]
PILLAR_CODES = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")


def recommendation_text(pillar: str, level: int) -> dict:
    return text(f"{pillar}: advice at level {level}")


def points_criterion(code: str, top: int, **extra) -> dict:
    """A single-choice criterion worth any whole number of points from 0 to ``top``."""
    return {
        "code": code,
        "text": text(f"question {code}"),
        "options": [{"code": f"p{n}", "points": n, "label": text(f"{n} points")} for n in range(top + 1)],
        **extra,
    }


def pillar_def(code: str, criteria: list[dict], max_points: int | None = None) -> dict:
    if max_points is None:
        max_points = sum(
            c["max_points"] if c.get("kind") == "multi" else max(o["points"] for o in c["options"])
            for c in criteria
        )
    return {
        "code": code,
        "name": text(f"pillar {code}"),
        "max_points": max_points,
        "recommendations": {lv: recommendation_text(code, lv) for lv in range(6)},
        "criteria": criteria,
    }


def synthetic_definition(pillars: list[dict] | None = None, bands=BANDS, overall=OVERALL, top=50) -> dict:
    """A framework definition in the DBI shape; by default six pillars of one criterion
    each, worth 0..``top`` points (with 50, a pillar reaches level 1..5 at 5, 10, 20, 30
    and 40 points)."""
    if pillars is None:
        pillars = [
            pillar_def(name, [points_criterion(f"{name[:2].upper()}01", top)]) for name in PILLAR_CODES
        ]
    return {
        "code": "synthetic",
        "version": 1,
        "title": text("synthetic framework"),
        "levels": [{"level": lv, "name": text(f"level {lv}")} for lv in range(6)],
        "pillar_bands": [{"level": lv, "min_percent": pct} for lv, pct in enumerate(bands, start=1)],
        "overall_rules": [
            {"level": lv, "total_above": above, "min_pillars": count, "pillar_level": at}
            for lv, above, count, at in overall
        ],
        "tiers": [
            {"code": "engaged", "min_level": 3, "name": text("engaged")},
            {"code": "preparing", "min_level": 2, "name": text("preparing")},
            {"code": "outside", "min_level": 0, "name": text("outside")},
        ],
        "pillars": pillars,
    }


def synthetic(**kwargs) -> Framework:
    return from_dict(synthetic_definition(**kwargs), "synthetic-test")


def synthetic_answers(*points: int) -> dict:
    """Answers for the default synthetic framework: one number of points per pillar."""
    assert len(points) == len(PILLAR_CODES)
    return {f"{name[:2].upper()}01": f"p{n}" for name, n in zip(PILLAR_CODES, points, strict=True)}


def dbi2() -> Framework:
    return load("dbi-2021-sme", 2)


def zero_v2(**changes) -> dict:
    """Version 2 answers worth 0 everywhere ("no" to every screening question, figures of
    0 out of 100, the lowest rating), with ``changes`` applied (``"1.1.1": "5"``)."""
    answers: dict = {"staff_total": "100", "revenue_3m": "100"}
    for _, criterion in dbi2().criteria():
        if criterion.kind is Kind.FIGURE:
            answers[criterion.code] = {"value": "0"} if criterion.base else {"value": "0", "of": "100"}
        else:
            answers[criterion.code] = criterion.options[0].code
    answers.update(changes)
    return answers
