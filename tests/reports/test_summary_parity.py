"""The summary workbook is one: the staff export and ``flask export summary`` give the
same workbook, cell for cell, for the same wave, filters and language."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from survey.models import Role
from survey.reports import breakdowns
from tests.dashboard.test_export_jobs import download, request_export

#: Cells that may differ between the two. The summary workbook has no "exported at" or
#: "exported by" cell (the responses workbook's About sheet has), so there are none.
MAY_DIFFER: set[tuple[str, str]] = set()

CASES = [
    ({}, {}, "vi"),
    ({"unit": "11311"}, {"--unit": "11311"}, "en"),
    (
        {"former_area": "Quận Hồng Bàng", "ownership": "private", "size_class": "small"},
        {"--area": "Quận Hồng Bàng", "--ownership": "private", "--size": "small"},
        "vi",
    ),
    (
        {"sector": "C", "economic_pillar": "high_tech_industry"},
        {"--sector": "C", "--pillar": "high_tech_industry"},
        "en",
    ),
]


def cells(book) -> dict[str, dict[str, object]]:
    return {
        sheet.title: {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row}
        for sheet in book.worksheets
    }


@pytest.mark.parametrize(("form", "options", "lang"), CASES)
def test_web_and_cli_summary_workbooks_are_equal(
    client, as_role, runner, export_wave, tmp_path, form, options, lang
):
    as_role(Role.VIEWER)
    web = download(client, request_export(client, export_wave.wave, "summary", lang=lang, **form))
    path = tmp_path / "cli.xlsx"
    args = ["export", "summary", "--wave", str(export_wave.wave.id), "-o", str(path), "--lang", lang]
    for option, value in options.items():
        args += [option, value]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    cli = load_workbook(BytesIO(path.read_bytes()))

    assert web.sheetnames == cli.sheetnames
    web_cells, cli_cells = cells(web), cells(cli)
    for sheet in web.sheetnames:
        coordinates = set(web_cells[sheet]) | set(cli_cells[sheet])
        differ = {
            c
            for c in coordinates
            if (sheet, c) not in MAY_DIFFER and web_cells[sheet].get(c) != cli_cells[sheet].get(c)
        }
        assert not differ, f"{sheet}: {sorted(differ)[:10]}"
        assert len(web[sheet]._charts) == len(cli[sheet]._charts)
    # Both are the defined workbook: a sheet per breakdown the definition shows.
    shown = [name for name in web.sheetnames if name.startswith("By ")]
    assert shown == [f"By {by}" for by in breakdowns.SUMMARY_WORKBOOK.shown(form)]
