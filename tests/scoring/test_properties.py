"""Properties of the scoring rules and the interval estimates, over random inputs."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.scoring import InvalidAnswers, Scorer, score
from survey.scoring.definition import Kind
from survey.scoring.stats import Stratum, post_stratified, wilson
from tests.scoring._support import dbi

# No example database: the suite must not write outside its folder.
CHECK = settings(max_examples=150, deadline=None, database=None)

FRAMEWORK = dbi()

#: DBI 2021, written out: pillar bands (level, min percent) ...
BANDS = [(5, 80), (4, 60), (3, 40), (2, 20), (1, 10)]
#: ... and overall rules (level, total strictly above, pillars needed, at pillar level).
RULES = [(5, 256, 6, 5), (4, 192, 5, 4), (3, 128, 4, 3), (2, 64, 4, 2), (1, 20, 4, 1)]


CRITERIA = [criterion for _, criterion in FRAMEWORK.criteria()]
PILLAR_OF = {criterion.code: pillar.code for pillar, criterion in FRAMEWORK.criteria()}


@st.composite
def dbi_answers(draw):
    """Valid answers, each pillar drawn between its own floor and ceiling (in points per
    criterion, above a common lift) so that every pillar and overall level occurs.

    One number per criterion picks its answer among the options in range (its bits pick
    the extra options of a multi choice), which keeps generation fast.
    """
    lift = draw(st.integers(0, 10))  # shared by all pillars, so high overall levels occur too
    ranges = {}
    for pillar in FRAMEWORK.pillars:
        top = max(o.points for c in pillar.criteria for o in c.options)
        least = lift * top // 10
        ceiling = draw(st.integers(least, top))
        # Out of eight, how many of the pillar's answers are forced to nothing (low lifts only).
        zeros = draw(st.integers(0, 3)) if lift < 5 else 0
        ranges[pillar.code] = (draw(st.integers(least, ceiling)), ceiling, zeros)
    picks = draw(st.lists(st.integers(0, 2**16 - 1), min_size=len(CRITERIA), max_size=len(CRITERIA)))
    answers = {}
    for criterion, pick in zip(CRITERIA, picks, strict=True):
        floor, ceiling, zeros = ranges[PILLAR_OF[criterion.code]]
        if (pick >> 12) % 8 < zeros:
            answers[criterion.code] = [] if criterion.kind is Kind.MULTI else criterion.options[0].code
        elif criterion.kind is Kind.MULTI:
            scoring = [o.code for o in criterion.options if 0 < o.points <= ceiling]
            others = [o.code for o in criterion.options if o.code not in scoring[:floor]]
            extra = [code for bit, code in enumerate(others) if (pick >> bit) & 1]
            answers[criterion.code] = scoring[:floor] + extra
        else:
            allowed = [o.code for o in criterion.options if floor <= o.points <= ceiling] or [
                o.code for o in criterion.options if o.points <= ceiling
            ]
            answers[criterion.code] = allowed[pick % len(allowed)]
    return answers


def rule_holds(rule, total, levels) -> bool:
    _, above, needed, at = rule
    return total > above and sum(level >= at for level in levels) >= needed


@CHECK
@given(dbi_answers())
def test_scorecard_follows_the_rules(answers):
    card = score(FRAMEWORK, answers)
    levels = [p.level for p in card.pillars]

    assert card.total_points == sum(p.points for p in card.pillars)
    assert card.total_points == sum(card.criteria.values())
    for pillar in card.pillars:
        assert 0 <= pillar.points <= pillar.max_points
        assert 0 <= pillar.percent <= 100
        assert abs(pillar.percent - 100 * pillar.points / pillar.max_points) <= 0.005
        # The band, in whole numbers: points / max >= pct / 100.
        wanted = next((lv for lv, pct in BANDS if pillar.points * 100 >= pct * pillar.max_points), 0)
        assert pillar.level == wanted, pillar

    level = card.overall_level
    if level > 0:
        assert rule_holds(RULES[5 - level], card.total_points, levels)
    # ... and it is the highest level that holds.
    for rule in RULES:
        if rule[0] > level:
            assert not rule_holds(rule, card.total_points, levels)
    assert card.tier == ("engaged" if level >= 3 else "preparing" if level == 2 else "outside")


@CHECK
@given(dbi_answers(), st.data())
def test_a_better_answer_never_lowers_a_level(answers, data):
    raises = [
        (criterion.code, option.code)
        for _, criterion in FRAMEWORK.criteria()
        if criterion.kind is Kind.SINGLE
        for option in criterion.options
        if option.points > next(o.points for o in criterion.options if o.code == answers[criterion.code])
    ]
    multi_additions = [
        (criterion.code, option.code)
        for _, criterion in FRAMEWORK.criteria()
        if criterion.kind is Kind.MULTI
        for option in criterion.options
        if option.code not in answers[criterion.code]
    ]
    if not raises + multi_additions:
        return  # every answer is already the best there is
    code, option = data.draw(st.sampled_from(raises + multi_additions))
    better = dict(answers)
    better[code] = [*answers[code], option] if isinstance(answers[code], list) else option

    before, after = score(FRAMEWORK, answers), score(FRAMEWORK, better)
    assert after.total_points >= before.total_points
    if isinstance(answers[code], str):
        assert after.total_points > before.total_points
    for old, new in zip(before.pillars, after.pillars, strict=True):
        assert new.level >= old.level, new.code
    assert after.overall_level >= before.overall_level


#: Ways one answer can differ from an ordinary valid choice (each sends the scorer off its
#: fast path, or must be refused by it).
ODD = [
    None,
    "na",
    "no_such_option",
    ["a"],
    [],
    {"value": "1"},
    7,
    True,
]


def _outcome(scorer, answers):
    try:
        return scorer.score(answers)
    except InvalidAnswers as exc:
        return sorted(p.criterion for p in exc.problems)


@CHECK
@given(dbi_answers(), st.data())
def test_the_fast_path_scores_as_the_full_pass_does(answers, data):
    """``Scorer._points`` maps over ordinary choices in one C-level pass and falls back to
    the full pass for anything else: both give the same scorecard, or refuse the same
    criteria, whatever one answer is changed into."""
    fast = Scorer(FRAMEWORK)
    full = Scorer(FRAMEWORK)
    full._lookups = None  # the full pass only
    assert fast._lookups is not None
    odd = dict(answers)
    code = data.draw(st.sampled_from(sorted(answers)))
    odd[code] = data.draw(st.sampled_from(ODD))
    if data.draw(st.booleans()):
        del odd[code]
    for case in (answers, odd):
        assert _outcome(fast, case) == _outcome(full, case)
    assert _outcome(fast, answers) == score(FRAMEWORK, answers)


# ---------------------------------------------------------------------- statistics


@st.composite
def counts(draw, top=100_000):
    n = draw(st.integers(1, top))
    return draw(st.integers(0, n)), n


@CHECK
@given(counts())
def test_wilson_holds_its_estimate_and_stays_in_unit_interval(kn):
    k, n = kn
    interval = wilson(k, n)
    assert interval.estimate == k / n
    assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0
    assert interval.high - interval.low > 0


@st.composite
def strata(draw):
    result = []
    for index in range(draw(st.integers(1, 8))):
        population = draw(st.integers(0, 5_000))
        respondents = draw(st.integers(0, min(population, 300)))
        successes = draw(st.integers(0, respondents))
        result.append(Stratum(f"s{index}", population, respondents, successes))
    return result


@CHECK
@given(strata())
def test_post_stratified_interval_is_sound(groups):
    result = post_stratified(groups)
    covered = [s for s in groups if s.population > 0 and s.respondents > 0]
    population = sum(s.population for s in groups)
    assert result.uncovered == tuple(s.key for s in groups if s.population > 0 and s.respondents == 0)
    if population:
        assert math.isclose(result.coverage, sum(s.population for s in covered) / population)
    assert 0.0 <= result.coverage <= 1.0
    if not covered:
        assert result.interval is None
        return
    interval = result.interval
    assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0
    # The weighted share lies between the smallest and largest stratum share.
    shares = [s.successes / s.respondents for s in covered]
    assert min(shares) - 1e-12 <= interval.estimate <= max(shares) + 1e-12
    # Unequal weights never buy a larger sample than the respondents themselves.
    assert 0 < result.effective_n <= sum(s.respondents for s in covered) + 1e-9


@st.composite
def proportional_strata(draw):
    """n_h = N_h / m in every stratum: a sample proportional to the register."""
    m = draw(st.integers(1, 50))
    result = []
    for index in range(draw(st.integers(1, 8))):
        respondents = draw(st.integers(1, 200))
        successes = draw(st.integers(0, respondents))
        result.append(Stratum(index, respondents * m, respondents, successes))
    return result


@CHECK
@given(proportional_strata())
def test_proportional_sample_gives_the_plain_wilson_interval(groups):
    k = sum(s.successes for s in groups)
    n = sum(s.respondents for s in groups)
    result = post_stratified(groups)
    plain = wilson(k, n)
    assert math.isclose(result.interval.estimate, k / n, rel_tol=0, abs_tol=1e-9)
    assert math.isclose(result.effective_n, n, rel_tol=1e-9)
    assert math.isclose(result.interval.low, plain.low, rel_tol=0, abs_tol=1e-9)
    assert math.isclose(result.interval.high, plain.high, rel_tol=0, abs_tol=1e-9)
    assert result.coverage == 1.0
    assert result.uncovered == ()
