"""Scoring throughput against the least work any scorer must do: summing option points."""

from __future__ import annotations

from bench.data import random_answer_sets
from bench.timing import best, ratio
from survey import frameworks
from survey.scoring import scorer_for


def run(n: int) -> bool:
    framework = frameworks.load("dbi-2021-sme")
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
    return True
