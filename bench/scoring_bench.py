"""Scoring throughput against the least work any scorer must do: summing option points."""

from __future__ import annotations

from bench.data import random_answer_sets
from bench.timing import best, ratio
from survey import frameworks
from survey.scoring import scorer_for


def run(n: int) -> bool:
    # Version 1 (choices only) has the bare baseline of summing option points; version 2
    # (figures, components) is then measured against version 1 in the same run.
    framework = frameworks.load("dbi-2021-sme", 1)
    scorer = scorer_for(framework)
    answers = random_answer_sets(framework, n)
    points = {c.code: {o.code: o.points for o in c.options} for _, c in framework.criteria()}

    def bare():
        # Baseline: look up and add every answer's points, nothing else.
        for a in answers:
            total = 0
            for code, value in a.items():
                table = points[code]
                total += sum(table[v] for v in value) if isinstance(value, list) else table[value]

    def engine():
        for a in answers:
            scorer.score(a)

    t_engine = best(engine, 3)
    print(f"== scoring ({n:,} random answer sets, dbi-2021-sme)")
    print(f"  scorecards per second: {n / t_engine:,.0f}")
    r = ratio(engine, bare, 3)
    print(f"  ratio to summing points alone: {r:.2f}x (validation, levels, tiers included)")
    v2 = frameworks.load("dbi-2021-sme", 2)
    v2_scorer = scorer_for(v2)
    v2_answers = random_answer_sets(v2, n)

    def engine_v2():
        for a in v2_answers:
            v2_scorer.score(a)

    t_v2 = best(engine_v2, 3)
    print(f"  version 2 (26 figures, 10 components): {n / t_v2:,.0f} scorecards per second,")
    print(f"  {t_v2 / t_engine:.2f}x the time of version 1")
    return True
