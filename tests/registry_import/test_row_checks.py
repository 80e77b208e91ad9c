"""What the row checks do to be fast must not change what they say: a plain tax code
skips python-stdnum's long way, and a cell seen before is not checked again."""

from __future__ import annotations

import pytest
from stdnum.vn import mst

from survey.models.business import BusinessKind
from survey.registry import identifiers, register_rows
from survey.registry.register_rows import Reference, RowChecker, _identifier_problem


def the_long_way(kind: BusinessKind, text: str) -> tuple:
    """What identifiers.normalise makes of ``text``, as the row check reports it."""
    try:
        id_type, code = identifiers.normalise(kind, text)
    except identifiers.IdentifierError as exc:
        return None, None, [("tax_code", _identifier_problem(kind, text, exc.reason))]
    return code, id_type, []


def ten_digit_texts() -> list[str]:
    """Bodies of every shape the short way tests, each with every last digit: leading
    zeros, a middle of zeros (which stdnum refuses), check digits of 10 (which no last
    digit matches)."""
    bodies = [f"{n:09d}" for n in range(0, 3000, 7)]
    bodies += ["010000000", "990000000", "000000000", "999999999", "123456789"]
    bodies += [f"03{n:07d}" for n in range(40) if len(mst.calc_check_digit(f"03{n:07d}")) == 2]
    return [body + digit for body in bodies for digit in "0123456789"]


@pytest.mark.parametrize("kind", list(BusinessKind))
def test_a_plain_tax_code_comes_out_as_the_long_way_says(kind):
    texts = ten_digit_texts()
    assert any(register_rows._plain_tax_code(kind, text) for text in texts) == (
        kind in (BusinessKind.ENTERPRISE, BusinessKind.COOPERATIVE)
    )
    for text in texts:
        problems: list = []
        code, id_type = RowChecker._identifier(kind, text, text, problems)
        assert (code, id_type, problems) == the_long_way(kind, text), text


@pytest.mark.parametrize(
    "text", ["0１00233488", "0100233488 ", "0100 233488", "0100-233488", "0100.233.488", "0100233488-001"]
)
def test_other_texts_take_the_long_way(text):
    assert not register_rows._plain_tax_code(BusinessKind.ENTERPRISE, text)
    problems: list = []
    got = RowChecker._identifier(BusinessKind.ENTERPRISE, text, text, problems)
    assert (*got, problems) == the_long_way(BusinessKind.ENTERPRISE, text)


def cells(**values) -> dict:
    return {"tax_code": None, "name": "Công ty A", "unit": "11311", "sector": "C", **values}


def test_equal_cells_of_other_types_are_checked_apart(db):
    """1, 1.0 and True are one key of a dict; as cells they are not the same."""
    checker = RowChecker(Reference.load(db.session))
    outcomes = [
        checker.check(number, cells(tax_code=None, employees=value, capital_bn_vnd=value))
        for number, value in enumerate([True, 1, 1.0, "1", True], start=2)
    ]
    employees = [
        (clean["employees"], [p for p in problems if p[0] == "employees"]) for clean, problems in outcomes
    ]
    capital = [
        (clean["capital_vnd"], [p for p in problems if p[0] == "capital_bn_vnd"])
        for clean, problems in outcomes
    ]
    not_whole = [("employees", "employees 'True' is not a whole number")]
    assert employees == [(None, not_whole), (1, []), (1, []), (1, []), (None, not_whole)]
    not_amount = [
        (
            "capital_bn_vnd",
            "capital_bn_vnd 'True' is not an amount: type it in billion đồng, e.g. 12,5 "
            "(or the full amount followed by đồng, e.g. 12.500.000.000 đồng)",
        )
    ]
    assert capital == [(None, not_amount), (10**9, []), (10**9, []), (10**9, []), (None, not_amount)]


def test_a_column_of_ever_new_cells_is_still_checked_past_what_is_remembered(db, monkeypatch):
    monkeypatch.setattr(register_rows, "MEMO_SIZE", 3)
    checker = RowChecker(Reference.load(db.session), {"unit": "Phường"})
    units = ["11311", "99999", "11602", "", "88888", "11311", "99999", None]
    got = [checker.check(n, cells(unit=unit))[1] for n, unit in enumerate(units, start=2)]
    assert {column: len(memo) for column, memo in checker._memos.items() if memo} == {
        "kind": 1,  # the empty cell of every row
        "unit": 3,
        "sector": 1,
    }
    assert [[message for column, message in problems if column == "unit"] for problems in got] == [
        [],
        ["Phường '99999' is not a commune-level unit of the city"],
        [],
        ["Phường is empty"],
        ["Phường '88888' is not a commune-level unit of the city"],
        [],
        ["Phường '99999' is not a commune-level unit of the city"],
        ["Phường is empty"],
    ]


def test_a_cell_that_cannot_be_remembered_is_checked_all_the_same(db):
    checker = RowChecker(Reference.load(db.session))
    clean, problems = checker.check(2, cells(ownership=["private"]))
    assert clean["ownership"] is None
    assert problems[-1][0] == "ownership" and problems[-1][1].startswith(
        "ownership '['private']' is not one of"
    )
