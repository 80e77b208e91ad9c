"""Each rule a staff member can break in a workbook, on its own: the report names the
sheet, the row and the column, and says what is wrong in the staff member's language.

Every case edits one cell of a packaged version's export (which reads back clean, see
test_round_trip), so the problem reported is the one that cell makes.
"""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from flask_babel import force_locale, gettext

from survey.instruments import Problem
from tests.instruments.workbooks import edited, exported, problems

FRAMEWORK = ("dbi-2021-sme", 2)
MODULE = ("readiness", 1)
VI, EN = "label::Tiếng Việt (vi)", "label::English (en)"

#: (instrument, sheet, the row to edit, the edit, the column reported, msgid, its values).
#: Rows of dbi-2021-sme v2's survey sheet: 4 pillar customer, 5 component 1.1, 6 criterion
#: 1.1.1's group, 7 its screening question, 8 its descriptors, 10 criterion 1.1.2's group.
CASES = {
    "missing choice list": (
        FRAMEWORK, "survey", {"name": "c1_1_1_answer"}, {"type": "select_one nope"},
        "type", "The choices sheet has no list %(list)s.", {"list": "nope"},
    ),
    "missing choice list, module": (
        MODULE, "survey", {"name": "lead_vision"}, {"type": "select_one nope"},
        "type", "The choices sheet has no list %(list)s.", {"list": "nope"},
    ),
    "points do not sum to the pillar maximum": (
        FRAMEWORK, "survey", {"name": "customer"}, {"max_points": 66},
        "max_points", "The maximum is %(max)s but the criteria inside add up to %(sum)s.",
        {"max": 66, "sum": 65},
    ),
    "points do not sum to the component maximum": (
        FRAMEWORK, "survey", {"name": "c1_1"}, {"max_points": 44},
        "max_points", "The maximum is %(max)s but the criteria inside add up to %(sum)s.",
        {"max": 44, "sum": 45},
    ),
    "pillar band does not increase": (
        FRAMEWORK, "pillar_bands", {"level": 3}, {"percent": 15},
        "percent", "Bands must increase: %(value)s is not above %(previous)s in row %(row)s.",
        {"value": 15, "previous": 20, "row": 3},
    ),
    "figure band does not increase": (
        FRAMEWORK, "figure_bands", {"criterion": "1.1.3", "points": 2}, {"percent": 0},
        "percent", "A criterion's bands must rise: %(value)s is not above %(previous)s in row %(row)s.",
        {"value": 0, "previous": 0, "row": 2},
    ),
    "unknown relevant reference": (
        FRAMEWORK, "survey", {"name": "c1_1_1_answer"}, {"relevant": "${c1_1_1_scren} = 'yes'"},
        "relevant", "${%(name)s} names no question of the survey sheet.", {"name": "c1_1_1_scren"},
    ),
    "duplicate code": (
        FRAMEWORK, "survey", {"name": "c1_1_2"}, {"code": "1.1.1"},
        "code", "The code %(code)s is used twice (first in row %(row)s).", {"code": "1.1.1", "row": 6},
    ),
    "duplicate name": (
        FRAMEWORK, "survey", {"name": "c1_1_2"}, {"name": "c1_1_1"},
        "name", "The name %(name)s is used twice (first in row %(row)s).", {"name": "c1_1_1", "row": 6},
    ),
    "duplicate question code, module": (
        MODULE, "survey", {"name": "lead_priority"}, {"name": "lead_vision"},
        "name", "The name %(name)s is used twice (first in row %(row)s).", {"name": "lead_vision", "row": 3},
    ),
    "duplicate choice": (
        FRAMEWORK, "choices", {"list_name": "c1_1_1", "name": "2"}, {"name": "1"},
        "name", "%(name)s is in list %(list)s twice (first in row %(row)s).",
        {"name": "1", "list": "c1_1_1", "row": 4},
    ),
    "label missing in English": (
        FRAMEWORK, "survey", {"name": "c1_1_1"}, {EN: None},
        EN, "The text is missing in this language.", {},
    ),
    "label missing in Vietnamese": (
        FRAMEWORK, "choices", {"list_name": "c1_1_1", "name": "2"}, {VI: None},
        VI, "The text is missing in this language.", {},
    ),
    "label missing in Vietnamese, module": (
        MODULE, "survey", {"name": "lead_vision"}, {VI: None},
        VI, "The text is missing in this language.", {},
    ),
}  # fmt: skip


def _broken(case: str) -> tuple[bytes, str, int, str, str, dict]:
    instrument, sheet, where, changes, column, msgid, values = CASES[case]
    data, row = edited(exported(*instrument), sheet, where, **changes)
    return data, sheet, row, column, msgid, values


@pytest.mark.parametrize("case", CASES)
def test_each_problem_names_sheet_row_and_column_in_english(case):
    data, sheet, row, column, msgid, values = _broken(case)
    expected = Problem(sheet, row, column, msgid % values)
    found = problems(data)
    assert expected in found, found
    assert str(expected) == f"sheet {sheet}, row {row}, column {column}: {msgid % values}"


@pytest.mark.parametrize("case", CASES)
def test_each_problem_is_said_in_vietnamese(app, case):
    data, sheet, row, column, msgid, values = _broken(case)
    with app.test_request_context(), force_locale("vi"):
        message = gettext(msgid, **values)
        found = problems(data)
        said = [str(p) for p in found]
    assert message != msgid % values, "no Vietnamese for this message in the catalogue"
    assert Problem(sheet, row, column, message) in found
    assert f"trang {sheet}, dòng {row}, cột {column}: {message}" in said


def test_the_problem_lands_on_the_total_not_on_the_option_changed():
    """An option's points changed on the choices sheet: the sums that no longer hold are
    the pillar's and the component's, reported on their rows."""
    data, _row = edited(exported(*FRAMEWORK), "choices", {"list_name": "c1_1_1", "name": "5"}, points=6)
    assert problems(data) == [
        Problem("survey", 4, "max_points", "The maximum is 65 but the criteria inside add up to 66."),
        Problem("survey", 5, "max_points", "The maximum is 45 but the criteria inside add up to 46."),
    ]


def test_every_problem_of_a_workbook_is_reported_at_once():
    data, _row = edited(exported(*FRAMEWORK), "survey", {"name": "c1_1_1_answer"}, type="select_one nope")
    data, _row = edited(data, "pillar_bands", {"level": 3}, percent=15)
    data, _row = edited(data, "choices", {"list_name": "c1_1_2", "name": "2"}, **{EN: None})
    assert {(p.sheet, p.row, p.column) for p in problems(data)} == {
        ("survey", 8, "type"),
        ("choices", 4, "list_name"),  # c1_1_1's own list, now used by nothing
        ("pillar_bands", 4, "percent"),
        ("choices", 10, EN),
    }


def test_a_criterions_own_list_it_does_not_use_is_not_dropped_unseen():
    data, _row = edited(exported(*FRAMEWORK), "survey", {"name": "c1_1_2_answer"}, type="select_one c1_1_7")
    assert Problem(
        "choices", 9, "list_name", "Criterion c1_1_2 does not use list c1_1_2: remove the list or use it."
    ) in problems(data)


def test_the_validators_complaint_is_put_back_in_its_row():
    """A rule the definition's own validator holds (a figure band's percent is never below
    0) still names the sheet, the row and the column."""
    data, row = edited(exported(*FRAMEWORK), "figure_bands", {"criterion": "1.1.3", "points": 1}, percent=-5)
    [problem] = problems(data)
    assert (problem.sheet, problem.row, problem.column) == ("figure_bands", row, "percent")
    assert "greater than or equal to 0" in problem.message


def test_a_file_that_is_no_workbook_is_one_problem():
    assert problems(b"not a workbook") == [Problem(None, None, None, "This is not an .xlsx workbook.")]


def test_a_missing_sheet_is_named():
    book = openpyxl.load_workbook(BytesIO(exported(*MODULE)))
    del book["choices"]
    out = BytesIO()
    book.save(out)
    assert problems(out.getvalue()) == [Problem("choices", None, None, "The workbook has no sheet choices.")]
