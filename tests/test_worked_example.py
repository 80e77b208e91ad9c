"""The worked example printed in the README, checked against the real DBI framework."""

from __future__ import annotations

from survey import frameworks
from survey.scoring import scorer_for

# pillar: (points, expected level) — as in README "A worked example".
EXAMPLE = {
    "customer": (20, 2),  # 20/65 = 30.8%  -> 20-<40%
    "strategy": (10, 3),  # 10/25 = 40%    -> exactly 40% is level 3
    "infrastructure": (36, 3),  # 36/80 = 45%
    "operations": (26, 3),  # 26/65 = 40%
    "culture": (20, 3),  # 20/50 = 40%
    "data": (14, 3),  # 14/35 = 40%
}


def test_readme_worked_example():
    scorer = scorer_for(frameworks.load("dbi-2021-sme", 1))
    codes = [p.code for p in scorer.framework.pillars]
    levels = [scorer.pillar_level(codes.index(code), points) for code, (points, _) in EXAMPLE.items()]
    assert levels == [level for _, level in EXAMPLE.values()]
    total = sum(points for points, _ in EXAMPLE.values())
    assert total == 126
    # Five pillars at level 3, but 126 is not more than 128: overall level 2, "preparing".
    assert scorer.overall_level(total, levels) == 2
    assert scorer.tier(2) == "preparing"
    # Three more points in operations (29/65 = 44.6%, still level 3) make 129 > 128: level 3.
    assert scorer.overall_level(total + 3, levels) == 3
    assert scorer.tier(3) == "engaged"
