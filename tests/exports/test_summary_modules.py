"""The summary workbook's module sheets: the dashboard's module figures, typed, suppressed alike."""

from __future__ import annotations

import math
from io import BytesIO

import pytest
from openpyxl import load_workbook

from survey.exports.summary import write_summary
from survey.modules import module_of
from survey.scoring.stats import Z95
from tests import factories
from tests.exports.conftest import ENGAGED

CODE = "barriers-needs"
STRATA = ("business_kind", "size_group", "size_class")
MIN_GROUP = 5


def barriers(cost: int, needs=()) -> dict:
    module = module_of(factories.module_version(CODE))
    return {**{q.code: 1 for q in module.questions if q.kind == "rating"}, "cost": cost, "needs": list(needs)}


@pytest.fixture
def wave(db):
    """Manufacturing (C, industry/small, N 6): all 6 answer, cost 5, 5, 4, 2, 1, 1, training
    ticked by 3. Transport (H, trade-services/small, N 6): 2 answer, cost 5 and finance."""
    wave = factories.with_modules(factories.wave(name="Tổng hợp 2025"), CODE)
    for index, cost in enumerate((5, 5, 4, 2, 1, 1)):
        r = factories.response(wave, factories.enterprise(sector_code="C"), ENGAGED)
        factories.answer_module(r, CODE, barriers(cost, ["training"] if index < 3 else []))
    for _ in range(2):
        r = factories.response(wave, factories.enterprise(sector_code="H"), ENGAGED)
        factories.answer_module(r, CODE, barriers(5, ["finance"]))
    for _ in range(4):
        factories.enterprise(sector_code="H")
    db.session.flush()
    return wave


def workbook(db, wave, filters=None, lang="en"):
    buffer = BytesIO()
    write_summary(buffer, db.session, wave, filters or {}, lang=lang, min_group=MIN_GROUP, strata=STRATA)
    buffer.seek(0)
    return load_workbook(buffer)


def rows(sheet) -> list[dict]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]


def find(records, breakdown, group, question, option=None) -> dict:
    return next(
        r
        for r in records
        if (r["Breakdown"].value or "") == breakdown
        and r["Group"].value == group
        and r["Question"].value == question
        and r["Option"].value == option
    )


def test_one_sheet_per_module_with_the_weighted_figures_typed(db, wave):
    book = workbook(db, wave)
    assert "barriers-needs v1" in book.sheetnames
    records = rows(book["barriers-needs v1"])
    cost = find(records, "", None, "cost")
    assert cost["Group name"].value == "(whole wave)" and cost["Responses to the module (n)"].value == 8
    assert cost["Text"].value == "The cost of investing in and applying technology"
    # By hand, as on the dashboard: mean (6 × 3 + 6 × 5) / 12 = 4, variance 0.5² × 3.6 / 6 = 0.15.
    se = math.sqrt(0.15)
    assert cost["n"].value == 8
    assert cost["Mean, weighted"].value == pytest.approx(4.0)
    assert cost["Mean, 95% CI low"].value == pytest.approx(4 - Z95 * se)
    assert cost["Mean, 95% CI high"].value == pytest.approx(4 + Z95 * se)
    assert cost["Share rated high or ticked, weighted"].value == pytest.approx(0.75)
    assert cost["Share rated high or ticked, weighted"].number_format == "0.0%"
    assert cost["Mean, weighted"].number_format == "0.00"
    # The respondents' own: 28 / 8, and 5 of 8 rated 4-5.
    assert cost["Respondents: mean"].value == pytest.approx(3.5)
    assert cost["Respondents: count rated high or ticked"].value == 5
    assert cost["Respondents: share"].value == pytest.approx(5 / 8)
    training = find(records, "", None, "needs", "training")
    assert training["Share rated high or ticked, weighted"].value == pytest.approx(0.25)  # (6 × 3/6 + 0) / 12
    assert training["Respondents: count rated high or ticked"].value == 3
    assert training["Mean, weighted"].value is None
    assert isinstance(training["n"].value, int)
    # Free text is never a row.
    assert not [r for r in records if r["Question"].value in ("barriers_other", "needs_text", "proposals")]


def test_breakdowns_follow_the_workbooks_and_small_groups_are_suppressed(db, wave):
    book = workbook(db, wave)
    records = rows(book["barriers-needs v1"])
    by = {r["Breakdown"].value for r in records if r["Breakdown"].value}
    # The workbook's own breakdown sheets, each present as a breakdown of the module too.
    assert {f"By {name}" for name in by} == {n for n in book.sheetnames if n.startswith("By ")}
    transport = find(records, "sector", "H", "cost")
    assert transport["Responses to the module (n)"].value == 2 and transport["n"].value == 2
    assert transport["Note"].value == f"suppressed (n < {MIN_GROUP})"
    for column in ("Mean, weighted", "Share rated high or ticked, weighted", "Respondents: mean"):
        assert transport[column].value is None
    assert find(records, "sector", "H", "needs", "finance")["Respondents: share"].value is None
    manufacturing = find(records, "sector", "C", "cost")
    assert manufacturing["Mean, weighted"].value == pytest.approx(3.0)
    assert manufacturing["Share rated high or ticked, weighted"].value == pytest.approx(0.5)
    assert manufacturing["Note"].value is None


def test_filters_apply_and_a_wave_without_modules_has_no_sheet(db, wave):
    records = rows(workbook(db, wave, {"sector": "C"})["barriers-needs v1"])
    cost = find(records, "", None, "cost")
    assert cost["Responses to the module (n)"].value == 6 and cost["Respondents: mean"].value == 3.0
    plain = factories.wave(name="Không có phần phụ")
    factories.response(plain, factories.enterprise(), ENGAGED)
    assert not [n for n in workbook(db, plain).sheetnames if n.endswith(" v1")]


def test_vietnamese_workbook_names_the_questions_in_vietnamese(db, wave):
    book = workbook(db, wave, lang="vi")
    sheet = book["barriers-needs v1"]
    texts = [c.value for c in next(sheet.iter_cols(min_col=8, max_col=8, min_row=2))]
    assert "Rào cản về chi phí đầu tư, ứng dụng công nghệ" in texts
