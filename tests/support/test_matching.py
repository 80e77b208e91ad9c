"""Which programmes fit a firm, and in what order (survey.support.matching, pure)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from survey.scoring.scorecard import PillarScore
from survey.support.matching import Why, fits, matches, weakest_pillar
from tests.support.helpers import TODAY, firm, programme


def names(found) -> list[str]:
    return [m.programme.name for m in found]


def test_a_programme_with_empty_lists_serves_everyone():
    assert fits(programme(), firm())
    assert fits(programme(), firm(overall_level=None, pillar_levels={}, size_class=None, kind=None))


@pytest.mark.parametrize(
    ("fields", "facts", "expected"),
    [
        ({"sizes": ["micro", "small"]}, {"size_class": "small"}, True),
        ({"sizes": ["micro", "small"]}, {"size_class": "medium"}, False),
        ({"sizes": ["micro"]}, {"size_class": None}, False),
        ({"kinds": ["household", "individual"]}, {"kind": "household"}, True),
        ({"kinds": ["household", "individual"]}, {"kind": "enterprise"}, False),
        ({"needs": ["cloud", "training"]}, {"needs": frozenset({"training", "finance"})}, True),
        ({"needs": ["cloud", "training"]}, {"needs": frozenset({"finance"})}, False),
        ({"needs": ["cloud"]}, {"needs": frozenset()}, False),
        # Levels alone: the overall level.
        ({"levels": [0, 1]}, {"overall_level": 1}, True),
        ({"levels": [0, 1]}, {"overall_level": 2}, False),
        ({"levels": [0, 1]}, {"overall_level": None}, False),
        # Pillars and levels together: one of the pillars at one of the levels.
        ({"pillars": ["strategy", "customer"], "levels": [2, 3]}, {}, True),  # customer at 2
        ({"pillars": ["strategy"], "levels": [2, 3]}, {}, False),  # strategy at 1, overall 1
        ({"pillars": ["strategy"], "levels": [1]}, {"overall_level": 4}, True),
        # Pillars alone: any level of them, but the firm must have the pillar scored.
        ({"pillars": ["data"]}, {}, True),
        ({"pillars": ["operations"]}, {}, False),
    ],
)
def test_every_filled_list_must_fit(fields, facts, expected):
    assert fits(programme(**fields), firm(**facts)) is expected


def test_all_lists_must_fit_at_once():
    p = programme(sizes=["micro"], kinds=["enterprise"], needs=["cloud"], pillars=["data"], levels=[0])
    assert fits(p, firm(needs=frozenset({"cloud"})))
    assert not fits(p, firm(needs=frozenset({"cloud"}), size_class="small"))
    assert not fits(p, firm(needs=frozenset({"cloud"}), kind="cooperative"))
    assert not fits(p, firm(needs=frozenset({"cloud"}), pillar_levels={"data": 1}))
    assert not fits(p, firm())


def test_only_active_programmes_running_today_match():
    day = timedelta(days=1)
    running = [
        programme(name="a", starts_on=TODAY, ends_on=TODAY),
        programme(name="b", starts_on=TODAY - day),
        programme(name="c", ends_on=TODAY + day),
    ]
    not_running = [
        programme(name="x", starts_on=TODAY + day),
        programme(name="y", ends_on=TODAY - day),
        programme(name="z", active=False),
    ]
    assert names(matches([*not_running, *running], firm(), TODAY)) == ["a", "b", "c"]


def test_needs_first_then_the_weakest_pillar_then_the_rest_by_name():
    found = matches(
        [
            programme(name="Đào tạo"),
            programme(name="bán hàng", pillars=["customer"]),
            programme(name="Dữ liệu", pillars=["data"], levels=[0, 1]),
            programme(name="Dữ liệu nâng cao", pillars=["data", "customer"], levels=[2]),
            programme(name="Đám mây", needs=["cloud"]),
            programme(name="An toàn", needs=["security", "cloud"], pillars=["data"]),
            programme(name="Chiến lược", pillars=["strategy", "data"]),
        ],
        firm(needs=frozenset({"cloud"})),
        TODAY,
    )
    assert names(found) == [
        "An toàn",
        "Đám mây",
        "Chiến lược",
        "Dữ liệu",
        "bán hàng",
        "Dữ liệu nâng cao",  # for data, but at level 2: it fits through customer only
        "Đào tạo",
    ]
    assert [m.why for m in found] == [Why.NEED] * 2 + [Why.WEAKEST] * 2 + [Why.OTHER] * 3
    assert found[0].needs == ("cloud",) and found[0].for_weakest
    assert found[2].for_weakest and not found[2].needs


def test_the_order_does_not_depend_on_the_order_read():
    ps = [programme(name=n) for n in ("b", "A", "c", "a")]
    first = names(matches(ps, firm(), TODAY))
    assert first == names(matches(list(reversed(ps)), firm(), TODAY))
    assert [n.casefold() for n in first] == ["a", "a", "b", "c"]


def test_the_weakest_pillar_is_the_lowest_share_the_first_on_ties():
    def score(points, maximum):
        return PillarScore("x", points, maximum, 0.0, 0, None)

    assert weakest_pillar([("a", score(5, 10)), ("b", score(2, 10)), ("c", score(1, 5))]) == "b"
    assert weakest_pillar([("a", score(0, 0)), ("b", score(9, 10))]) == "b"
    assert weakest_pillar([]) is None


def test_dates_are_days_not_times():
    p = programme(starts_on=date(2026, 5, 15), ends_on=date(2026, 5, 15))
    assert names(matches([p], firm(), date(2026, 5, 15))) == [p.name]
    assert matches([p], firm(), date(2026, 5, 16)) == []
