"""The responses workbook of a version-2 wave: figures as numbers, shared figures once,
component points in Scores, and the %-bands in the codebook."""

from __future__ import annotations

from survey.models import Ownership
from tests import factories
from tests.exports.helpers import header, records, responses_workbook
from tests.scoring._support import dbi2, zero_v2


def _wave_with_one_response(db):
    wave = factories.wave(name="Khảo sát v2", framework_version=factories.framework_version(2))
    answers = zero_v2(
        **{
            "1.1.1": "5",
            "1.1.3": {"value": "30", "of": "120"},
            "staff_total": "40",
            "4.2.2": {"value": "12.5"},
        }
    )
    response = factories.response(wave, factories.enterprise(ownership=Ownership.PRIVATE), answers)
    return wave, response


def test_figures_are_typed_numbers_and_shared_figures_have_one_column(db):
    wave, _response = _wave_with_one_response(db)
    workbook, written = responses_workbook(db.session, wave)
    assert written == 1
    columns = header(workbook["Responses"])
    assert columns.count("staff_total") == 1
    assert "1.1.3_of" in columns and "4.2.2_of" not in columns
    (row,) = records(workbook["Responses"])
    assert row["staff_total"].value == 40
    assert row["1.1.3"].value == 30 and row["1.1.3_of"].value == 120
    assert row["4.2.2"].value == 12.5
    assert row["1.1.1"].value == "5"
    assert row["2.1.1"].value == "no"


def test_scores_carry_the_component_indices(db):
    wave, _response = _wave_with_one_response(db)
    workbook, _ = responses_workbook(db.session, wave)
    (row,) = records(workbook["Scores"])
    # 1.1.1 descriptor 5 = 5 points; 1.1.3 30/120 = 25% is above the 20% edge = 2 points.
    assert row["c1.1_points"].value == 7
    # 4.2.2 12.5 of 40 staff = 31.25% = 2 points.
    assert row["c4.2_points"].value == 2
    assert row["c2.1_points"].value == 0
    assert row["customer_points"].value == 7
    assert sum(row[f"c{k.code}_points"].value for p in dbi2().pillars for k in p.components) == 9


def test_codebook_lists_each_figures_bands_as_strictly_above(db):
    wave, _ = _wave_with_one_response(db)
    workbook, _ = responses_workbook(db.session, wave)
    bands = [
        (r["option"].value, r["points"].value)
        for r in records(workbook["Codebook"])
        if r["column"].value == "1.1.5" and r["kind"].value == "band"
    ]
    assert bands == [("> 0%", 1), ("> 20%", 2), ("> 40%", 3), ("> 60%", 4), ("> 80%", 5)]
