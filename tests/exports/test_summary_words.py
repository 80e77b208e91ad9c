"""The summary workbook in words: sheets, headers, groups, filters and the charts' titles and
categories in the workbook's language; the one the dashboard gives equals the CLI's, cell by
cell and chart by chart; the codes a program wants stay in columns of their own."""

from __future__ import annotations

from io import BytesIO

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from survey import labels
from survey.exports.summary_workbook import BREAKDOWN_SHEETS, SHEETS
from survey.models import Role
from survey.reports import breakdowns
from tests.dashboard.test_export_jobs import download, request_export
from tests.exports.conftest import FRAMEWORK
from tests.intent.test_vietnamese import CODE_HEADER, CODES, tokens, workbook_texts

CASES = [
    ({}, {}, "vi"),
    ({"ownership": "state", "sector": "G"}, {"--ownership": "state", "--sector": "G"}, "vi"),
    ({"unit": "11311"}, {"--unit": "11311"}, "en"),
]


def cells(book) -> dict[str, dict[str, object]]:
    return {
        sheet.title: {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row}
        for sheet in book.worksheets
    }


def chart_title(chart) -> str:
    return "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or []))


def _ref(data) -> str | None:
    ref = getattr(data, "strRef", None) or getattr(data, "numRef", None)
    return ref.f if ref is not None else None


def charts(book) -> dict[str, list[tuple]]:
    """Each sheet's charts: (title, its categories' cells, each series' title and values)."""
    found = {}
    for sheet in book.worksheets:
        found[sheet.title] = [
            (
                chart_title(chart),
                _ref(chart.series[0].cat),
                [(s.tx.strRef.f if s.tx and s.tx.strRef else None, _ref(s.val)) for s in chart.series],
            )
            for chart in sheet._charts
        ]
    return found


def _cli(runner, tmp_path, wave, options: dict, lang: str, labels_: str = "labels"):
    path = tmp_path / "cli.xlsx"
    args = ["export", "summary", "--wave", str(wave.id), "-o", str(path), "--lang", lang, "--labels", labels_]
    for option, value in options.items():
        args += [option, value]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return load_workbook(BytesIO(path.read_bytes()))


@pytest.mark.parametrize(("form", "options", "lang"), CASES)
def test_the_dashboards_workbook_in_words_equals_the_clis(
    client, as_role, runner, export_wave, tmp_path, form, options, lang
):
    """One code path: the job the dashboard queues and ``flask export summary`` both call
    survey.exports.summary.write_summary, so every cell and every chart is the same."""
    as_role(Role.VIEWER)
    web = download(
        client, request_export(client, export_wave.wave, "summary", lang=lang, labels="labels", **form)
    )
    cli = _cli(runner, tmp_path, export_wave.wave, options, lang)
    assert web.sheetnames == cli.sheetnames
    web_cells, cli_cells = cells(web), cells(cli)
    for sheet in web.sheetnames:
        differ = sorted(
            c
            for c in set(web_cells[sheet]) | set(cli_cells[sheet])
            if web_cells[sheet].get(c) != cli_cells[sheet].get(c)
        )
        assert not differ, f"{sheet}: {differ[:10]}"
    assert charts(web) == charts(cli)
    assert len(charts(web)[web.sheetnames[0]]) == 3


def _sheet_names(lang: str, shown) -> list[str]:
    with force_locale(lang):
        return [
            str(SHEETS["overview"][0]),
            *(str(BREAKDOWN_SHEETS[by]) for by in shown),
            str(SHEETS["levels"][0]),
            str(SHEETS["pillars"][0]),
            str(SHEETS["reference"][0]),
        ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_sheets_headers_groups_and_charts_are_named_in_words(client, as_role, export_wave, lang):
    as_role(Role.VIEWER)
    book = download(client, request_export(client, export_wave.wave, "summary", lang=lang, labels="labels"))
    shown = breakdowns.SUMMARY_WORKBOOK.shown({})
    assert book.sheetnames[: len(shown) + 4] == _sheet_names(lang, shown)
    assert all(len(name) <= 31 for name in book.sheetnames)
    with force_locale(lang):
        ownership = book[str(BREAKDOWN_SHEETS["ownership"])]
        header = [c.value for c in ownership[1]]
        # The group's code in a column of its own, headed as codes; its name beside it.
        assert CODE_HEADER.search(header[0]) and not CODE_HEADER.search(header[1])
        rows = {row[0]: row[1] for row in ownership.iter_rows(min_row=2, values_only=True)}
        assert rows["state"] == labels.label("state", "ownership")
        tier = FRAMEWORK.tier("engaged").name.get(lang)
        assert header[4].startswith(f"{tier}: ")
        if lang == "vi":  # English words may be spelt as codes are ("not yet engaged")
            assert not {t for h in header[1:] for t in tokens(h)} & CODES
        levels = book[str(SHEETS["levels"][0])]
        overview = book[str(SHEETS["overview"][0])]
    # The three charts: titles in the language, categories the names (never the codes).
    found = charts(book)[overview.title]
    assert len(found) == 3
    quoted = f"'{levels.title}'"
    level_chart = next(c for c in found if quoted in (c[1] or ""))
    assert level_chart[1].startswith(f"{quoted}!$B$")
    names = [row[1] for row in levels.iter_rows(min_row=2, values_only=True)]
    assert names == [FRAMEWORK.level(level).name.get(lang) for level in range(len(names))]
    pillar_chart = next(
        c for c in found if c is not level_chart and "$B$" in (c[1] or "") and "Overview" not in c[1]
    )
    assert pillar_chart[1].split("!")[1].startswith("$B$")
    tier_chart = next(c for c in found if c not in (level_chart, pillar_chart))
    assert tier_chart[1].split("!")[1].startswith("$B$")  # the tiers' names
    titles = {c[0] for c in found}
    if lang == "vi":
        assert titles == {"Tỷ lệ theo nhóm", "Điểm trung bình theo trụ cột (% tối đa)", "Phân bố mức chung"}


def test_no_code_is_read_outside_the_columns_of_codes(client, as_role, export_wave):
    as_role(Role.VIEWER)
    data = request_export(client, export_wave.wave, "summary", lang="vi", labels="labels", ownership="state")
    book = download(client, data)
    buffer = BytesIO()
    book.save(buffer)
    found = {
        sheet: sorted({t for text in texts for t in tokens(text) if t in CODES})
        for sheet, texts in workbook_texts(buffer.getvalue()).items()
    }
    assert not {sheet: codes for sheet, codes in found.items() if codes}
    overview = book.worksheets[0]
    with force_locale("vi"):
        assert (
            overview["B4"].value
            == f"{labels.label('ownership', 'dimension')}: {labels.label('state', 'ownership')}"
        )


def test_by_code_the_workbook_keeps_its_first_layout(client, as_role, export_wave):
    """For the programs that read it: sheets and columns by code, as before."""
    as_role(Role.VIEWER)
    book = download(client, request_export(client, export_wave.wave, "summary", lang="vi", labels="codes"))
    assert book.sheetnames[0] == "Overview" and "By ownership" in book.sheetnames
    assert [c.value for c in book["By ownership"][1]][:4] == ["group", "label", "n", "note"]
    level_chart = next(c for c in charts(book)["Overview"] if "Levels" in (c[1] or ""))
    assert level_chart[1].startswith("'Levels'!$A$")
