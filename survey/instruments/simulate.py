"""Simulate a draft framework: random answer sets scored by it, to see the levels and tiers
its rules give before any firm answers it.

Answer sets are drawn as the demo draws them (survey.registry.demo.draw_answers): a firm's
latent maturity, uniform from 0 to 1 here so that every level is tried, and answers near
it. Seeded: the same draft and seed give the same figures, so two admins see the same.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from survey.registry.demo import draw_answers
from survey.scoring import Framework, Scorecard, scorer_for

#: At most this many answer sets per run: enough to see every level, quick on a request.
MOST = 2000


@dataclass
class Simulation:
    count: int
    seed: int
    levels: Counter = field(default_factory=Counter)
    tiers: Counter = field(default_factory=Counter)
    #: Per pillar code, how many answer sets reached each level.
    pillar_levels: dict[str, Counter] = field(default_factory=dict)
    #: The first few answer sets: (maturity drawn, scorecard).
    examples: list[tuple[float, Scorecard]] = field(default_factory=list)

    def share(self, counter: Counter, key) -> float:
        return counter.get(key, 0) / self.count if self.count else 0.0


def run(framework: Framework, count: int = 200, seed: int = 1, examples: int = 8) -> Simulation:
    count = max(1, min(MOST, count))
    rng = random.Random(seed)  # noqa: S311 - answer sets to try rules on, not secrets
    scorer = scorer_for(framework)
    result = Simulation(count=count, seed=seed, pillar_levels={p.code: Counter() for p in framework.pillars})
    for index in range(count):
        maturity = rng.random()
        card = scorer.score(draw_answers(rng, framework, maturity))
        result.levels[card.overall_level] += 1
        result.tiers[card.tier] += 1
        for pillar in card.pillars:
            result.pillar_levels[pillar.code][pillar.level] += 1
        if index < examples:
            result.examples.append((maturity, card))
    return result
