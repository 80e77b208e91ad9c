"""dbi-2021-sme version 2, the Decision's instrument, scored by hand.

Every expected number here is worked out in the comment beside it from the published
rules: "no" = 0, descriptor n = n points (1.2.x: 1/3/5; 2.1.1: 5n), figure bands strictly
above 0/20/40/60/80 %, pillar bands strictly above 10/20/40/60/80 %.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.frameworks import load
from survey.scoring import InvalidAnswers, from_dict, scorer_for
from survey.scoring.definition import FrameworkError, Kind, Profile
from tests.scoring._support import zero_v2

V2 = load("dbi-2021-sme", 2)
SCORER = scorer_for(V2)
CHECK = settings(max_examples=120, deadline=None, database=None)


def card(**changes):
    return SCORER.score(zero_v2(**changes))


def test_structure_is_the_decisions():
    assert V2.wording == "official" and V2.band_comparison.value == "above"
    assert [(p.code, p.max_points, len(p.criteria)) for p in V2.pillars] == [
        ("customer", 65, 13),
        ("strategy", 25, 1),
        ("infrastructure", 80, 16),
        ("operations", 65, 13),
        ("culture", 50, 10),
        ("data", 35, 7),
    ]
    kinds = [c.kind for _, c in V2.criteria()]
    assert (kinds.count(Kind.LEVEL), kinds.count(Kind.FIGURE), kinds.count(Kind.SINGLE)) == (33, 26, 1)
    assert all(c.provisional for _, c in V2.criteria() if c.kind is Kind.FIGURE)
    assert V2.max_points == 320


def test_all_zero_is_level_zero_everywhere():
    result = card()
    assert result.total_points == 0 and result.overall_level == 0 and result.tier == "outside"
    assert {p.level for p in result.pillars} == {0}
    assert [(c.code, c.points) for c in result.components][:2] == [("1.1", 0), ("1.2", 0)]


def test_level_criterion_no_then_descriptors():
    assert card(**{"1.1.1": "no"}).criteria["1.1.1"] == 0
    assert card(**{"1.1.1": "3"}).criteria["1.1.1"] == 3
    assert card(**{"1.1.1": "5"}).criteria["1.1.1"] == 5
    # 1.2.1 has three descriptors, scored 1, 3 and 5.
    assert [card(**{"1.2.1": code}).criteria["1.2.1"] for code in ("no", "1", "2", "3")] == [0, 1, 3, 5]
    # 3.2.6: six descriptors in the source, the near-duplicate fifth dropped.
    options = next(c for _, c in V2.criteria() if c.code == "3.2.6").options
    assert [o.points for o in options] == [0, 1, 2, 3, 4, 5]
    assert options[-1].label.vi.startswith("Tất cả các cá nhân, bộ phận")


def test_unknown_descriptor_is_refused():
    with pytest.raises(InvalidAnswers, match=r"1\.1\.1: unknown option '6'"):
        card(**{"1.1.1": "6"})


@pytest.mark.parametrize(
    ("answer", "points", "level"),
    # Strategy moves in steps of 5 of 25: always on an edge, and an edge is the lower level.
    [("no", 0, 0), ("1", 5, 1), ("2", 10, 2), ("3", 15, 3), ("4", 20, 4), ("5", 25, 5)],
)
def test_strategy_pillar_at_each_step_of_five(answer, points, level):
    strategy = card(**{"2.1.1": answer}).pillar("strategy")
    assert (strategy.points, strategy.level) == (points, level)


@pytest.mark.parametrize(
    ("value", "points"),
    # 1.1.3 out of 100: strictly above 0 -> 1, above 20 -> 2, ... above 80 -> 5.
    [
        ("0", 0),
        ("1", 1),
        ("20", 1),
        ("20.01", 2),
        ("40", 2),
        ("41", 3),
        ("60", 3),
        ("80", 4),
        ("81", 5),
        ("100", 5),
    ],
)
def test_figure_band_edges_are_strictly_above(value, points):
    result = card(**{"1.1.3": {"value": value, "of": "100"}})
    assert result.criteria["1.1.3"] == points
    assert result.shares["1.1.3"] == float(value)


def test_a_figure_is_a_share_of_its_own_whole():
    # 30 of 120 = 25 % -> 2 points; 0 of 0 (no marketing spend at all) = 0 %.
    assert card(**{"1.1.3": {"value": "30", "of": "120"}}).criteria["1.1.3"] == 2
    assert card(**{"1.1.3": {"value": "0", "of": "0"}}).criteria["1.1.3"] == 0


def test_a_shared_figure_is_the_whole_of_every_criterion_that_names_it():
    # 8 of 40 staff = exactly 20 % -> 1 point; 9 of 40 = 22.5 % -> 2 points; both criteria.
    result = card(staff_total="40", **{"4.2.2": {"value": "8"}, "5.1.1": {"value": "9"}})
    assert (result.criteria["4.2.2"], result.criteria["5.1.1"]) == (1, 2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"1.1.3": {"value": "130", "of": "120"}}, "larger than the whole"),
        ({"1.1.3": {"value": "30"}}, "denominator is missing"),
        ({"1.1.3": {"value": "1e9", "of": "100"}}, "not a figure"),
        ({"1.1.3": {"value": "-1", "of": "100"}}, "not a figure"),
        ({"4.2.2": {"value": "3", "of": "10"}}, "only a value"),
        ({"staff_total": None}, "staff_total is not answered"),
        ({"staff_total": "many"}, "staff_total: a figure is a decimal string"),
    ],
)
def test_bad_figures_are_refused_with_a_reason(changes, message):
    with pytest.raises(InvalidAnswers, match=message):
        card(**changes)


def test_pillar_band_edge_is_the_lower_level():
    # Customer: 65 points. 13 = exactly 20 % -> level 1; 14 -> level 2; 6 (9.2 %) -> 0; 7 -> 1.
    assert card(**{"1.1.1": "5", "1.1.2": "5", "1.1.7": "3"}).pillar("customer").level == 1
    assert card(**{"1.1.1": "5", "1.1.2": "5", "1.1.7": "4"}).pillar("customer").level == 2
    assert card(**{"1.1.1": "5", "1.1.2": "1"}).pillar("customer").level == 0
    assert card(**{"1.1.1": "5", "1.1.2": "2"}).pillar("customer").level == 1


@pytest.mark.parametrize(
    ("total", "levels", "overall"),
    [
        (20, [1, 1, 1, 1, 1, 1], 0),  # not above 20
        (21, [1, 1, 1, 1, 0, 0], 1),
        (21, [1, 1, 1, 0, 0, 0], 0),  # only three pillars at 1
        (64, [2, 2, 2, 2, 2, 2], 1),
        (65, [2, 2, 2, 2, 0, 0], 2),
        (128, [3, 3, 3, 3, 3, 3], 2),
        (129, [3, 3, 3, 3, 0, 0], 3),
        (193, [4, 4, 4, 4, 3, 3], 3),  # level 4 needs five pillars at 4
        (193, [4, 4, 4, 4, 4, 0], 4),
        (257, [5, 5, 5, 5, 5, 4], 4),  # level 5 needs all six at 5
        (257, [5, 5, 5, 5, 5, 5], 5),
    ],
)
def test_overall_rules_at_their_thresholds(total, levels, overall):
    assert SCORER.overall_level(total, levels) == overall


def test_every_maximum_answer_is_320_and_level_5():
    best = zero_v2()
    for _, c in V2.criteria():
        best[c.code] = (
            {"value": "100"}
            if c.base
            else ({"value": "100", "of": "100"} if c.kind is Kind.FIGURE else c.options[-1].code)
        )
    result = SCORER.score(best)
    assert (result.total_points, result.overall_level) == (320, 5)
    assert [(c.code, c.points, c.max_points) for c in result.components] == [
        ("1.1", 45, 45), ("1.2", 20, 20), ("2.1", 25, 25), ("3.1", 10, 10), ("3.2", 70, 70),
        ("4.1", 30, 30), ("4.2", 35, 35), ("5.1", 25, 25), ("5.2", 25, 25), ("6.1", 35, 35),
    ]  # fmt: skip


def test_dbi_does_not_allow_not_applicable():
    with pytest.raises(InvalidAnswers, match=r"1\.1\.1: unknown option 'na'"):
        card(**{"1.1.1": "na"})


# --- the engine's other shapes, on variants of the file -------------------------------


def _raw():
    import yaml

    from survey.frameworks import FOLDER

    return yaml.safe_load((FOLDER / "dbi-2021-sme.v2.yaml").read_text(encoding="utf-8"))


def _criterion(raw, code):
    return next(
        c for p in raw["pillars"] for k in p["components"] for c in k["criteria"] if c["code"] == code
    )


def test_applicability_leaves_a_criterion_out_of_the_maximum():
    raw = _raw()
    _criterion(raw, "3.2.11")["applies_to"] = {"sectors": ["C"]}  # robots: manufacturing only
    scorer = scorer_for(from_dict(raw))
    answers = zero_v2(**{"3.2.1": "5", "3.2.2": {"value": "90", "of": "100"}})
    del answers["3.2.11"]
    shop = scorer.score(answers, Profile(entity_type="household", sector="G"))
    assert shop.pillar("infrastructure").max_points == 75
    assert next(c for c in shop.components if c.code == "3.2").max_points == 65
    # 10 of 75 = 13.3 % -> level 1; of 80 it would be 12.5 %, also 1: check the share too.
    assert shop.pillar("infrastructure").percent == round(10 * 100 / 75, 2)
    with pytest.raises(InvalidAnswers, match=r"3\.2\.11: required"):
        scorer.score(answers, Profile(entity_type="private", sector="C"))


def test_not_applicable_where_a_framework_allows_it():
    raw = _raw()
    raw["allows_not_applicable"] = True
    scorer = scorer_for(from_dict(raw))
    result = scorer.score(zero_v2(**{"2.1.1": "na", "1.1.1": "na", "1.1.2": "5"}))
    assert result.pillar("strategy").max_points == 0 and result.pillar("strategy").level == 0
    assert result.pillar("customer").max_points == 60


def test_scale_criteria_score_like_a_choice():
    raw = _raw()
    item = _criterion(raw, "5.2.4")
    item["kind"] = "scale"
    scorer = scorer_for(from_dict(raw))
    assert scorer.score(zero_v2(**{"5.2.4": "4"})).criteria["5.2.4"] == 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: _criterion(r, "1.1.3").pop("bands"), "needs bands"),
        (lambda r: _criterion(r, "4.2.2").update(base="nobody"), "unknown base nobody"),
        (lambda r: _criterion(r, "1.1.1").pop("question"), "screening question"),
        (lambda r: r["pillars"][0]["components"][0].update(max_points=44), "component 1.1: max_points is 44"),
        (lambda r: r.update(band_comparison="roughly"), "band_comparison"),
        (lambda r: r.update(rescores=2), "rescores must name an earlier version"),
    ],
)
def test_bad_shapes_are_named(change, message):
    raw = _raw()
    change(raw)
    with pytest.raises(FrameworkError, match=message):
        from_dict(raw)


# --- properties -----------------------------------------------------------------------

CRITERIA = [c for _, c in V2.criteria()]


@st.composite
def v2_answers(draw):
    answers = {"staff_total": str(draw(st.integers(0, 500))), "revenue_3m": str(draw(st.integers(0, 10**6)))}
    for c in CRITERIA:
        if c.kind is Kind.FIGURE:
            whole = int(answers[c.base]) if c.base else draw(st.integers(0, 1000))
            part = str(draw(st.integers(0, whole)))
            answers[c.code] = {"value": part} if c.base else {"value": part, "of": str(whole)}
        else:
            answers[c.code] = draw(st.sampled_from([o.code for o in c.options]))
    return answers


def _raise(answers, criterion):
    """The same answers with ``criterion`` one step better (None if it is at its best)."""
    better = copy.deepcopy(answers)
    if criterion.kind is Kind.FIGURE:
        whole = int(answers[criterion.base] if criterion.base else answers[criterion.code]["of"])
        value = int(answers[criterion.code]["value"])
        if value >= whole:
            return None
        better[criterion.code]["value"] = str(value + 1)
    else:
        codes = [o.code for o in criterion.options]
        index = codes.index(answers[criterion.code])
        if index + 1 == len(codes):
            return None
        better[criterion.code] = codes[index + 1]
    return better


@CHECK
@given(v2_answers(), st.sampled_from(CRITERIA))
def test_monotone_in_every_answer(answers, criterion):
    better = _raise(answers, criterion)
    if better is None:
        return
    before, after = SCORER.score(answers), SCORER.score(better)
    assert after.total_points >= before.total_points
    assert after.overall_level >= before.overall_level
    for old, new in zip(before.pillars, after.pillars, strict=True):
        assert new.points >= old.points and new.level >= old.level
    for old, new in zip(before.components, after.components, strict=True):
        assert new.points >= old.points


@CHECK
@given(v2_answers())
def test_components_add_up_to_their_pillars(answers):
    result = SCORER.score(answers)
    for pillar in result.pillars:
        assert sum(c.points for c in result.components if c.pillar == pillar.code) == pillar.points
    assert sum(result.criteria.values()) == result.total_points
