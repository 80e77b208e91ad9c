"""The summary workbook: the dashboard as a workbook, with native Excel charts.

Small (one row per group), so a normal workbook is used; set up to print on A4. The
table sheets are ``survey.spreadsheets.Table``s (bold frozen header, widths, safe
cells, autofilter); the Overview is laid out by hand with ``survey.spreadsheets.put``.
Each unscored module the wave carries has a sheet of its figures (survey.statistics.
modules): one row per rating and per checklist option, overall and then in each group of
each breakdown, so that one autofilter reads any of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from flask import has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from survey.exports.cells import PERCENT_FORMAT
from survey.exports.cells import filters_text as _filters_text
from survey.scoring.definition import Framework
from survey.spreadsheets import Col, Table, put

if TYPE_CHECKING:  # the workbook layer takes plain figures; it runs no query
    from survey.statistics.modules import Group, ModuleFigures

_SUMMARY_TEXT = {
    "vi": {
        "title": "Mức độ sẵn sàng chuyển đổi số của doanh nghiệp",
        "wave": "Đợt khảo sát",
        "framework": "Bộ chỉ số",
        "filters": "Bộ lọc",
        "tier": "Nhóm",
        "estimate": "Ước lượng cho toàn bộ doanh nghiệp",
        "respondents": "Doanh nghiệp trả lời",
        "ci_low": "Cận dưới 95%",
        "ci_high": "Cận trên 95%",
        "count": "Số lượng",
        "share": "Tỷ lệ",
        "n": "Số phiếu được tính (n)",
        "register": "Số doanh nghiệp trong danh sách",
        "coverage": "Tỷ lệ danh sách thuộc các nhóm có doanh nghiệp trả lời",
        "effective_n": "Cỡ mẫu hiệu dụng",
        "strata": "Phân tầng theo",
        "kinds": "Loại hình cơ sở kinh doanh được tính",
        "version": "phiên bản",
        "suppressed": "ẩn (n < {min_group})",
        "suppression": "Nhóm có ít hơn {min_group} phiếu được tính thì không công bố tỷ lệ.",
        "level": "Mức",
        "name": "Tên",
        "pillar": "Trụ cột",
        "mean_percent": "Điểm trung bình (% tối đa)",
        "reference": "Số liệu tham chiếu",
        "value": "Giá trị",
        "year": "Năm",
        "source": "Nguồn",
        "group": "Nhóm",
        "label": "Tên nhóm",
        "note": "Ghi chú",
        "unknown": "(chưa rõ)",
        "counted": "Chỉ tính phiếu đã nộp và không bị loại khi rà soát.",
        "chart_tiers": "Tỷ lệ theo nhóm",
        "chart_pillars": "Điểm trung bình theo trụ cột (% tối đa)",
        "chart_levels": "Phân bố mức chung",
    },
    "en": {
        "title": "Digital readiness of enterprises",
        "wave": "Wave",
        "framework": "Framework",
        "filters": "Filters",
        "tier": "Tier",
        "estimate": "Estimate for all register firms",
        "respondents": "Respondents",
        "ci_low": "95% CI low",
        "ci_high": "95% CI high",
        "count": "Count",
        "share": "Share",
        "n": "Counted responses (n)",
        "register": "Firms in the register",
        "coverage": "Share of the register in strata with respondents",
        "effective_n": "Effective sample size",
        "strata": "Post-stratified by",
        "kinds": "Kinds of business covered",
        "version": "version",
        "suppressed": "suppressed (n < {min_group})",
        "suppression": "Groups with fewer than {min_group} counted responses show no shares.",
        "level": "Level",
        "name": "Name",
        "pillar": "Pillar",
        "mean_percent": "Mean percent of maximum",
        "reference": "Reference figures",
        "value": "Value",
        "year": "Year",
        "source": "Source",
        "group": "Group",
        "label": "Label",
        "note": "Note",
        "unknown": "(unknown)",
        "counted": "Only submitted responses not rejected in review are counted.",
        "chart_tiers": "Shares by tier",
        "chart_pillars": "Mean pillar score (percent of maximum)",
        "chart_levels": "Overall level distribution",
    },
}


def _a4(sheet: Worksheet, landscape: bool) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _put_row(sheet: Worksheet, row: int, values: Sequence, formats: Sequence | None = None, bold=False):
    for column, value in enumerate(values, 1):
        put(sheet, row, column, value, formats[column - 1] if formats else None, bold=bold)


def _names(framework: Framework | None, lang: str) -> tuple[dict, dict, dict]:
    if framework is None:
        return {}, {}, {}
    return (
        {t.code: t.name.get(lang) for t in framework.tiers},
        {p.code: p.name.get(lang) for p in framework.pillars},
        {lv.level: lv.name.get(lang) for lv in framework.levels},
    )


def _percent(value):
    """A share 0–1, or None."""
    return None if value is None else float(value)


def _mean_fraction(value):
    """A rollup pillar mean (percent 0–100) as a fraction for a percent cell."""
    return None if value is None else float(value) / 100.0


def write_summary_workbook(
    target: str | IO[bytes],
    rollup_by: dict[str, dict],
    overall: dict,
    *,
    wave_info: dict,
    filters: dict,
    reference: list[dict],
    min_group: int,
    lang: str = "vi",
    framework: Framework | None = None,
    modules: Sequence[ModuleFigures] = (),
) -> None:
    """The wave's figures: Overview (headline and charts), one sheet per breakdown,
    Levels, Pillars, Reference and one sheet per module (``modules``, suppressed already).

    ``overall`` is ``rollup(...)`` without ``by``; ``rollup_by`` maps a dimension to
    ``rollup(..., by=dimension)``. Groups with fewer than ``min_group`` counted
    responses show their n and no shares, counts or means. ``reference`` lists the
    outside figures (code, year, value, tier, source and optionally label_vi/label_en).
    ``framework`` (optional) gives tiers, pillars and levels their names.
    """
    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    t = _SUMMARY_TEXT[lang]
    tier_names, pillar_names, level_names = _names(framework, lang)
    tiers: list[str] = overall["tiers"]
    pillars: list[str] = overall["pillars"]
    levels: list[int] = overall["levels"]
    suppressed_note = t["suppressed"].format(min_group=min_group)

    workbook = Workbook()
    overview = workbook.active
    overview.title = "Overview"
    _write_overview(
        overview,
        overall,
        t,
        tier_names,
        wave_info=wave_info,
        filters=filters,
        reference=reference,
        lang=lang,
        min_group=min_group,
        suppressed_note=suppressed_note,
    )
    for by, result in rollup_by.items():
        _write_breakdown(
            workbook.create_sheet(f"By {by}"[:31]), by, result, t, lang, min_group, suppressed_note
        )
    levels_sheet = _write_levels(workbook.create_sheet("Levels"), overall, t, level_names, levels, min_group)
    pillars_sheet = _write_pillars(
        workbook.create_sheet("Pillars"), overall, t, pillar_names, pillars, min_group
    )
    _write_reference(workbook.create_sheet("Reference"), overall, reference, lang, min_group)
    for figures in modules:
        sheet = workbook.create_sheet(f"{figures.code} v{figures.version}"[:31])
        _write_module(sheet, figures, t, lang, suppressed_note)
    _add_charts(overview, levels_sheet, pillars_sheet, t, len(tiers), len(pillars), len(levels))
    workbook.save(target)


#: Row of the Overview sheet where the tier table starts (its header).
_TIER_TABLE_ROW = 8


def _write_overview(
    sheet: Worksheet,
    overall: dict,
    t: dict,
    tier_names: dict,
    *,
    wave_info: dict,
    filters: dict,
    reference: list[dict],
    lang: str,
    min_group: int,
    suppressed_note: str,
) -> None:
    _a4(sheet, landscape=True)
    put(sheet, 1, 1, t["title"], bold=True)
    sheet["A1"].font = Font(bold=True, size=14)
    framework = overall.get("framework") or {}
    _put_row(
        sheet, 2, (t["wave"], f"{wave_info.get('name')} ({wave_info.get('year')}, id {wave_info.get('id')})")
    )
    _put_row(sheet, 3, (t["framework"], _framework_text(framework, t, lang)))
    _put_row(sheet, 4, (t["filters"], _filters_text(filters)))
    _put_row(sheet, 5, (t["counted"],))
    _put_row(sheet, 6, (t["suppression"].format(min_group=min_group),))

    n = overall["overall"]["n"]
    hidden = n < min_group
    population = overall["population"]
    row = _TIER_TABLE_ROW
    header = (
        t["tier"],
        t["name"],
        t["estimate"],
        t["ci_low"],
        t["ci_high"],
        f"{t['respondents']}: {t['count']}",
        f"{t['respondents']}: {t['share']}",
        t["ci_low"],
        t["ci_high"],
    )
    _put_row(sheet, row, header, bold=True)
    formats = (None, None, *(PERCENT_FORMAT,) * 3, None, *(PERCENT_FORMAT,) * 3)
    for index, tier in enumerate(overall["tiers"], 1):
        estimate = population["tiers"][tier]
        share = overall["overall"]["tiers"][tier]
        values = [tier, tier_names.get(tier, tier)]
        if hidden:
            # Nothing the charts read: the note goes in the (uncharted) count column.
            values += [None, None, None, suppressed_note, None, None, None]
        else:
            values += [
                _percent(estimate["estimate"]),
                _percent(estimate["ci_low"]),
                _percent(estimate["ci_high"]),
                share["count"],
                _percent(share["share"]),
                _percent(share["ci_low"]),
                _percent(share["ci_high"]),
            ]
        _put_row(sheet, row + index, values, formats)

    row = row + len(overall["tiers"]) + 2
    facts = [
        (t["n"], n, None),
        (t["register"], population["register_size"], None),
        (t["coverage"], _percent(population["coverage"]), PERCENT_FORMAT),
        (t["effective_n"], population["effective_n"], "0.0"),
        (t["strata"], " × ".join(population["strata_by"]), None),
        (t["kinds"], _kinds_text(population.get("business_kinds"), lang), None),
    ]
    for offset, (label, value, fmt) in enumerate(facts):
        put(sheet, row + offset, 1, label, bold=True)
        put(sheet, row + offset, 3, value, fmt)
    row += len(facts) + 1
    put(sheet, row, 1, t["reference"], bold=True)
    _put_row(sheet, row + 1, (t["year"], t["tier"], t["value"], t["name"], "", t["source"]), bold=True)
    for offset, ref in enumerate(reference, 2):
        values = (
            ref.get("year"),
            ref.get("tier"),
            _percent(ref.get("value")),
            ref.get(f"label_{lang}") or ref.get("label_vi") or ref.get("code"),
            None,
            ref.get("source"),
        )
        _put_row(sheet, row + offset, values, (None, None, PERCENT_FORMAT, None, None, None))
    for column, width in zip("ABCDEFGHI", (14, 30, 16, 12, 12, 14, 14, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width


def _framework_text(framework: dict, t: dict, lang: str) -> str:
    """The framework's title and version: a wave's figures are for one version, never mixed."""
    code, version = framework.get("code"), framework.get("version")
    title = (framework.get("title") or {}).get(lang) or (framework.get("title") or {}).get("vi")
    plain = f"{code} v{version}"
    return f"{title} ({t['version']} {version}; {plain})" if title else plain


def _translated(dimension: str, key, lang: str) -> str | None:
    """A fixed group's name (pillar, size class, ownership, kind, population) in ``lang``."""
    if not has_app_context():
        return None
    from survey.i18n import group_label

    with force_locale(lang):
        name = group_label(dimension, key)
    return None if name == str(key) else name


def _kinds_text(kinds: list | None, lang: str) -> str:
    if not kinds:
        return "–"
    return ", ".join(_translated("business_kind", k, lang) or str(k) for k in kinds)


def _group_label(group: dict, lang: str, unknown: str, dimension: str | None = None) -> str | None:
    if group["key"] is None:
        return unknown
    label = group.get("label")
    if isinstance(label, dict):
        return label.get(lang) or label.get("vi")
    if label is None and dimension is not None:
        return _translated(dimension, group["key"], lang)
    return label


def _write_breakdown(
    sheet: Worksheet, by: str, result: dict, t: dict, lang: str, min_group: int, suppressed_note: str
) -> None:
    tiers, pillars = result["tiers"], result["pillars"]
    columns = [Col("group", 14), Col("label", 30), Col("n", 8), Col("note", 18)]
    for tier in tiers:
        columns += [
            Col(f"{tier}_count", 11),
            Col(f"{tier}_share", 11, PERCENT_FORMAT),
            Col(f"{tier}_ci_low", 11, PERCENT_FORMAT),
            Col(f"{tier}_ci_high", 11, PERCENT_FORMAT),
        ]
    columns += [Col(f"{p}_mean_percent", 11, PERCENT_FORMAT) for p in pillars]
    table = Table(sheet, columns)
    _a4(sheet, landscape=True)
    for group in result.get("groups", []):
        key = group["key"]
        values: list = [key, _group_label(group, lang, t["unknown"], by), group["n"]]
        if group["n"] < min_group:
            values.append(suppressed_note)
            values += [None] * (len(columns) - 4)
        else:
            values.append(None)
            for tier in tiers:
                cell = group["tiers"][tier]
                values += [
                    cell["count"],
                    _percent(cell["share"]),
                    _percent(cell["ci_low"]),
                    _percent(cell["ci_high"]),
                ]
            values += [_mean_fraction(group["pillar_means"].get(p)) for p in pillars]
        table.row(values)
    table.close()


def _write_levels(
    sheet: Worksheet, overall: dict, t: dict, level_names: dict, levels: list, min_group: int
) -> Worksheet:
    table = Table(
        sheet, [Col("level", 8), Col("name", 30), Col("count", 10), Col("share", 10, PERCENT_FORMAT)]
    )
    _a4(sheet, landscape=False)
    counts = overall["overall"]["levels"]
    n = overall["overall"]["n"]
    hidden = n < min_group
    for level in levels:
        count = counts.get(str(level), 0)
        values = [level, level_names.get(level, str(level))]
        values += [None, None] if hidden else [count, count / n if n else None]
        table.row(values)
    table.close()
    return sheet


def _write_pillars(
    sheet: Worksheet, overall: dict, t: dict, pillar_names: dict, pillars: list, min_group: int
) -> Worksheet:
    table = Table(sheet, [Col("pillar", 16), Col("name", 36), Col("mean_percent", 14, PERCENT_FORMAT)])
    _a4(sheet, landscape=False)
    means = overall["overall"]["pillar_means"]
    hidden = overall["overall"]["n"] < min_group
    for pillar in pillars:
        mean = None if hidden else _mean_fraction(means.get(pillar))
        table.row((pillar, pillar_names.get(pillar, pillar), mean))
    table.close()
    return sheet


def _write_reference(
    sheet: Worksheet, overall: dict, reference: list[dict], lang: str, min_group: int
) -> None:
    table = Table(
        sheet,
        [
            Col("code", 22),
            Col("year", 8),
            Col("tier", 12),
            Col("value", 10, PERCENT_FORMAT),
            Col("label", 50),
            Col("source", 70, wrap=True),
            Col("wave_estimate", 14, PERCENT_FORMAT),
            Col("wave_ci_low", 12, PERCENT_FORMAT),
            Col("wave_ci_high", 12, PERCENT_FORMAT),
        ],
    )
    _a4(sheet, landscape=True)
    estimates = overall["population"]["tiers"]
    hidden = overall["overall"]["n"] < min_group
    for ref in reference:
        ours = estimates.get(ref.get("tier")) or {}
        label = ref.get(f"label_{lang}") or ref.get("label_vi") or ""
        values = [
            ref.get("code"),
            ref.get("year"),
            ref.get("tier"),
            _percent(ref.get("value")),
            label,
            ref.get("source"),
            None if hidden else _percent(ours.get("estimate")),
            None if hidden else _percent(ours.get("ci_low")),
            None if hidden else _percent(ours.get("ci_high")),
        ]
        table.row(values)
    table.close()


def _add_charts(
    overview, levels_sheet, pillars_sheet, t: dict, tiers: int, pillars: int, levels: int
) -> None:
    first, last = _TIER_TABLE_ROW + 1, _TIER_TABLE_ROW + tiers
    chart = BarChart()
    chart.type = "col"
    chart.title = t["chart_tiers"]
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    for column in (3, 7):  # the population estimate and the respondents' share
        data = Reference(overview, min_col=column, min_row=_TIER_TABLE_ROW, max_row=last)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(overview, min_col=2, min_row=first, max_row=last))
    chart.width, chart.height = 16, 8
    overview.add_chart(chart, "K2")

    chart = BarChart()
    chart.type = "bar"
    chart.title = t["chart_pillars"]
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.add_data(Reference(pillars_sheet, min_col=3, min_row=1, max_row=pillars + 1), titles_from_data=True)
    chart.set_categories(Reference(pillars_sheet, min_col=2, min_row=2, max_row=pillars + 1))
    chart.legend = None
    chart.width, chart.height = 16, 8
    overview.add_chart(chart, "K19")

    chart = BarChart()
    chart.type = "col"
    chart.title = t["chart_levels"]
    chart.add_data(Reference(levels_sheet, min_col=3, min_row=1, max_row=levels + 1), titles_from_data=True)
    chart.set_categories(Reference(levels_sheet, min_col=1, min_row=2, max_row=levels + 1))
    chart.legend = None
    chart.width, chart.height = 16, 8
    overview.add_chart(chart, "K36")


#: A rating's mean (1-5) as a number, two decimals shown.
MEAN_FORMAT = "0.00"


def _module_columns(lang: str) -> list[Col]:
    """The module sheet's columns, headed in ``lang`` through gettext (so the translations
    name them; without an app, the English msgids)."""
    with force_locale(lang):
        return [
            Col(_("Breakdown"), 16),
            Col(_("Group"), 14),
            Col(_("Group name"), 28),
            Col(_("Responses to the module (n)"), 12),
            Col(_("Section"), 14),
            Col(_("Question"), 16),
            Col(_("Option"), 18),
            Col(_("Text"), 50, wrap=True),
            Col("n", 8),
            Col(_("Mean, weighted"), 11, MEAN_FORMAT),
            Col(_("Mean, %(level)s CI low", level="95%"), 11, MEAN_FORMAT),
            Col(_("Mean, %(level)s CI high", level="95%"), 11, MEAN_FORMAT),
            Col(_("Share rated high or ticked, weighted"), 13, PERCENT_FORMAT),
            Col(_("Share, %(level)s CI low", level="95%"), 11, PERCENT_FORMAT),
            Col(_("Share, %(level)s CI high", level="95%"), 11, PERCENT_FORMAT),
            Col(_("Respondents: mean"), 11, MEAN_FORMAT),
            Col(_("Respondents: count rated high or ticked"), 12),
            Col(_("Respondents: share"), 11, PERCENT_FORMAT),
            Col(_("Note"), 18),
        ]


def _write_module(sheet: Worksheet, figures: ModuleFigures, t: dict, lang: str, note: str) -> None:
    """One row per rating and checklist option: overall, then each group of each breakdown.

    "Rated high" is at or above the module's ``high_from`` (4: 4-5). A suppressed group
    (or rating) keeps its n and has no figure, its note saying why.
    """
    table = Table(sheet, _module_columns(lang))
    _a4(sheet, landscape=True)
    module = figures.module
    with force_locale(lang):
        overall = _("(whole wave)")
    for by, group in [(None, figures.overall)] + [
        (by, g) for by, groups in figures.breakdowns.items() for g in groups
    ]:
        if by is None:
            where = ["", None, overall]
        else:
            where = [
                by,
                group.key,
                _group_label({"key": group.key, "label": group.label}, lang, t["unknown"], by),
            ]
        for values in _module_rows(module, group, lang, note):
            table.row([*where, group.n, *values])
    table.close()


def _module_rows(module, group: Group, lang: str, note: str):
    for rating in group.ratings:
        question = module.question(rating.question)
        head = [rating.section, rating.question, None, question.text.get(lang), rating.n]
        if rating.suppressed:
            yield [*head, None, None, None, None, None, None, None, None, None, note]
            continue
        mean, high = rating.weighted_mean, rating.weighted_high
        yield [
            *head,
            mean.estimate,
            mean.ci_low,
            mean.ci_high,
            high.estimate,
            high.ci_low,
            high.ci_high,
            rating.mean,
            rating.high,
            rating.high_share,
            None,
        ]
    for option in group.options:
        choice = module.question(option.question).option(option.option)
        head = [option.section, option.question, option.option, choice.label.get(lang), option.n]
        if option.suppressed:
            yield [*head, None, None, None, None, None, None, None, None, None, note]
            continue
        share = option.weighted
        yield [
            *head,
            None,
            None,
            None,
            share.estimate,
            share.ci_low,
            share.ci_high,
            None,
            option.count,
            option.share,
            None,
        ]
