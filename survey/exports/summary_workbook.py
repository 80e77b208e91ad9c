"""The summary workbook: the dashboard as a workbook, with native Excel charts.

Small (one row per group), so a normal workbook is used; set up to print on A4. The
table sheets are ``survey.spreadsheets.Table``s (bold frozen header, widths, safe
cells, autofilter); the Overview is laid out by hand with ``survey.spreadsheets.put``.
Each unscored module the wave carries has a sheet of its figures (survey.statistics.
modules): one row per rating and per checklist option, overall and then in each group of
each breakdown, so that one autofilter reads any of them.

A breakdown sheet gives each group's population estimate per tier (post-stratified inside
the group: survey.statistics.groups), its interval and the firms it stands for, beside the
respondents' own count, share and interval (by code still ``engaged_share``: the first
version's columns keep their codes), then the group's register, coverage and effective n.
A group below the minimum group keeps its n and nothing else. By unit, each model-based
estimate the rollup gives (``model_based``) has a row of its own, in italics, after the
unit's suppressed row, its method column saying "model-based" and its note what that is;
never for a unit with a direct figure.

Two namings, one layout (``labels``). In words (``"labels"``, the workbook people read):
sheets, headers, groups, the strata, the filters and the charts' categories in the
workbook's language, from the label catalogue; each code a program may want stays in a
column of its own beside its label, headed "… (code)". By code (``"codes"``, the layout
of the first version, kept for the programs that read it): sheets and headers named by
code ("By size_class", ``engaged_share``), groups with their codes and names. The cells
that hold figures are the same in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from flask import has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from survey import labels as catalogue
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
        "w_estimate": "Ước lượng có trọng số",
        "w_ci_low": "Ước lượng có trọng số: cận dưới 95%",
        "w_ci_high": "Ước lượng có trọng số: cận trên 95%",
        "firms": "Số doanh nghiệp ước tính",
        "firms_low": "Số doanh nghiệp ước tính: cận dưới 95%",
        "firms_high": "Số doanh nghiệp ước tính: cận trên 95%",
        "respondents_share": "Tỷ lệ trong số doanh nghiệp trả lời",
        "group_register": "Số doanh nghiệp của nhóm trong danh sách",
        "method": "Phương pháp ước lượng",
        "direct": "Ước tính trực tiếp",
        "model_based": "Ước tính theo mô hình",
        "model_note": (
            "Ước tính theo mô hình, không phải số liệu trực tiếp: đơn vị có ít hơn {min_group} "
            "phiếu được tính, nên tỷ lệ được suy từ quận, huyện cũ và cơ cấu ngành, quy mô "
            "doanh nghiệp của đơn vị trong danh sách."
        ),
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
        "w_estimate": "Weighted estimate",
        "w_ci_low": "Weighted estimate: 95% CI low",
        "w_ci_high": "Weighted estimate: 95% CI high",
        "firms": "Estimated firms",
        "firms_low": "Estimated firms: 95% CI low",
        "firms_high": "Estimated firms: 95% CI high",
        "respondents_share": "Respondents' share",
        "group_register": "The group's firms in the register",
        "method": "Method of estimate",
        "direct": "Direct estimate",
        "model_based": "Model-based estimate",
        "model_note": (
            "Model-based estimate, not a direct figure: the unit has fewer than {min_group} "
            "counted responses, so its share borrows strength from its former district and "
            "its register's mix of sectors and sizes."
        ),
    },
}


#: The breakdown sheets' names in words (at most 31 characters, none of []:*?/\).
BREAKDOWN_SHEETS = {
    "economic_pillar": _l("By economic sector"),
    "sector": _l("By sector"),
    "size_class": _l("By size class"),
    "size_group": _l("By sector group"),
    "ownership": _l("By ownership"),
    "business_kind": _l("By kind of business"),
    "population": _l("By population"),
    "former_area": _l("By former district"),
    "unit": _l("By ward or commune"),
}
#: The other sheets' names, in words and by code.
SHEETS = {
    "overview": (_l("Overview"), "Overview"),
    "levels": (_l("Overall levels"), "Levels"),
    "pillars": (_l("Pillars"), "Pillars"),
    "reference": (_l("Reference figures"), "Reference"),
}
#: Characters Excel refuses in a sheet's name.
_NOT_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclass(frozen=True)
class Naming:
    """How the workbook names things: in words in ``lang`` (``words``), or by code."""

    words: bool
    lang: str
    t: dict = field(repr=False)

    def text(self, lazy) -> str:
        with force_locale(self.lang):
            return str(lazy)

    def sheet(self, key: str) -> str:
        in_words, by_code = SHEETS[key]
        return self.text(in_words) if self.words else by_code

    def breakdown_sheet(self, by: str) -> str:
        if self.words and by in BREAKDOWN_SHEETS:
            return self.text(BREAKDOWN_SHEETS[by])[:31]
        return f"By {by}"[:31]

    def module_sheet(self, figures: ModuleFigures) -> str:
        if self.words:
            title = figures.module.title.get(self.lang) or figures.module.title.get("vi")
            return " ".join(title.translate(_NOT_IN_SHEET_NAMES).split())[:31]
        return f"{figures.code} v{figures.version}"[:31]

    def column(self, code: str, words: str) -> str:
        """A column's header: its words, or its code."""
        return words if self.words else code

    def code_column(self, code: str, words: str) -> str:
        """The header of a column of codes: "Group (code)" in words, or the code."""
        if not self.words:
            return code
        with force_locale(self.lang):
            return _("%(column)s (code)", column=words)

    def label(self, value, kind: str) -> str:
        with force_locale(self.lang):
            return catalogue.label(value, kind)

    def dimension(self, name: str) -> str:
        return self.label(name, "dimension") if self.words else name


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
    labels: str = "codes",
    filter_words: Sequence[tuple[str, str]] | None = None,
) -> None:
    """The wave's figures: Overview (headline and charts), one sheet per breakdown,
    Levels, Pillars, Reference and one sheet per module (``modules``, suppressed already).

    ``overall`` is ``rollup(...)`` without ``by``; ``rollup_by`` maps a dimension to
    ``rollup(..., by=dimension)``. Groups with fewer than ``min_group`` counted
    responses show their n and no shares, counts or means. ``reference`` lists the
    outside figures (code, year, value, tier, source and optionally label_vi/label_en).
    ``framework`` (optional) gives tiers, pillars and levels their names. ``labels`` is
    ``"labels"`` (named in words, the people's workbook) or ``"codes"`` (named by code);
    ``filter_words`` are the filters in words (survey.labels.filter_words, with the
    units' and sectors' names), for the words' Overview.
    """
    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    if labels not in ("codes", "labels"):
        raise ValueError(f"labels must be 'codes' or 'labels', not {labels!r}")
    t = _SUMMARY_TEXT[lang]
    naming = Naming(labels == "labels", lang, t)
    tier_names, pillar_names, level_names = _names(framework, lang)
    tiers: list[str] = overall["tiers"]
    pillars: list[str] = overall["pillars"]
    levels: list[int] = overall["levels"]
    suppressed_note = t["suppressed"].format(min_group=min_group)

    workbook = Workbook()
    overview = workbook.active
    overview.title = naming.sheet("overview")
    _write_overview(
        overview,
        overall,
        naming,
        tier_names,
        wave_info=wave_info,
        filters=filters,
        filter_words=filter_words,
        reference=reference,
        min_group=min_group,
        suppressed_note=suppressed_note,
    )
    for by, result in rollup_by.items():
        _write_breakdown(
            workbook.create_sheet(naming.breakdown_sheet(by)),
            by,
            result,
            naming,
            (tier_names, pillar_names),
            min_group,
            suppressed_note,
        )
    levels_sheet = _write_levels(
        workbook.create_sheet(naming.sheet("levels")), overall, naming, level_names, levels, min_group
    )
    pillars_sheet = _write_pillars(
        workbook.create_sheet(naming.sheet("pillars")), overall, naming, pillar_names, pillars, min_group
    )
    _write_reference(
        workbook.create_sheet(naming.sheet("reference")), overall, reference, naming, tier_names, min_group
    )
    for figures in modules:
        sheet = workbook.create_sheet(naming.module_sheet(figures))
        _write_module(sheet, figures, naming, suppressed_note)
    _add_charts(overview, levels_sheet, pillars_sheet, naming, len(tiers), len(pillars), len(levels))
    workbook.save(target)


#: Row of the Overview sheet where the tier table starts (its header).
_TIER_TABLE_ROW = 8


def _write_overview(
    sheet: Worksheet,
    overall: dict,
    naming: Naming,
    tier_names: dict,
    *,
    wave_info: dict,
    filters: dict,
    filter_words: Sequence[tuple[str, str]] | None,
    reference: list[dict],
    min_group: int,
    suppressed_note: str,
) -> None:
    t, lang = naming.t, naming.lang
    _a4(sheet, landscape=True)
    put(sheet, 1, 1, t["title"], bold=True)
    sheet["A1"].font = Font(bold=True, size=14)
    framework = overall.get("framework") or {}
    _put_row(
        sheet, 2, (t["wave"], f"{wave_info.get('name')} ({wave_info.get('year')}, id {wave_info.get('id')})")
    )
    _put_row(sheet, 3, (t["framework"], _framework_text(framework, t, lang)))
    _put_row(sheet, 4, (t["filters"], _filters_shown(filters, filter_words, naming)))
    _put_row(sheet, 5, (t["counted"],))
    _put_row(sheet, 6, (t["suppression"].format(min_group=min_group),))

    n = overall["overall"]["n"]
    hidden = n < min_group
    population = overall["population"]
    row = _TIER_TABLE_ROW
    header = (
        naming.code_column(t["tier"], t["tier"]),
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
        (t["strata"], " × ".join(naming.dimension(by) for by in population["strata_by"]), None),
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
            tier_names.get(ref.get("tier"), ref.get("tier")) if naming.words else ref.get("tier"),
            _percent(ref.get("value")),
            ref.get(f"label_{lang}") or ref.get("label_vi") or ref.get("code"),
            None,
            ref.get("source"),
        )
        _put_row(sheet, row + offset, values, (None, None, PERCENT_FORMAT, None, None, None))
    for column, width in zip("ABCDEFGHI", (14, 30, 16, 12, 12, 14, 14, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width


def _filters_shown(filters: dict, words: Sequence[tuple[str, str]] | None, naming: Naming) -> str:
    """The filters as the Overview states them: in words ("Ownership: State-owned"), or
    by code ("ownership = state")."""
    if not naming.words:
        return _filters_text(filters)
    if words is None:
        with force_locale(naming.lang):
            words = catalogue.filter_words(filters)
    if not words:
        return naming.text(_l("none: the whole wave"))
    return "; ".join(f"{name}: {value}" for name, value in words)


def _framework_text(framework: dict, t: dict, lang: str) -> str:
    """The framework's title and version: a wave's figures are for one version, never mixed."""
    code, version = framework.get("code"), framework.get("version")
    title = (framework.get("title") or {}).get(lang) or (framework.get("title") or {}).get("vi")
    plain = f"{code} v{version}"
    return f"{title} ({t['version']} {version}; {plain})" if title else plain


def _translated(dimension: str, key, lang: str) -> str | None:
    """A fixed group's name (pillar, size class, ownership, kind, population) in ``lang``."""
    if not has_app_context() or dimension not in catalogue.BY_KIND or dimension == "dimension":
        return None
    with force_locale(lang):
        name = catalogue.label(key, dimension)
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


#: An estimated number of firms: a whole number, thousands separated.
FIRMS_FORMAT = "#,##0"
#: The method column's codes (codes mode); in words, the workbook's language says them.
DIRECT, MODEL_BASED = "direct", "model-based"
_MODEL_FONT = Font(italic=True)


def _breakdown_columns(by: str, result: dict, naming: Naming, names: tuple[dict, dict]) -> list[Col]:
    """Group, label, n, note; per tier the weighted estimate (post-stratified inside the
    group), its interval and the firms it stands for, then the respondents' own count,
    share and interval; the pillar means; the group's register, coverage, effective n and
    the method of the estimate."""
    t = naming.t
    tier_names, pillar_names = names
    name = naming.column
    columns = [
        Col(naming.code_column("group", t["group"]), 14),
        Col(name("label", t["label"]), 30),
        Col(name("n", t["n"]), 8),
        Col(name("note", t["note"]), 18),
    ]
    respondents = t["respondents"]
    for tier in result["tiers"]:
        words = tier_names.get(tier) or tier
        columns += [
            Col(name(f"{tier}_weighted", f"{words}: {t['w_estimate']}"), 11, PERCENT_FORMAT),
            Col(name(f"{tier}_weighted_ci_low", f"{words}: {t['w_ci_low']}"), 11, PERCENT_FORMAT),
            Col(name(f"{tier}_weighted_ci_high", f"{words}: {t['w_ci_high']}"), 11, PERCENT_FORMAT),
            Col(name(f"{tier}_firms", f"{words}: {t['firms']}"), 11, FIRMS_FORMAT),
            Col(name(f"{tier}_firms_low", f"{words}: {t['firms_low']}"), 11, FIRMS_FORMAT),
            Col(name(f"{tier}_firms_high", f"{words}: {t['firms_high']}"), 11, FIRMS_FORMAT),
            # The respondents' own figures, unweighted: by code as in the first version.
            Col(name(f"{tier}_count", f"{words}: {respondents}: {t['count']}"), 11),
            Col(name(f"{tier}_share", f"{words}: {t['respondents_share']}"), 11, PERCENT_FORMAT),
            Col(name(f"{tier}_ci_low", f"{words}: {respondents}: {t['ci_low']}"), 11, PERCENT_FORMAT),
            Col(name(f"{tier}_ci_high", f"{words}: {respondents}: {t['ci_high']}"), 11, PERCENT_FORMAT),
        ]
    columns += [
        Col(name(f"{p}_mean_percent", f"{pillar_names.get(p) or p}: {t['mean_percent']}"), 11, PERCENT_FORMAT)
        for p in result["pillars"]
    ]
    columns += [
        Col(name("register", t["group_register"]), 12, FIRMS_FORMAT),
        Col(name("coverage", t["coverage"]), 12, PERCENT_FORMAT),
        Col(name("effective_n", t["effective_n"]), 10, "0.0"),
        Col(name("method", t["method"]), 18),
    ]
    return columns


def _weighted_cells(tiers: Sequence[str], figures: dict | None) -> list:
    """Each tier's estimate, its interval and the firms it stands for (blank: none)."""
    values: list = []
    for tier in tiers:
        f = (figures or {}).get(tier) or {}
        values += [
            _percent(f.get("estimate")),
            _percent(f.get("ci_low")),
            _percent(f.get("ci_high")),
            f.get("firms"),
            f.get("firms_low"),
            f.get("firms_high"),
        ]
    return values


def model_rows(result: dict, min_group: int) -> list[dict]:
    """The model-based unit figures a workbook may show: those ``rollup(..., model_rule=...)``
    gave (``model_based``), never for a unit whose group has a direct figure."""
    direct = {g["key"] for g in result.get("groups", []) if g["n"] >= min_group}
    return [m for m in result.get("model_based") or () if m["key"] not in direct]


def _write_breakdown(
    sheet: Worksheet,
    by: str,
    result: dict,
    naming: Naming,
    names: tuple[dict, dict],
    min_group: int,
    suppressed_note: str,
) -> None:
    """One row per group; by unit, each model-based figure in a row of its own, in
    italics, right after the unit's own (suppressed) row, its method saying so."""
    t, lang = naming.t, naming.lang
    tiers, pillars = result["tiers"], result["pillars"]
    columns = _breakdown_columns(by, result, naming, names)
    table = Table(sheet, columns)
    _a4(sheet, landscape=True)
    method = {DIRECT: t["direct"], MODEL_BASED: t["model_based"]} if naming.words else None
    rows: list[tuple[str, int, list, bool]] = []
    for group in result.get("groups", []):
        key = group["key"]
        values: list = [key, _group_label(group, lang, t["unknown"], by), group["n"]]
        if group["n"] < min_group:
            values.append(suppressed_note)
            values += [None] * (len(columns) - 4)
        else:
            weighted = group.get("weighted")
            values.append(None)
            shares: list = []
            for tier in tiers:
                cell = group["tiers"][tier]
                shares.append(
                    [
                        cell["count"],
                        _percent(cell["share"]),
                        _percent(cell["ci_low"]),
                        _percent(cell["ci_high"]),
                    ]
                )
            estimates = _weighted_cells(tiers, weighted and weighted["tiers"])
            for index in range(len(tiers)):
                values += estimates[index * 6 : index * 6 + 6] + shares[index]
            values += [_mean_fraction(group["pillar_means"].get(p)) for p in pillars]
            if weighted:
                values += [
                    weighted["register"],
                    _percent(weighted["coverage"]),
                    weighted["effective_n"],
                    method[DIRECT] if method else DIRECT,
                ]
            else:
                values += [None] * 4
        rows.append((str(key), 0, values, False))
    for figure in model_rows(result, min_group):
        values = [
            figure["key"],
            _group_label(figure, lang, t["unknown"], by),
            figure["respondents"],
            t["model_note"].format(min_group=min_group),
        ]
        estimates = _weighted_cells(tiers, figure["tiers"])
        for index in range(len(tiers)):
            values += estimates[index * 6 : index * 6 + 6] + [None] * 4
        values += [None] * len(pillars)
        values += [figure["register"], None, None, method[MODEL_BASED] if method else MODEL_BASED]
        rows.append((str(figure["key"]), 1, values, True))
    for _key, _order, values, model in sorted(rows, key=lambda r: (r[0], r[1])):
        table.row(values)
        if model:
            for cell in sheet[table.rows + 1]:
                cell.font = _MODEL_FONT
    table.close()


def _write_levels(
    sheet: Worksheet, overall: dict, naming: Naming, level_names: dict, levels: list, min_group: int
) -> Worksheet:
    t, name = naming.t, naming.column
    table = Table(
        sheet,
        [
            Col(name("level", t["level"]), 8),
            Col(name("name", t["name"]), 30),
            Col(name("count", t["count"]), 10),
            Col(name("share", t["share"]), 10, PERCENT_FORMAT),
        ],
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
    sheet: Worksheet, overall: dict, naming: Naming, pillar_names: dict, pillars: list, min_group: int
) -> Worksheet:
    t = naming.t
    table = Table(
        sheet,
        [
            Col(naming.code_column("pillar", t["pillar"]), 16),
            Col(naming.column("name", t["name"]), 36),
            Col(naming.column("mean_percent", t["mean_percent"]), 14, PERCENT_FORMAT),
        ],
    )
    _a4(sheet, landscape=False)
    means = overall["overall"]["pillar_means"]
    hidden = overall["overall"]["n"] < min_group
    for pillar in pillars:
        mean = None if hidden else _mean_fraction(means.get(pillar))
        table.row((pillar, pillar_names.get(pillar, pillar), mean))
    table.close()
    return sheet


def _write_reference(
    sheet: Worksheet, overall: dict, reference: list[dict], naming: Naming, tier_names: dict, min_group: int
) -> None:
    t, lang, name = naming.t, naming.lang, naming.column
    table = Table(
        sheet,
        [
            Col(naming.code_column("code", t["reference"]), 22),
            Col(name("year", t["year"]), 8),
            Col(name("tier", t["tier"]), 12),
            Col(name("value", t["value"]), 10, PERCENT_FORMAT),
            Col(name("label", t["name"]), 50),
            Col(name("source", t["source"]), 70, wrap=True),
            Col(name("wave_estimate", f"{t['wave']}: {t['estimate']}"), 14, PERCENT_FORMAT),
            Col(name("wave_ci_low", f"{t['wave']}: {t['ci_low']}"), 12, PERCENT_FORMAT),
            Col(name("wave_ci_high", f"{t['wave']}: {t['ci_high']}"), 12, PERCENT_FORMAT),
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
            tier_names.get(ref.get("tier"), ref.get("tier")) if naming.words else ref.get("tier"),
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
    overview, levels_sheet, pillars_sheet, naming: Naming, tiers: int, pillars: int, levels: int
) -> None:
    """The three native charts, their categories the names (the levels' by number when
    named by code, as the first version had them)."""
    t = naming.t
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
    names = 2 if naming.words else 1
    chart.set_categories(Reference(levels_sheet, min_col=names, min_row=2, max_row=levels + 1))
    chart.legend = None
    chart.width, chart.height = 16, 8
    overview.add_chart(chart, "K36")


#: A rating's mean (1-5) as a number, two decimals shown.
MEAN_FORMAT = "0.00"


def _module_columns(naming: Naming) -> list[Col]:
    """The module sheet's columns, headed in the workbook's language through gettext (so
    the translations name them; without an app, the English msgids); in words, the
    columns of codes say so."""

    def coded(words: str) -> str:
        return naming.code_column(words, words)

    with force_locale(naming.lang):
        return [
            Col(_("Breakdown"), 16),
            Col(coded(_("Group")), 14),
            Col(_("Group name"), 28),
            Col(_("Responses to the module (n)"), 12),
            Col(coded(_("Section")), 14),
            Col(coded(_("Question")), 16),
            Col(coded(_("Option")), 18),
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


def _write_module(sheet: Worksheet, figures: ModuleFigures, naming: Naming, note: str) -> None:
    """One row per rating and checklist option: overall, then each group of each breakdown.

    "Rated high" is at or above the module's ``high_from`` (4: 4-5). A suppressed group
    (or rating) keeps its n and has no figure, its note saying why.
    """
    t, lang = naming.t, naming.lang
    table = Table(sheet, _module_columns(naming))
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
                naming.dimension(by),
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
