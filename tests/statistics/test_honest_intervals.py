"""Are the intervals honest? The seeded simulation of bench/honest.py, small enough for the
suite (``make bench`` runs a larger one).

Synthetic registers of 24 units in 4 districts, firms with a section and a size class,
engagement rising with size, and respondents drawn with a propensity rising with size
(micro firms answer about a ninth as often as large ones): the bias the weighting must
remove. Tolerances, stated once: the 95% intervals of the section estimates and of the
model-based unit estimates must each cover the true share at least 88% of the time (the
tolerance is about three standard errors of a coverage measured on 60-130 intervals; a
coverage of 1 is allowed, Wilson's interval at Kish's n being conservative), and the
weighted section estimate must be less biased than the respondents' own share by a wide
margin.
"""

from __future__ import annotations

import pytest

from bench import honest

pytestmark = pytest.mark.slow  # about 10 s


@pytest.fixture(scope="module")
def outcome():
    return honest.simulate(runs=20, seed=2026)


def test_the_section_intervals_cover_the_truth(outcome):
    assert outcome.group_intervals >= 90
    assert outcome.group_coverage >= 0.88, outcome.group_coverage


def test_the_weighted_section_estimate_is_far_less_biased_than_the_respondents_share(outcome):
    # Respondents over-represent large, more engaged firms: their share is ~10 points high.
    assert outcome.sample_bias > 0.05
    assert abs(outcome.weighted_bias) < 0.02
    assert abs(outcome.weighted_bias) < abs(outcome.sample_bias) / 4


def test_the_model_based_unit_intervals_cover_the_truth(outcome):
    assert outcome.area_intervals >= 50
    assert outcome.area_coverage >= 0.88, outcome.area_coverage
    # Honest is not the same as useless: the intervals are narrower than "anything".
    widths = sorted(outcome.area_widths)
    assert widths[len(widths) // 2] < 0.45
