"""The summary workbook: the rollup's figures, small groups suppressed, native charts, A4."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from survey.exports import workbooks
from survey.models import ReviewState
from survey.statistics.rollup import rollup
from tests import factories
from tests.exports.conftest import ENGAGED, FRAMEWORK, OUTSIDE
from tests.exports.helpers import header, records

MIN_GROUP = 3


@pytest.fixture
def summary_wave(db):
    """Sector C: 4 counted (3 engaged); sector G: 2 counted (below MIN_GROUP); plus a
    draft and a rejected response, which no figure may count."""
    wave = factories.wave(name="Tổng hợp 2025")
    for answers in (ENGAGED, ENGAGED, ENGAGED, OUTSIDE):
        factories.response(wave, factories.enterprise(sector_code="C"), answers)
    for answers in (ENGAGED, OUTSIDE):
        factories.response(wave, factories.enterprise(sector_code="G", employees=5), answers)
    factories.response(wave, answers=ENGAGED, submit=False)
    factories.response(wave, answers=ENGAGED, review_state=ReviewState.REJECTED)
    return wave


def summary(db, wave, filters=None, lang="en"):
    filters = filters or {}
    overall = rollup(db.session, wave, filters=filters)
    by = {name: rollup(db.session, wave, by=name, filters=filters) for name in ("sector", "unit")}
    reference = [{**ref, "label_en": f"label of {ref['code']}"} for ref in overall["reference"]]
    buffer = BytesIO()
    workbooks.write_summary_workbook(
        buffer,
        by,
        overall,
        wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
        filters=filters,
        reference=reference,
        min_group=MIN_GROUP,
        lang=lang,
        framework=FRAMEWORK,
    )
    buffer.seek(0)
    return load_workbook(buffer), overall, by


def overview_tiers(sheet) -> dict[str, list]:
    """The Overview tier table: tier code → the row's cells."""
    start = next(row for row in range(1, 30) if sheet.cell(row, 1).value in ("Tier", "Nhóm"))
    return {sheet.cell(r, 1).value: list(sheet[r]) for r in range(start + 1, start + 4)}


def test_sheets(db, summary_wave):
    workbook, _, _ = summary(db, summary_wave)
    assert workbook.sheetnames == ["Overview", "By sector", "By unit", "Levels", "Pillars", "Reference"]


def test_overview_figures_equal_the_rollup(db, summary_wave):
    workbook, overall, _ = summary(db, summary_wave)
    sheet = workbook["Overview"]
    tiers = overview_tiers(sheet)
    assert list(tiers) == ["engaged", "preparing", "outside"]
    for tier, cells in tiers.items():
        estimate = overall["population"]["tiers"][tier]
        share = overall["overall"]["tiers"][tier]
        assert cells[1].value == FRAMEWORK.tier(tier).name.en
        assert cells[2].value == pytest.approx(estimate["estimate"])
        assert cells[3].value == pytest.approx(estimate["ci_low"])
        assert cells[4].value == pytest.approx(estimate["ci_high"])
        assert cells[5].value == share["count"]
        assert cells[6].value == pytest.approx(share["share"])
        assert cells[7].value == pytest.approx(share["ci_low"])
        assert cells[8].value == pytest.approx(share["ci_high"])
        for cell in cells[2:5] + cells[6:9]:
            assert cell.data_type == "n" and cell.number_format.endswith("%")
    engaged = tiers["engaged"]
    assert overall["overall"]["n"] == 6
    assert engaged[5].value == 4 and engaged[6].value == pytest.approx(4 / 6)
    facts = {sheet.cell(r, 1).value: sheet.cell(r, 3).value for r in range(1, sheet.max_row + 1)}
    assert facts["Counted responses (n)"] == 6
    assert facts["Firms in the register"] == overall["population"]["register_size"]
    assert facts["Share of the register in strata with respondents"] == pytest.approx(
        overall["population"]["coverage"]
    )
    # The 2022 reference figures with their source.
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any("Báo Xây dựng" in text for text in texts)
    assert "label of hp-2022-outside-i40" in texts


def test_overview_has_native_charts_and_every_sheet_is_a4(db, summary_wave):
    workbook, _, _ = summary(db, summary_wave)
    assert len(workbook["Overview"]._charts) == 3
    for sheet in workbook:
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4) == 9
        assert sheet.page_setup.fitToWidth in (1, "1")
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert workbook["Overview"].page_setup.orientation == "landscape"
    assert workbook["By sector"].page_setup.orientation == "landscape"


def test_breakdowns_equal_the_rollup_and_small_groups_are_suppressed(db, summary_wave):
    workbook, _, by = summary(db, summary_wave)
    rows = {r["group"].value: r for r in records(workbook["By sector"])}
    groups = {g["key"]: g for g in by["sector"]["groups"]}
    assert set(rows) == set(groups) == {"C", "G"}
    c, g = rows["C"], rows["G"]
    assert c["n"].value == groups["C"]["n"] == 4
    assert c["label"].value == groups["C"]["label"]["en"]
    for tier in ("engaged", "preparing", "outside"):
        expected = groups["C"]["tiers"][tier]
        assert c[f"{tier}_count"].value == expected["count"]
        assert c[f"{tier}_share"].value == pytest.approx(expected["share"])
        assert c[f"{tier}_ci_low"].value == pytest.approx(expected["ci_low"])
        assert c[f"{tier}_ci_high"].value == pytest.approx(expected["ci_high"])
        assert "%" in c[f"{tier}_share"].number_format
    for pillar in FRAMEWORK.pillars:
        mean = groups["C"]["pillar_means"][pillar.code]
        assert c[f"{pillar.code}_mean_percent"].value == pytest.approx(mean / 100)
    # Sector G has 2 counted responses, below MIN_GROUP: its n and nothing else.
    assert g["n"].value == groups["G"]["n"] == 2
    assert "suppressed" in g["note"].value
    hidden = [name for name in header(workbook["By sector"]) if name not in ("group", "label", "n", "note")]
    assert hidden and all(g[name].value is None for name in hidden)
    assert workbook["By sector"].freeze_panes == "A2"


def test_levels_and_pillars_sheets_equal_the_rollup(db, summary_wave):
    workbook, overall, _ = summary(db, summary_wave)
    levels = {r["level"].value: r for r in records(workbook["Levels"])}
    assert list(levels) == [0, 1, 2, 3, 4, 5]
    for level, row in levels.items():
        count = overall["overall"]["levels"][str(level)]
        assert row["count"].value == count
        assert row["share"].value == pytest.approx(count / 6)
        assert row["name"].value == FRAMEWORK.level(level).name.en
    pillars = {r["pillar"].value: r for r in records(workbook["Pillars"])}
    assert list(pillars) == [p.code for p in FRAMEWORK.pillars]
    for code, row in pillars.items():
        assert row["mean_percent"].value == pytest.approx(overall["overall"]["pillar_means"][code] / 100)
        assert "%" in row["mean_percent"].number_format
    reference = {r["code"].value: r for r in records(workbook["Reference"])}
    outside = reference["hp-2022-outside-i40"]
    assert outside["value"].value == pytest.approx(0.76) and outside["year"].value == 2022
    assert "Báo Xây dựng" in outside["source"].value
    assert outside["wave_estimate"].value == pytest.approx(
        overall["population"]["tiers"]["outside"]["estimate"]
    )


def test_a_filter_below_the_minimum_hides_every_share(db, summary_wave):
    workbook, overall, _ = summary(db, summary_wave, filters={"sector": "G"}, lang="vi")
    assert overall["overall"]["n"] == 2
    sheet = workbook["Overview"]
    for cells in overview_tiers(sheet).values():
        assert [cell.value for cell in cells[2:5] + cells[6:9]] == [None] * 6
    assert all(r["count"].value is None and r["share"].value is None for r in records(workbook["Levels"]))
    assert all(r["mean_percent"].value is None for r in records(workbook["Pillars"]))
    assert "sector = G" in " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert sheet["A1"].value == "Mức độ sẵn sàng chuyển đổi số của doanh nghiệp"
