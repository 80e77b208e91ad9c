"""Scorecards computed by hand at every boundary of the DBI 2021 rules.

Pillar levels: < 10% → 0, 10% → 1, 20% → 2, 40% → 3, 60% → 4, 80% → 5 (inclusive
lower bounds, exact arithmetic). Overall level, the highest that holds: 1 needs total
> 20 and ≥ 4 pillars at ≥ 1; 2: > 64 and ≥ 4 at ≥ 2; 3: > 128 and ≥ 4 at ≥ 3; 4: > 192
and ≥ 5 at ≥ 4; 5: > 256 and all 6 at 5. Tiers: engaged ≥ 3, preparing = 2, outside.
"""

from __future__ import annotations

import pytest

from survey.scoring import InvalidAnswers, Scorer, from_dict, score, scorer_for
from tests.scoring._support import (
    PILLAR_CODES,
    answers_with,
    dbi,
    pillar_def,
    points_criterion,
    raw_dbi,
    recommendation_text,
    synthetic,
    synthetic_answers,
    synthetic_definition,
    text,
)

DBI_PILLARS = ("customer", "strategy", "infrastructure", "operations", "culture", "data")


def dbi_card(**points):
    framework = dbi()
    card = score(framework, answers_with(framework, points))
    # The builder must have produced exactly the points asked for.
    assert {p.code: p.points for p in card.pillars} == {code: points.get(code, 0) for code in DBI_PILLARS}
    return card


# ---------------------------------------------------------------- pillar levels


@pytest.mark.parametrize(
    ("pillar", "points", "level", "percent"),
    [
        # culture, max 50: 5 = 10%, 10 = 20%, 20 = 40%, 30 = 60%, 40 = 80%
        ("culture", 0, 0, 0.0),
        ("culture", 4, 0, 8.0),
        ("culture", 5, 1, 10.0),
        ("culture", 9, 1, 18.0),
        ("culture", 10, 2, 20.0),
        ("culture", 19, 2, 38.0),
        ("culture", 20, 3, 40.0),
        ("culture", 29, 3, 58.0),
        ("culture", 30, 4, 60.0),
        ("culture", 39, 4, 78.0),
        ("culture", 40, 5, 80.0),
        ("culture", 50, 5, 100.0),
        # infrastructure, max 80: 8 = 10%, 16 = 20%, 32 = 40%, 48 = 60%, 64 = 80%
        ("infrastructure", 7, 0, 8.75),
        ("infrastructure", 8, 1, 10.0),
        ("infrastructure", 15, 1, 18.75),
        ("infrastructure", 16, 2, 20.0),
        ("infrastructure", 31, 2, 38.75),
        ("infrastructure", 32, 3, 40.0),
        ("infrastructure", 47, 3, 58.75),
        ("infrastructure", 48, 4, 60.0),
        ("infrastructure", 63, 4, 78.75),
        ("infrastructure", 64, 5, 80.0),
        ("infrastructure", 80, 5, 100.0),
        # customer, max 65: 10% is 6.5 points, so 7 is the least reaching level 1
        ("customer", 6, 0, 9.23),
        ("customer", 7, 1, 10.77),
        ("customer", 12, 1, 18.46),
        ("customer", 13, 2, 20.0),
        ("customer", 25, 2, 38.46),
        ("customer", 26, 3, 40.0),
        ("customer", 38, 3, 58.46),
        ("customer", 39, 4, 60.0),
        ("customer", 51, 4, 78.46),
        ("customer", 52, 5, 80.0),
        ("customer", 65, 5, 100.0),
        # operations, max 65, same bands as customer
        ("operations", 6, 0, 9.23),
        ("operations", 7, 1, 10.77),
        ("operations", 13, 2, 20.0),
        ("operations", 51, 4, 78.46),
        ("operations", 52, 5, 80.0),
        # data, max 35: 10% is 3.5 points
        ("data", 3, 0, 8.57),
        ("data", 4, 1, 11.43),
        ("data", 6, 1, 17.14),
        ("data", 7, 2, 20.0),
        ("data", 13, 2, 37.14),
        ("data", 14, 3, 40.0),
        ("data", 20, 3, 57.14),
        ("data", 21, 4, 60.0),
        ("data", 27, 4, 77.14),
        ("data", 28, 5, 80.0),
        ("data", 35, 5, 100.0),
        # strategy, max 25, one criterion in steps of 5: 5 = 20%, 10 = 40%, ...
        ("strategy", 0, 0, 0.0),
        ("strategy", 5, 2, 20.0),
        ("strategy", 10, 3, 40.0),
        ("strategy", 15, 4, 60.0),
        ("strategy", 20, 5, 80.0),
        ("strategy", 25, 5, 100.0),
    ],
)
def test_pillar_level_at_band_boundaries(pillar, points, level, percent):
    card = dbi_card(**{pillar: points})
    scored = card.pillar(pillar)
    assert scored.points == points
    assert scored.level == level
    assert scored.percent == percent
    for other in card.pillars:
        if other.code != pillar:
            assert (other.points, other.level, other.percent) == (0, 0, 0.0)
    assert card.total_points == points


def test_pillar_maxima_on_the_scorecard():
    card = dbi_card(customer=1)
    assert {p.code: p.max_points for p in card.pillars} == {
        "customer": 65,
        "strategy": 25,
        "infrastructure": 80,
        "operations": 65,
        "culture": 50,
        "data": 35,
    }
    assert card.max_points == 320
    assert card.pillar("customer").percent == 1.54  # 1/65 = 1.538…%


@pytest.mark.parametrize(
    ("top", "bands", "expected"),
    [
        # 9/125 is exactly 7.2%, yet 9 / 125 * 100 == 7.199999999999999 in floats.
        (125, [7.2, 20, 40, 60, 80], {8: 0, 9: 1, 24: 1, 25: 2, 49: 2, 50: 3, 74: 3, 75: 4, 99: 4, 100: 5}),
        # 81/375 is exactly 21.6%, yet math.ceil(21.6 * 375 / 100) == 82 in floats (likewise
        # 43.2%, 74.4% and 86.4% of 375).
        (
            375,
            [7.2, 21.6, 43.2, 74.4, 86.4],
            {26: 0, 27: 1, 80: 1, 81: 2, 161: 2, 162: 3, 278: 3, 279: 4, 323: 4, 324: 5, 375: 5},
        ),
    ],
)
def test_band_boundary_is_exact_where_floats_are_not(top, bands, expected):
    pillars = [pillar_def("alpha", [points_criterion("AL01", top)])]
    pillars += [pillar_def(name, [points_criterion(f"{name[:2].upper()}01", 5)]) for name in PILLAR_CODES[1:]]
    framework = synthetic(pillars=pillars, bands=bands)
    for points, level in expected.items():
        card = score(framework, synthetic_answers(points, 0, 0, 0, 0, 0))
        assert card.pillar("alpha").level == level, points


def test_percent_is_of_the_pillar_maximum():
    card = dbi_card(customer=13, strategy=5, infrastructure=5, operations=20, culture=1, data=1)
    assert [p.percent for p in card.pillars] == [20.0, 20.0, 6.25, 30.77, 2.0, 2.86]


# ---------------------------------------------------------------- overall level, real file


def test_nothing_at_all():
    card = dbi_card()
    assert (card.total_points, card.overall_level, card.tier) == (0, 0, "outside")
    assert [p.level for p in card.pillars] == [0] * 6


def test_everything():
    framework = dbi()
    answers = {}
    for _, criterion in framework.criteria():
        best = [o.code for o in criterion.options if o.points > 0]
        answers[criterion.code] = best if criterion.kind.value == "multi" else criterion.options[-1].code
    card = score(framework, answers)
    assert (card.total_points, card.max_points, card.overall_level, card.tier) == (320, 320, 5, "engaged")
    assert [(p.level, p.percent) for p in card.pillars] == [(5, 100.0)] * 6


@pytest.mark.parametrize(
    ("points", "total", "levels", "overall"),
    [
        # Every pillar at exactly 20%: all at level 2, but 64 is not > 64.
        ((13, 5, 16, 13, 10, 7), 64, [2] * 6, 1),
        ((13, 5, 16, 13, 11, 7), 65, [2] * 6, 2),
        # Every pillar at exactly 40%: 128 is not > 128.
        ((26, 10, 32, 26, 20, 14), 128, [3] * 6, 2),
        ((26, 10, 32, 26, 21, 14), 129, [3] * 6, 3),
        # Every pillar at exactly 60%: 192 is not > 192.
        ((39, 15, 48, 39, 30, 21), 192, [4] * 6, 3),
        ((39, 15, 48, 39, 31, 21), 193, [4] * 6, 4),
        # Every pillar at exactly 80%: all at level 5, yet 256 is not > 256.
        ((52, 20, 64, 52, 40, 28), 256, [5] * 6, 4),
        ((52, 20, 64, 52, 41, 28), 257, [5] * 6, 5),
        # The least that reaches level 1: four pillars at level ≥ 1, 21 points.
        ((7, 5, 0, 0, 5, 4), 21, [1, 2, 0, 0, 1, 1], 1),
        # Three pillars at level ≥ 1 (operations at 6/65 is still level 0).
        ((0, 5, 0, 6, 5, 4), 20, [0, 2, 0, 0, 1, 1], 0),
        # Plenty of points, but only three pillars at level ≥ 1.
        ((65, 25, 80, 0, 0, 0), 170, [5, 5, 5, 0, 0, 0], 0),
        # Five pillars at 5 and one at 4 (data 27/35): never level 5.
        ((65, 25, 80, 65, 50, 27), 312, [5, 5, 5, 5, 5, 4], 4),
        # Four pillars at ≥ 4, two at 3: level 3 despite 297 points.
        ((65, 25, 80, 65, 29, 20), 284, [5, 5, 5, 5, 3, 3], 3),
    ],
)
def test_overall_level_on_the_real_framework(points, total, levels, overall):
    card = dbi_card(**dict(zip(DBI_PILLARS, points, strict=True)))
    assert card.total_points == total
    assert [p.level for p in card.pillars] == levels
    assert card.overall_level == overall


# --------------------------------------------------------- overall level, synthetic


@pytest.mark.parametrize(
    ("points", "overall"),
    [
        # Pillars of 50 points: level 1..5 from 5, 10, 20, 30, 40 points.
        ((5, 5, 5, 5, 0, 0), 0),  # four pillars at 1, total exactly 20
        ((5, 5, 5, 6, 0, 0), 1),  # 21
        ((10, 10, 10, 10, 24, 0), 1),  # five pillars at ≥ 2, total exactly 64
        ((10, 10, 10, 10, 25, 0), 2),  # 65
        ((20, 20, 20, 20, 48, 0), 2),  # five pillars at ≥ 3, total exactly 128
        ((20, 20, 20, 20, 49, 0), 3),  # 129
        ((30, 30, 30, 30, 30, 42), 3),  # six pillars at ≥ 4, total exactly 192
        ((30, 30, 30, 30, 30, 43), 4),  # 193
        ((43, 43, 43, 43, 42, 42), 4),  # all six at 5, total exactly 256
        ((43, 43, 43, 43, 43, 42), 5),  # 257
    ],
    ids=lambda value: "-".join(map(str, value)) if isinstance(value, tuple) else str(value),
)
def test_overall_level_at_total_boundaries(points, overall):
    card = score(synthetic(), synthetic_answers(*points))
    assert card.total_points == sum(points)
    assert card.overall_level == overall


@pytest.mark.parametrize(
    ("points", "overall"),
    [
        # Enough points for level 1, but only three pillars at ≥ 1 (the fourth at 4/50) ...
        ((40, 40, 20, 4, 0, 0), 0),
        # ... and one point more brings the fourth to level 1.
        ((40, 40, 20, 5, 0, 0), 1),
        # 177 > 64, but only three pillars at ≥ 2 (the rest at 9/50, level 1).
        ((50, 50, 50, 9, 9, 9), 1),
        ((50, 50, 50, 10, 9, 9), 2),
        # 207 > 128, but only three pillars at ≥ 3.
        ((50, 50, 50, 19, 19, 19), 2),
        ((50, 50, 50, 20, 19, 19), 3),
        # 258 > 192 (and > 256), but only four pillars at ≥ 4: level 4 needs five.
        ((50, 50, 50, 50, 29, 29), 3),
        ((50, 50, 50, 50, 30, 29), 4),
        # 289 > 256, but one pillar at level 4 (39/50): level 5 needs all six at 5.
        ((50, 50, 50, 50, 50, 39), 4),
        ((50, 50, 50, 50, 50, 40), 5),
        # All six at level 5 is not enough without the points: 240 is not > 256.
        ((40, 40, 40, 40, 40, 40), 4),
        ((50, 50, 50, 50, 50, 50), 5),
    ],
    ids=lambda value: "-".join(map(str, value)) if isinstance(value, tuple) else str(value),
)
def test_overall_level_needs_enough_pillars(points, overall):
    card = score(synthetic(), synthetic_answers(*points))
    assert card.overall_level == overall


@pytest.mark.parametrize(
    ("points", "overall", "tier"),
    [
        ((0, 0, 0, 0, 0, 0), 0, "outside"),
        ((5, 5, 5, 6, 0, 0), 1, "outside"),
        ((10, 10, 10, 10, 25, 0), 2, "preparing"),
        ((20, 20, 20, 20, 49, 0), 3, "engaged"),
        ((30, 30, 30, 30, 30, 43), 4, "engaged"),
        ((50, 50, 50, 50, 50, 50), 5, "engaged"),
    ],
)
def test_tier_for_each_level(points, overall, tier):
    card = score(synthetic(), synthetic_answers(*points))
    assert (card.overall_level, card.tier) == (overall, tier)


def test_tiers_of_the_real_framework_by_level():
    scorer = Scorer(dbi())
    assert [scorer.tier(level) for level in range(6)] == [
        "outside",
        "outside",
        "preparing",
        "engaged",
        "engaged",
        "engaged",
    ]


def test_tiers_are_read_from_the_framework():
    data = synthetic_definition()
    data["tiers"] = [
        {"code": "top", "min_level": 5, "name": text("top")},
        {"code": "some", "min_level": 1, "name": text("some")},
        {"code": "none", "min_level": 0, "name": text("none")},
    ]
    scorer = Scorer(from_dict(data, "tiers"))
    assert [scorer.tier(level) for level in range(6)] == ["none", "some", "some", "some", "some", "top"]


# ---------------------------------------------------------------- multi-choice


def test_multi_choice_scores_the_sum_of_its_options():
    framework = dbi()
    answers = answers_with(framework, {})
    for chosen, points in [
        ([], 0),
        (["none"], 0),
        (["facebook"], 1),
        (["facebook", "zalo_oa", "tiktok"], 3),
        (["facebook", "zalo_oa", "tiktok", "youtube", "google_business"], 5),
    ]:
        card = score(framework, {**answers, "CX02": chosen})
        assert card.criteria["CX02"] == points, chosen
        assert card.pillar("customer").points == points


def test_multi_choice_is_capped_at_its_max_points():
    framework = dbi()
    all_six = ["facebook", "zalo_oa", "tiktok", "youtube", "google_business", "email_sms"]
    card = score(framework, {**answers_with(framework, {}), "CX02": all_six})
    assert card.criteria["CX02"] == 5
    assert card.pillar("customer").points == 5
    assert card.total_points == 5
    # With the rest of the pillar at its maximum the pillar stays at 65, not 66.
    full = answers_with(framework, {"customer": 65})
    card = score(framework, {**full, "CX02": all_six})
    assert card.pillar("customer").points == 65
    assert card.pillar("customer").percent == 100.0


def test_multi_choice_cap_with_options_worth_more_than_one():
    multi = {
        "code": "AL01",
        "text": text("which"),
        "kind": "multi",
        "max_points": 5,
        "options": [
            {"code": "a", "points": 3, "label": text("a")},
            {"code": "b", "points": 3, "label": text("b")},
            {"code": "c", "points": 2, "label": text("c")},
            {"code": "zero", "points": 0, "label": text("zero")},
        ],
    }
    pillars = [pillar_def("alpha", [multi, points_criterion("AL02", 45)])]
    pillars += [
        pillar_def(name, [points_criterion(f"{name[:2].upper()}01", 50)]) for name in PILLAR_CODES[1:]
    ]
    framework = synthetic(pillars=pillars)
    assert framework.pillars[0].max_points == 50
    rest = {f"{name[:2].upper()}01": "p0" for name in PILLAR_CODES[1:]}
    for chosen, points in [(["a"], 3), (["a", "c"], 5), (["a", "b"], 5), (["a", "b", "c"], 5), (["zero"], 0)]:
        card = score(framework, {**rest, "AL01": chosen, "AL02": "p0"})
        assert card.criteria["AL01"] == points, chosen
        assert card.pillar("alpha").points == points


# ------------------------------------------------------------------- validation


def valid_dbi_answers() -> dict:
    return answers_with(dbi(), {"customer": 20, "culture": 12})


@pytest.mark.parametrize(
    ("change", "criterion", "words"),
    [
        (lambda a: a.update(XX99="1"), "XX99", "unknown criterion"),
        (lambda a: a.update(CX01="no_such_option"), "CX01", "unknown option"),
        (lambda a: a.update(CX04=5), "CX04", "unknown option"),  # points, not the option code "5"
        (lambda a: a.update(CX02=["facebook", "no_such_option"]), "CX02", "unknown option"),
        (lambda a: a.update(CX01=["basic"]), "CX01", "not a list"),
        (lambda a: a.update(CX02="facebook"), "CX02", "list"),
        (lambda a: a.update(DA01=["sales", "hr", "sales"]), "DA01", "more than once"),
        (lambda a: a.pop("CU05"), "CU05", "required"),
        (lambda a: a.update(ST01=None), "ST01", "required"),
    ],
    ids=[
        "unknown-criterion",
        "unknown-option",
        "points-instead-of-option",
        "unknown-multi-option",
        "list-to-single",
        "string-to-multi",
        "repeated-option",
        "missing",
        "none",
    ],
)
def test_each_invalid_answer_names_its_criterion(change, criterion, words):
    answers = valid_dbi_answers()
    change(answers)
    scorer = scorer_for(dbi())
    problems = scorer.validate(answers)
    assert [p.criterion for p in problems] == [criterion]
    assert words in problems[0].message
    with pytest.raises(InvalidAnswers) as caught:
        score(dbi(), answers)
    assert [p.criterion for p in caught.value.problems] == [criterion]
    assert criterion in str(caught.value)


def test_valid_answers_have_no_problems():
    assert scorer_for(dbi()).validate(valid_dbi_answers()) == []


def test_every_problem_is_reported_at_once():
    answers = valid_dbi_answers()
    answers.update(XX99="x", CX01=["basic"], CX02="facebook", DA01=["hr", "hr"], IT06="gold")
    del answers["CU05"], answers["OP13"]
    with pytest.raises(InvalidAnswers) as caught:
        score(dbi(), answers)
    assert sorted(p.criterion for p in caught.value.problems) == sorted(
        ["XX99", "CX01", "CX02", "DA01", "IT06", "CU05", "OP13"]
    )


def test_answers_must_be_a_mapping():
    with pytest.raises(InvalidAnswers):
        score(dbi(), [("CX01", "none")])


def test_optional_criterion_may_be_left_out():
    data = synthetic_definition()
    data["pillars"][0]["criteria"].append(points_criterion("AL02", 5, required=False))
    data["pillars"][0]["max_points"] = 55
    framework = from_dict(data, "optional")
    answers = synthetic_answers(10, 0, 0, 0, 0, 0)
    assert score(framework, answers).pillar("alpha").points == 10
    assert score(framework, {**answers, "AL02": None}).criteria["AL02"] == 0
    assert score(framework, {**answers, "AL02": "p4"}).pillar("alpha").points == 14
    with pytest.raises(InvalidAnswers) as caught:
        score(framework, {**answers, "AL02": "p6"})
    assert [p.criterion for p in caught.value.problems] == ["AL02"]


# -------------------------------------------------------------- recommendations


def test_recommendation_is_the_framework_text_for_the_pillar_level():
    card = dbi_card(customer=13, strategy=0, infrastructure=80, operations=39, culture=20, data=4)
    assert [p.level for p in card.pillars] == [2, 0, 5, 4, 3, 1]
    raw = raw_dbi()
    for scored, raw_pillar in zip(card.pillars, raw["pillars"], strict=True):
        wanted = raw_pillar["recommendations"][scored.level]
        assert (scored.recommendation.vi, scored.recommendation.en) == (wanted["vi"], wanted["en"]), (
            scored.code
        )
    # Different levels give different advice (the file does not repeat itself).
    other = dbi_card(customer=52)
    assert other.pillar("customer").recommendation.en == raw["pillars"][0]["recommendations"][5]["en"]
    assert other.pillar("customer").recommendation != card.pillar("customer").recommendation


def test_recommendation_follows_each_level_on_a_synthetic_framework():
    framework = synthetic()
    for points, level in [(0, 0), (5, 1), (10, 2), (20, 3), (30, 4), (40, 5)]:
        card = score(framework, synthetic_answers(0, points, 0, 0, 0, 0))
        wanted = recommendation_text("beta", level)
        assert card.pillar("beta").recommendation.en == wanted["en"]
        assert card.pillar("beta").recommendation.vi == wanted["vi"]
        assert card.pillar("alpha").recommendation.en == recommendation_text("alpha", 0)["en"]


# ------------------------------------------------------------- scorecard contract


def test_scorecard_to_dict():
    card = dbi_card(customer=13, culture=50)
    assert card.to_dict() == {
        "total_points": 63,
        "overall_level": 0,
        "tier": "outside",
        "pillars": {
            "customer": {"points": 13, "max_points": 65, "percent": 20.0, "level": 2},
            "strategy": {"points": 0, "max_points": 25, "percent": 0.0, "level": 0},
            "infrastructure": {"points": 0, "max_points": 80, "percent": 0.0, "level": 0},
            "operations": {"points": 0, "max_points": 65, "percent": 0.0, "level": 0},
            "culture": {"points": 50, "max_points": 50, "percent": 100.0, "level": 5},
            "data": {"points": 0, "max_points": 35, "percent": 0.0, "level": 0},
        },
    }
    assert (card.framework, card.version) == ("dbi-2021-sme", 1)
    assert len(card.criteria) == 60
    assert sum(card.criteria.values()) == 63


def test_scorer_is_cached_per_framework_content():
    first = synthetic()
    assert scorer_for(first) is scorer_for(synthetic())
    data = synthetic_definition()
    data["pillars"][0]["criteria"][0]["text"]["en"] = "changed"
    assert scorer_for(from_dict(data, "changed")) is not scorer_for(first)
