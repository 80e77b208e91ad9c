"""The responses workbook: one row per response, streamed with XlsxWriter's constant-memory mode.

Columns come from the framework definition, never from whatever answers happen to be
stored. Every text cell goes through ``safe_cell`` (formula injection); numbers are
numeric cells, times are datetime cells, flags are booleans. Sheets are laid out by
``survey.exports.xlsx_stream.StreamTable`` (widths, bold frozen header, autofilter), the
streamed twin of ``survey.spreadsheets.Table``; the process that writes it never loads
openpyxl (survey.exports.cells).

The Responses sheet's columns are a catalogue held as data: ``RESPONSE_CATALOGUE`` lists
the fixed columns (the firm, its contacts, the states), each with its code (the header),
its labels (the codebook), its width, the row key its value is read from and how the
cell is made (``cell``, one of ``CELLS``), and whether it is contact data (left out
without contacts). The framework's columns (figures, criteria, technologies) follow,
made from the framework by ``response_columns``. Headers, widths, the codebook and the
cells of the fixed columns all come from the same list, so a column is added in one
place. The unscored modules' columns come last, made from the module versions the wave's
responses are pinned to (survey.exports.module_columns); their free text only in a
workbook that carries personal data, as the contacts.

Two layouts (``labels``). By code (``"codes"``, the programs' layout, whose columns the API
survey.api.responses shares): headers are the column codes, answers and coded values are
codes, the codebook is bilingual. In words (``"labels"``, the people's workbook): sheet
names, headers, answers, coded values, the codebook and the About sheet are in the
workbook's language, each coded value followed by a column of its codes headed "… (mã)"
(survey.exports.response_words holds the words).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import IO
from zoneinfo import ZoneInfo

from survey.exports import module_columns
from survey.exports import response_words as words
from survey.exports.cells import filters_text as _filters_text
from survey.exports.cells import text as _text
from survey.exports.xlsx_stream import Col, Percent, StreamBook
from survey.scoring import InvalidAnswers, scorer_for
from survey.scoring.definition import Comparison, Framework, Kind, Profile, criterion_max
from survey.scoring.figures import FIGURE

#: Excel has no time zones: times are written as naive local times of this zone.
TIME_ZONE = "Asia/Ho_Chi_Minh"
LOCAL = ZoneInfo(TIME_ZONE)

MULTI_SEPARATOR = "; "

RESPONSES = "Responses"
SCORES = "Scores"
CODEBOOK = "Codebook"
ABOUT = "About"


# --------------------------------------------------------------------------- helpers


def local_naive(value: datetime | None) -> datetime | None:
    """An aware time as the naive local time Excel can hold."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the export: give it a time zone")
    return value.astimezone(LOCAL).replace(tzinfo=None)


@dataclass(frozen=True)
class _Shown:
    """A column of a sheet as it is shown: its header and what it holds of ``column``.

    ``role`` is ``value`` (the column's value), ``label`` (in words: the label of its
    code) or ``code`` (in words: the code, beside its label). ``text`` is the codebook's
    description in the workbook's language (in words only).
    """

    column: Column
    header: str
    role: str = "value"
    text: str = ""
    width: float | None = None

    @property
    def code(self) -> str:
        """The column's code in the codebook: a label column's is its codes' with ``_label``."""
        return f"{self.column.code}_label" if self.role == "label" else self.column.code


def _shown_table(book: StreamBook, name: str, shown: Iterable[_Shown]):
    return book.table(name, [Col(s.header, s.width or s.column.width) for s in shown])


# --------------------------------------------------------------------------- the columns

#: How a catalogue column's cell is made from the value its row holds under ``key``:
#:
#: - ``number``: as it is (a number or empty);
#: - ``text``: inert text (``safe_cell``);
#: - ``coded``: inert text of a value from a short list (units, sectors, states), each
#:   distinct value worked out once;
#: - ``time``: a date cell of the local time (``TIME_ZONE``);
#: - ``rejected``: TRUE if the value is ``"rejected"`` (the review state), else FALSE.
CELLS = ("number", "text", "coded", "time", "rejected")


@dataclass(frozen=True)
class Column:
    """A column of the Responses or Scores sheet, as the codebook describes it.

    ``code`` is its header, ``vi``/``en`` its labels in the codebook. The catalogue's
    columns also say where their value comes from: the row's ``key`` (the code when
    not given) and ``cell``, one of ``CELLS``; ``contact`` marks contact data, shown
    only when contacts are included. The framework's columns have no ``cell``: their
    values come from the answers and the technologies.
    """

    code: str
    sheet: str
    kind: str
    vi: str
    en: str
    pillar: str | None = None
    max_points: int | None = None
    width: float = 12
    key: str | None = None
    cell: str | None = None
    contact: bool = False

    @property
    def row_key(self) -> str:
        return self.key or self.code


def _fixed(code, kind, cell, vi, en, width, *, key=None, contact=False) -> Column:
    return Column(code, RESPONSES, kind, vi, en, width=width, key=key, cell=cell, contact=contact)


#: The fixed columns of the Responses sheet, in order, before the framework's.
RESPONSE_CATALOGUE: tuple[Column, ...] = (
    _fixed("response_id", "integer", "number", "Mã số phiếu trả lời", "Response id", 11, key="id"),
    _fixed(
        "tax_code",
        "text",
        "text",
        "Mã số thuế (hộ, cá nhân kinh doanh: số định danh cá nhân, che trừ khi người xuất là quản trị viên)",
        "Tax code (household and individual businesses: the personal ID, masked unless an admin exported)",
        16,
    ),
    _fixed(
        "firm_name",
        "text",
        "text",
        "Tên doanh nghiệp do người trả lời khai",
        "Firm name as the respondent gave it",
        36,
    ),
    _fixed(
        "register_name",
        "text",
        "text",
        "Tên doanh nghiệp trong danh sách doanh nghiệp của thành phố",
        "Firm name in the city's enterprise register",
        36,
    ),
    _fixed("unit_code", "text", "coded", "Mã đơn vị hành chính cấp xã", "Commune-level unit code", 10),
    _fixed("unit_name", "text", "coded", "Tên đơn vị hành chính cấp xã", "Commune-level unit name", 24),
    _fixed(
        "former_area",
        "text",
        "coded",
        "Quận/huyện cũ (trước 01/7/2025)",
        "Former district (before 1 July 2025)",
        24,
    ),
    _fixed("sector", "text", "coded", "Ngành kinh tế (VSIC 2018, cấp 1)", "Sector (VSIC 2018 section)", 8),
    _fixed(
        "economic_pillar", "text", "coded", "Trụ cột kinh tế của thành phố", "The city's economic pillar", 18
    ),
    _fixed("ownership", "text", "coded", "Loại hình sở hữu", "Ownership", 12),
    _fixed("employees", "integer", "number", "Số lao động", "Employees", 10),
    _fixed("revenue_vnd", "integer", "number", "Doanh thu (đồng)", "Revenue (VND)", 16),
    _fixed("capital_vnd", "integer", "number", "Tổng nguồn vốn (đồng)", "Total capital (VND)", 16),
    _fixed(
        "size_class",
        "text",
        "coded",
        "Quy mô doanh nghiệp (Nghị định 80/2021/NĐ-CP)",
        "Size class (Decree 80/2021/ND-CP)",
        10,
    ),
    _fixed(
        "kind",
        "text",
        "coded",
        "Loại hình kinh doanh: enterprise, branch, cooperative, household, individual",
        "Kind of business: enterprise, branch, cooperative, household, individual",
        12,
    ),
    _fixed("contact_name", "text", "text", "Người liên hệ", "Contact person", 24, contact=True),
    _fixed("contact_email", "text", "text", "Thư điện tử liên hệ", "Contact e-mail", 28, contact=True),
    _fixed("contact_phone", "text", "text", "Điện thoại liên hệ", "Contact phone", 14, contact=True),
    _fixed(
        "state",
        "text",
        "coded",
        "Trạng thái phiếu: draft = đang điền, submitted = đã nộp",
        "Response state: draft = being filled in, submitted = sent",
        11,
    ),
    _fixed(
        "review_state",
        "text",
        "coded",
        "Kết quả rà soát: pending, verified, flagged, rejected",
        "Review state: pending, verified, flagged, rejected",
        12,
    ),
    _fixed("review_reason", "text", "text", "Lý do của kết quả rà soát", "Reason for the review state", 30),
    _fixed(
        "rejected",
        "boolean",
        "rejected",
        "TRUE nếu phiếu bị loại khi rà soát: không được tính vào số liệu thống kê",
        "TRUE if rejected in review: excluded from the statistics",
        10,
        key="review_state",
    ),
    _fixed(
        "created_at",
        "datetime",
        "time",
        f"Thời điểm tạo phiếu (giờ {TIME_ZONE})",
        f"When the response was started ({TIME_ZONE} time)",
        19,
    ),
    _fixed(
        "submitted_at",
        "datetime",
        "time",
        f"Thời điểm nộp phiếu (giờ {TIME_ZONE})",
        f"When the response was submitted ({TIME_ZONE} time)",
        19,
    ),
    _fixed(
        "updated_at",
        "datetime",
        "time",
        f"Thời điểm sửa phiếu lần cuối (giờ {TIME_ZONE})",
        f"When the response was last changed ({TIME_ZONE} time)",
        19,
    ),
)


def response_columns(framework: Framework, include_contacts: bool = True) -> list[Column]:
    """The Responses sheet's columns, in order."""
    columns = [c for c in RESPONSE_CATALOGUE if include_contacts or not c.contact]
    for figure in framework.figures:
        columns.append(
            Column(
                figure.code,
                RESPONSES,
                "figure",
                f"{figure.label.vi} ({figure.unit.vi})",
                f"{figure.label.en} ({figure.unit.en})",
                width=14,
            )
        )
    for pillar, criterion in framework.criteria():
        if criterion.kind is Kind.FIGURE:
            columns += _figure_columns(pillar.code, criterion)
            continue
        kind = "multi" if criterion.kind is Kind.MULTI else "single"
        columns.append(
            Column(
                criterion.code,
                RESPONSES,
                kind,
                criterion.text.vi,
                criterion.text.en,
                pillar=pillar.code,
                max_points=criterion_max(criterion),
                width=14 if kind == "single" else 24,
            )
        )
    for tech in framework.technologies:
        columns.append(
            Column(
                f"tech_{tech.code}",
                RESPONSES,
                "0/1",
                f"Công nghệ 4.0 đang dùng: {tech.label.vi} (1 = có, 0 = không)",
                f"Industry 4.0 technology in use: {tech.label.en} (1 = yes, 0 = no)",
                width=10,
            )
        )
    return columns


def _figure_columns(pillar: str, criterion) -> list[Column]:
    """A figure criterion's numerator, its own denominator if it has one, and the
    criterion's points (the codebook lists its %-bands)."""
    unit_vi, unit_en = criterion.unit.vi, criterion.unit.en
    of_vi = criterion.denominator.vi if criterion.denominator else None
    columns = [
        Column(
            criterion.code,
            RESPONSES,
            "figure",
            f"{criterion.text.vi} — tử số: {criterion.numerator.vi} ({unit_vi})",
            f"{criterion.text.en} — numerator: {criterion.numerator.en} ({unit_en})",
            pillar=pillar,
            max_points=criterion_max(criterion),
            width=14,
        )
    ]
    if of_vi is not None:
        columns.append(
            Column(
                f"{criterion.code}_of",
                RESPONSES,
                "figure",
                f"{criterion.text.vi} — mẫu số: {of_vi} ({unit_vi})",
                f"{criterion.text.en} — denominator: {criterion.denominator.en} ({unit_en})",
                pillar=pillar,
                width=14,
            )
        )
    return columns


def score_columns(framework: Framework) -> list[Column]:
    """The Scores sheet's columns, in order."""
    columns = [
        Column("response_id", SCORES, "integer", "Mã số phiếu trả lời", "Response id", width=11),
        Column("tax_code", SCORES, "text", "Mã số thuế", "Tax code", width=16),
    ]
    for pillar in framework.pillars:
        name_vi, name_en = pillar.name.vi, pillar.name.en
        columns += [
            Column(
                f"{pillar.code}_points",
                SCORES,
                "integer",
                f"Điểm trụ cột {name_vi}",
                f"Points in the pillar {name_en}",
                pillar=pillar.code,
                max_points=pillar.max_points,
            ),
            Column(
                f"{pillar.code}_percent",
                SCORES,
                "percent",
                f"Tỷ lệ điểm so với điểm tối đa của trụ cột {name_vi}",
                f"Points as a share of the maximum of the pillar {name_en}",
                pillar=pillar.code,
            ),
            Column(
                f"{pillar.code}_level",
                SCORES,
                "integer",
                f"Mức của trụ cột {name_vi} (0–{len(framework.levels) - 1})",
                f"Level of the pillar {name_en} (0–{len(framework.levels) - 1})",
                pillar=pillar.code,
            ),
        ]
    for pillar in framework.pillars:
        for component in pillar.components:
            columns.append(
                Column(
                    f"c{component.code}_points",
                    SCORES,
                    "integer",
                    f"Điểm chỉ số thành phần {component.code} {component.name.vi}",
                    f"Points in the component index {component.code} {component.name.en}",
                    pillar=pillar.code,
                    max_points=component.max_points,
                )
            )
    levels = "; ".join(f"{lv.level} = {lv.name.vi}" for lv in framework.levels)
    levels_en = "; ".join(f"{lv.level} = {lv.name.en}" for lv in framework.levels)
    tiers = "; ".join(f"{t.code} = {t.name.vi}" for t in framework.tiers)
    tiers_en = "; ".join(f"{t.code} = {t.name.en}" for t in framework.tiers)
    columns += [
        Column(
            "total_points",
            SCORES,
            "integer",
            "Tổng điểm",
            "Total points",
            max_points=framework.max_points,
        ),
        Column("overall_level", SCORES, "integer", f"Mức chung: {levels}", f"Overall level: {levels_en}"),
        Column("tier", SCORES, "text", f"Nhóm: {tiers}", f"Tier: {tiers_en}"),
    ]
    return columns


# --------------------------------------------------------------------------- responses workbook


def _answer_value(answer, multi: bool, display: dict):
    """The cell for one answer: the option's code or label; several joined by ``MULTI_SEPARATOR``.

    An answer the framework does not know (a stale draft, say) is shown as it is stored.
    """
    if answer is None or answer == [] or answer == "":
        return None
    if multi and isinstance(answer, list):
        parts = [display.get(str(code)) or _text(str(code)) for code in answer]
        return _text(MULTI_SEPARATOR.join(parts))
    if isinstance(answer, list | dict):
        return _text(str(answer))
    key = answer if isinstance(answer, str) else str(answer)
    found = display.get(key)
    return found if found is not None else _text(key)


#: Distinct values remembered per cache; beyond that, values are worked out every time.
_CACHE_LIMIT = 4096


def _figure_cell(raw):
    """A stored figure (a decimal string) as a number cell; anything else as inert text."""
    if raw is None:
        return None
    if isinstance(raw, str) and FIGURE.match(raw):
        number = Decimal(raw)
        return int(number) if number == number.to_integral_value() else float(number)
    return _text(str(raw))


class _AnswerCells:
    """A response's answer cells, in the order of ``response_columns``.

    Choice answers repeat a great deal (a few options per criterion, a few combinations
    of a multi-choice), so each distinct answer's cell is worked out once and remembered.
    Figures are typed numbers, as reported.
    """

    def __init__(self, framework: Framework, labels: str, lang: str):
        self._criteria = [("shared", f.code, None, None) for f in framework.figures]
        for _, criterion in framework.criteria():
            if criterion.kind is Kind.FIGURE:
                self._criteria.append(("value", criterion.code, None, None))
                if criterion.denominator is not None:
                    self._criteria.append(("of", criterion.code, None, None))
                continue
            display = {
                o.code: _text(o.label.get(lang) if labels == "labels" else o.code) for o in criterion.options
            }
            multi = criterion.kind is Kind.MULTI
            self._criteria.append((multi, criterion.code, display, dict(display)))

    def __call__(self, answers: dict) -> list:
        cells = []
        append = cells.append
        for multi, code, display, cache in self._criteria:
            answer = answers.get(code)
            if answer is None:
                append(None)
                continue
            if display is None:  # a figure: the shared one, or a part of a criterion's
                part = (
                    answer
                    if multi == "shared"
                    else (answer.get(multi) if isinstance(answer, dict) else answer)
                )
                append(_figure_cell(part))
                continue
            key = tuple(answer) if answer.__class__ is list else answer
            try:
                value = cache[key]
            except KeyError:  # not seen yet
                value = _answer_value(answer, multi, display)
                if len(cache) < _CACHE_LIMIT:
                    cache[key] = value
            except TypeError:  # not hashable (not an answer the form gives)
                value = _answer_value(answer, multi, display)
            append(value)
        return cells


class _Memo(dict):
    """``_text`` of values that come from a short list (units, sectors, states): each once."""

    def __missing__(self, key):
        value = _text(key)
        if len(self) < _CACHE_LIMIT:
            self[key] = value
        return value


def _cell_maker(cell: str, coded: _Memo):
    """How a catalogue column's cells are made (see ``CELLS``); None: the value as it is."""
    return {
        "number": None,
        "text": _text,
        "coded": coded.__getitem__,
        "time": local_naive,
        "rejected": lambda value: value == "rejected",
    }[cell]


def write_responses_workbook(
    target: str | IO[bytes],
    framework: Framework,
    rows: Iterable[dict],
    *,
    wave_info: dict,
    filters: dict,
    exported_by: str,
    exported_at: datetime,
    labels: str = "codes",
    lang: str = "vi",
    include_contacts: bool = True,
    include_personal_ids: bool = False,
    modules: Sequence[module_columns.Pinned] = (),
    include_module_texts: bool | None = None,
    sector_names: Mapping[str, str] | None = None,
) -> int:
    """Write the responses of a wave to ``target`` (a path or a binary file); return the row count.

    ``rows`` are dicts as ``survey.exports.rows.response_rows`` gives them (contact keys
    are read only with ``include_contacts``). ``labels`` is ``"codes"`` (option codes)
    or ``"labels"`` (option labels in ``lang``, ``"vi"`` or ``"en"``).

    ``modules`` are the module versions to give columns to (``module_columns.pinned_modules``);
    with any, the rows must carry their ``modules`` (``response_rows(..., modules=True)``).
    Their text columns are there with ``include_module_texts`` (by default: with
    ``include_contacts``).

    With ``labels="labels"`` the whole workbook is in words in ``lang`` (see
    survey.exports.response_words): sheet names, headers, coded values (each followed by
    a column of its codes), the codebook and the About sheet. ``sector_names`` (code →
    name in ``lang``) name the sectors; by default they are read from the Sector table.
    With ``"codes"`` the layout is the codes one: headers are the column codes.
    """
    if labels not in ("codes", "labels"):
        raise ValueError(f"labels must be 'codes' or 'labels', not {labels!r}")
    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    exported_local = local_naive(exported_at)

    response_cols = response_columns(framework, include_contacts)
    score_cols = score_columns(framework)
    unknown = [c.cell for c in response_cols if c.cell is not None and c.cell not in CELLS]
    if unknown:  # before a sheet is started: a half-written workbook cannot be closed
        raise ValueError(f"unknown cell kind {unknown[0]!r}: one of {', '.join(CELLS)}")
    module_texts = include_contacts if include_module_texts is None else include_module_texts
    module_cols = module_columns.columns(modules, texts=module_texts)
    module_columns.check_codes(module_cols, (c.code for c in response_cols))  # before a sheet too
    response_cols += [Column(c.code, RESPONSES, c.kind, c.vi, c.en, width=c.width) for c in module_cols]
    in_words = labels == "labels"
    if in_words:
        sectors = dict(words.sector_names(lang) if sector_names is None else sector_names)
        shown_responses = _shown_responses(response_cols, framework, modules, lang)
        shown_scores = _shown_scores(score_cols, framework, lang)
        sheet_names = words.SHEETS[lang]
    else:
        sectors = {}
        shown_responses = [_Shown(c, c.code) for c in response_cols]
        shown_scores = [_Shown(c, c.code) for c in score_cols]
        sheet_names = {name: name for name in (RESPONSES, SCORES, CODEBOOK, ABOUT)}
    with StreamBook(target) as workbook:
        return _write_workbook(
            workbook,
            framework,
            rows,
            response_cols=response_cols,
            score_cols=score_cols,
            module_cols=module_cols,
            shown_responses=shown_responses,
            shown_scores=shown_scores,
            sheet_names=sheet_names,
            sectors=sectors,
            in_words=in_words,
            wave_info=wave_info,
            filters=filters,
            exported_by=exported_by,
            exported_local=exported_local,
            labels=labels,
            lang=lang,
            include_contacts=include_contacts,
            include_personal_ids=include_personal_ids,
            modules=modules,
            module_texts=module_texts,
        )


def _write_workbook(
    workbook: StreamBook,
    framework: Framework,
    rows: Iterable[dict],
    *,
    response_cols: list[Column],
    score_cols: list[Column],
    module_cols: list,
    shown_responses: list[_Shown],
    shown_scores: list[_Shown],
    sheet_names: Mapping[str, str],
    sectors: Mapping[str, str],
    in_words: bool,
    wave_info: dict,
    filters: dict,
    exported_by: str,
    exported_local: datetime,
    labels: str,
    lang: str,
    include_contacts: bool,
    include_personal_ids: bool,
    modules: Sequence[module_columns.Pinned],
    module_texts: bool,
) -> int:
    """``write_responses_workbook``'s rows and sheets, into an open ``StreamBook``."""
    responses = _shown_table(workbook, sheet_names[RESPONSES], shown_responses)
    scores = _shown_table(workbook, sheet_names[SCORES], shown_scores)

    coded = _Memo()
    # The catalogue's columns: (row key, how the cell is made; None: the value as it is).
    fixed = [
        (s.column.row_key, _shown_maker(s, coded, lang, sectors))
        for s in shown_responses
        if s.column.cell is not None
    ]
    tier_label = _label_maker({t.code: t.name.get(lang) for t in framework.tiers}) if in_words else None
    answer_cells = _AnswerCells(framework, labels, lang)
    tech_codes = [t.code for t in framework.technologies]
    pillar_codes = [p.code for p in framework.pillars]
    component_codes = [k.code for p in framework.pillars for k in p.components]
    scorer = scorer_for(framework)
    module_cells = module_columns.Cells(module_cols)

    for row in rows:
        answers = row["answers"] or {}
        if not isinstance(answers, dict):
            answers = {}
        technologies = row["technologies"] or ()
        if not isinstance(technologies, list | tuple):
            technologies = ()
        values = []
        append = values.append
        for key, make in fixed:
            value = row[key]
            append(value if make is None else make(value))
        values += answer_cells(answers)
        values += [1 if code in technologies else 0 for code in tech_codes]
        if module_cols:
            values += module_cells(row["modules"])
        responses.append(values)

        pillars = row["pillars"]
        score = [row["id"], _text(row["tax_code"])]
        for code in pillar_codes:
            found = pillars.get(code)
            if found is None:
                score += [None, None, None]
            else:
                points, max_points, level = found
                score += [points, Percent(points / max_points) if max_points else None, level]
        if component_codes:
            score += _component_points(scorer, answers, row, component_codes)
        score += [row["total_points"], row["overall_level"]]
        if tier_label is not None:  # in words: the tier's name, then its code
            score.append(tier_label(row["tier"]))
        score.append(coded[row["tier"]])
        scores.append(score)

    written = responses.rows
    responses.close()
    scores.close()
    choices = {c.code: c.choices for c in module_cols if c.choices}
    if in_words:
        codebook_rows = _write_codebook_words(
            workbook, framework, [*shown_responses, *shown_scores], choices, lang=lang, sectors=sectors
        )
        _write_about_words(
            workbook,
            framework,
            wave_info=wave_info,
            filters=filters,
            exported_by=exported_by,
            exported_local=exported_local,
            counts={RESPONSES: written, SCORES: written, CODEBOOK: codebook_rows},
            lang=lang,
            sectors=sectors,
            include_contacts=include_contacts,
            include_personal_ids=include_personal_ids,
            modules=modules,
            include_module_texts=module_texts,
        )
        return written
    codebook_rows = _write_codebook(workbook, framework, [*response_cols, *score_cols], choices)
    _write_about(
        workbook,
        framework,
        wave_info=wave_info,
        filters=filters,
        exported_by=exported_by,
        exported_local=exported_local,
        counts={RESPONSES: written, SCORES: written, CODEBOOK: codebook_rows},
        labels=labels,
        lang=lang,
        include_contacts=include_contacts,
        include_personal_ids=include_personal_ids,
        modules=modules,
        include_module_texts=module_texts,
    )
    return written


CODEBOOK_HEADER = (
    "column",
    "sheet",
    "kind",
    "pillar",
    "option",
    "points",
    "max_points",
    "text_vi",
    "text_en",
)
CODEBOOK_WIDTHS = (16, 10, 9, 16, 16, 8, 11, 70, 70)


def _component_points(scorer, answers: dict, row, codes: list[str]) -> list:
    """Component points of a scored response (they are not stored: pillars are), worked
    out from its answers; empty cells for drafts and answers that no longer score."""
    if row["total_points"] is None:
        return [None] * len(codes)
    try:
        card = scorer.score(answers, Profile(entity_type=row["ownership"], sector=row["sector"]))
    except InvalidAnswers:
        return [None] * len(codes)
    found = {c.code: c.points for c in card.components}
    return [found.get(code) for code in codes]


def _write_codebook(
    workbook: StreamBook,
    framework: Framework,
    columns: list[Column],
    scales: dict[str, tuple[tuple[int, str, str], ...]] | None = None,
) -> int:
    """One row per column of Responses and Scores; under each criterion, one row per option.

    A column's own row has ``option`` empty; an option's row has the criterion's code in
    ``column``, the option code in ``option``, its points and its labels. Under a module's
    rating, one ``point`` row per point of its scale: the value in ``option``, its labels
    (``scales``: column code → (value, vi, en) of each point).
    """
    scales = scales or {}
    table = workbook.table(
        CODEBOOK, [Col(h, w) for h, w in zip(CODEBOOK_HEADER, CODEBOOK_WIDTHS, strict=True)]
    )
    options = {c.code: c.options for _, c in framework.criteria()}
    bands = {c.code: (c.bands, c.provisional) for _, c in framework.criteria() if c.kind is Kind.FIGURE}
    sign = ">" if framework.band_comparison is Comparison.ABOVE else "≥"
    for column in columns:
        table.row(
            [
                column.code,
                column.sheet,
                column.kind,
                column.pillar,
                None,
                None,
                column.max_points,
                column.vi,
                column.en,
            ]
        )
        if column.sheet != RESPONSES:
            continue
        figure_bands, provisional = bands.get(column.code, ((), False))
        for band in figure_bands:
            edge = f"{sign} {band.percent:g}%"
            note_vi, note_en = (" (thang điểm tạm thời)", " (provisional bands)") if provisional else ("", "")
            table.row(
                [
                    column.code,
                    column.sheet,
                    "band",
                    column.pillar,
                    edge,
                    band.points,
                    None,
                    f"Tỷ lệ {edge}{note_vi}",
                    f"Share {edge}{note_en}",
                ]
            )
        for value, label_vi, label_en in scales.get(column.code, ()):
            table.row([column.code, column.sheet, "point", None, value, None, None, label_vi, label_en])
        for option in options.get(column.code, ()):
            table.row(
                [
                    column.code,
                    column.sheet,
                    "option",
                    column.pillar,
                    option.code,
                    option.points,
                    None,
                    option.label.vi,
                    option.label.en,
                ]
            )
    table.close()
    return table.rows


def _write_about(
    workbook: StreamBook,
    framework: Framework,
    *,
    wave_info: dict,
    filters: dict,
    exported_by: str,
    exported_local: datetime,
    counts: dict,
    labels: str,
    lang: str,
    include_contacts: bool,
    include_personal_ids: bool = False,
    modules: Sequence[module_columns.Pinned] = (),
    include_module_texts: bool = False,
) -> None:
    table = workbook.table(ABOUT, [Col("item", 26), Col("value", 90)], autofilter=False)
    items: list[tuple[str, object]] = [
        ("wave_name", wave_info.get("name")),
        ("wave_id", wave_info.get("id")),
        ("wave_year", wave_info.get("year")),
        ("framework_code", framework.code),
        ("framework_version", framework.version),
        ("framework_content_hash", framework.content_hash),
        ("framework_title", f"{framework.title.vi} / {framework.title.en}"),
        ("filters", _filters_text(filters)),
        *((f"filter_{k}", v) for k, v in filters.items()),
        ("exported_at", exported_local),
        (
            "time_zone",
            f"{TIME_ZONE}: every time in this workbook is local time there (UTC+7); "
            "Excel keeps no time zone with a time.",
        ),
        ("exported_by", exported_by),
        *((f"rows_{name}", n) for name, n in counts.items()),
        ("contacts_included", include_contacts),
        (
            "personal_ids_included",
            f"{include_personal_ids}: "
            + (
                "household and individual businesses' personal IDs are in full (Law 91/2025/QH15: "
                "personal data; keep this file safe)."
                if include_personal_ids
                else "household and individual businesses' personal IDs are masked (031•••••••23)."
            ),
        ),
        (
            "modules",
            "; ".join(f"{p.module.label} ({p.module.content_hash})" for p in modules) or "(none)",
        ),
        (
            "module_texts_included",
            f"{include_module_texts}: "
            + (
                "the modules' free-text answers are in their columns (they may name people: "
                "keep this file safe)."
                if include_module_texts
                else "the modules' free-text answers are left out, as the contacts."
            ),
        ),
        ("answers_as", f"{labels} ({lang})" if labels == "labels" else "codes"),
        (
            "rejected",
            "rejected = TRUE: staff rejected the response in review; it is excluded from the "
            "statistics (as are drafts, state = draft) but listed here so nothing is hidden.",
        ),
        (
            "multi_choice",
            f"Multi-choice answers list the chosen options separated by {MULTI_SEPARATOR.strip()!r}.",
        ),
        (
            "codebook",
            "The Codebook sheet describes every column, with each option's code, labels and points, "
            "and each module rating's scale.",
        ),
    ]
    for key, value in items:
        table.row([key, value])


# --------------------------------------------------------------------------- in words


def _label_maker(found: Mapping[str, str]):
    """A coded value's cell in words: its label (inert), or the value itself when unknown."""
    memo = {code: _text(label) for code, label in found.items()}

    def make(value):
        if value is None or value == "":
            return None
        shown = memo.get(value)
        return shown if shown is not None else _text(str(value))

    return make


def _shown_maker(shown: _Shown, coded: _Memo, lang: str, sectors: Mapping[str, str]):
    """How a catalogue column's cells are made as ``shown``: a label in words, or as ``CELLS`` says."""
    if shown.role == "label":
        kind = words.CODED[shown.column.code]
        return _label_maker(sectors if kind == "sector" else words.coded_labels(kind, lang))
    return _cell_maker(shown.column.cell, coded)


def _framework_words(framework: Framework, lang: str) -> dict[str, tuple[str, str]]:
    """The framework's columns of the Responses sheet: code → (header, description) in ``lang``."""
    say = words.FRAMEWORK_WORDS[lang]
    found = {}
    for figure in framework.figures:
        header = say["figure"].format(label=figure.label.get(lang), unit=figure.unit.get(lang))
        found[figure.code] = (header, header)
    for _, criterion in framework.criteria():
        text = criterion.text.get(lang)
        if criterion.kind is Kind.FIGURE:
            unit = criterion.unit.get(lang) if criterion.unit else ""
            header = say["numerator"].format(code=criterion.code, text=text, unit=unit)
            found[criterion.code] = (header, f"{text}: {criterion.numerator.get(lang)} ({unit})")
            if criterion.denominator is not None:
                header = say["denominator"].format(code=criterion.code, text=text, unit=unit)
                found[f"{criterion.code}_of"] = (
                    header,
                    f"{text}: {criterion.denominator.get(lang)} ({unit})",
                )
            continue
        found[criterion.code] = (say["criterion"].format(code=criterion.code, text=text), text)
    for tech in framework.technologies:
        label = tech.label.get(lang)
        found[f"tech_{tech.code}"] = (say["tech"].format(label=label), say["tech_text"].format(label=label))
    return found


def _module_headers(modules: Sequence[module_columns.Pinned], lang: str) -> dict[str, str]:
    """The module columns' headers in ``lang``: the module, the question (and a checklist's option)."""
    say = words.FRAMEWORK_WORDS[lang]
    found = {}
    for p in modules:
        module = p.module
        title = module.title.get(lang)
        for question in module.questions:
            asked = question.text.get(lang)
            found[module_columns._code(module, question.code)] = say["module"].format(
                module=title, question=asked
            )
            for option in question.options:
                code = module_columns._code(module, question.code, option.code)
                found[code] = say["tick"].format(module=title, question=asked, option=option.label.get(lang))
    return found


def _shown_responses(
    columns: list[Column], framework: Framework, modules: Sequence[module_columns.Pinned], lang: str
) -> list[_Shown]:
    """The Responses sheet's columns in words: each coded value's label, then its codes; the
    unit's name, then its code."""
    framework_words = _framework_words(framework, lang)
    module_headers = _module_headers(modules, lang)
    by_code = {c.code: c for c in columns}
    shown = []
    for column in columns:
        code = column.code
        text = words.pick(words.DESCRIPTIONS.get(code, (column.vi, column.en)), lang)
        if column.cell is not None:
            if code == "unit_code":
                continue  # after the unit's name
            header = words.pick(words.HEADERS[code], lang)
            if code == "unit_name":
                shown.append(_Shown(column, header, text=text))
                unit = by_code["unit_code"]
                shown.append(_Shown(unit, words.code_header(header, lang), "code", words.UNIT_CODE[lang]))
            elif code in words.CODED:
                shown.append(_Shown(column, header, "label", text, width=max(column.width, 22)))
                codes_of = words.CODES_OF[lang].format(header=header)
                shown.append(_Shown(column, words.code_header(header, lang), "code", codes_of))
            else:
                shown.append(_Shown(column, header, text=text))
        elif code in framework_words:
            header, text = framework_words[code]
            shown.append(_Shown(column, header, text=text, width=max(column.width, 18)))
        else:  # a module's column
            header = module_headers.get(code, code)
            shown.append(_Shown(column, header, text=text, width=max(column.width, 18)))
    return shown


def _shown_scores(columns: list[Column], framework: Framework, lang: str) -> list[_Shown]:
    """The Scores sheet's columns in words: the tier's name, then its code."""
    say = words.FRAMEWORK_WORDS[lang]
    top = len(framework.levels) - 1
    found: dict[str, tuple[str, str]] = {}
    for pillar in framework.pillars:
        name = pillar.name.get(lang)
        found[f"{pillar.code}_points"] = (say["pillar_points"].format(name=name),) * 2
        found[f"{pillar.code}_percent"] = (say["pillar_percent"].format(name=name),) * 2
        found[f"{pillar.code}_level"] = (say["pillar_level"].format(name=name, top=top),) * 2
        for component in pillar.components:
            text = say["component"].format(code=component.code, name=component.name.get(lang))
            found[f"c{component.code}_points"] = (text, text)
    levels = "; ".join(f"{lv.level} = {lv.name.get(lang)}" for lv in framework.levels)
    found["overall_level"] = (say["overall_level"].format(top=top), say["levels"].format(levels=levels))
    shown = []
    for column in columns:
        code = column.code
        if code in found:
            header, text = found[code]
            shown.append(_Shown(column, header, text=text, width=max(column.width, 14)))
            continue
        header = words.pick(words.HEADERS[code], lang)
        text = words.pick(words.DESCRIPTIONS.get(code, (column.vi, column.en)), lang)
        if code == "tier":
            shown.append(_Shown(column, header, "label", text, width=22))
            codes_of = words.CODES_OF[lang].format(header=header)
            shown.append(_Shown(column, words.code_header(header, lang), "code", codes_of))
        else:
            shown.append(_Shown(column, header, text=text))
    return shown


def _write_codebook_words(
    workbook: StreamBook,
    framework: Framework,
    shown: list[_Shown],
    scales: dict[str, tuple[tuple[int, str, str], ...]],
    *,
    lang: str,
    sectors: Mapping[str, str],
) -> int:
    """The codebook in words: one row per column of Responses and Scores, as headed there,
    and under each criterion, each column of codes and each module rating the values it
    may hold: the code in the "(mã)" column, its words in the description."""
    header = words.CODEBOOK_HEADER[lang]
    table = workbook.table(
        words.SHEETS[lang][CODEBOOK], [Col(h, w) for h, w in zip(header, words.CODEBOOK_WIDTHS, strict=True)]
    )
    sheets = words.SHEETS[lang]
    pillars = {p.code: p.name.get(lang) for p in framework.pillars}
    options = {c.code: c.options for _, c in framework.criteria()}
    bands = {c.code: (c.bands, c.provisional) for _, c in framework.criteria() if c.kind is Kind.FIGURE}
    tiers = [(t.code, t.name.get(lang)) for t in framework.tiers]
    sign = ">" if framework.band_comparison is Comparison.ABOVE else "≥"
    say = words.FRAMEWORK_WORDS[lang]

    def kind(name: str) -> str:
        found = words.KINDS.get(name)
        return words.pick(found, lang) if found else name

    for s in shown:
        column = s.column
        sheet = sheets[column.sheet]
        pillar = (pillars.get(column.pillar, column.pillar), column.pillar) if column.pillar else (None, None)
        own_kind = {"label": "label", "code": "code"}.get(s.role, column.kind)
        table.row([s.header, s.code, sheet, kind(own_kind), *pillar, None, None, column.max_points, s.text])
        # Each value the column may hold: (kind of row, value, points, words, with the pillar).
        values: list[tuple[str, object, int | None, str, bool]] = []
        if s.role == "code":
            if column.code == "tier":
                found = tiers
            elif column.code in words.CODED:
                found = words.option_rows(words.CODED[column.code], lang, sectors)
            else:
                found = []
            values += [("value", code, None, label, False) for code, label in found]
        elif s.role == "value" and column.sheet == RESPONSES:
            figure_bands, provisional = bands.get(column.code, ((), False))
            note = say["provisional"] if provisional else ""
            for band in figure_bands:
                edge = f"{sign} {band.percent:g}%"
                values.append(("band", edge, band.points, say["band"].format(edge=edge) + note, True))
            for value, label_vi, label_en in scales.get(column.code, ()):
                values.append(("point", value, None, label_en if lang == "en" else label_vi, False))
            for option in options.get(column.code, ()):
                values.append(("option", option.code, option.points, option.label.get(lang), True))
        for row_kind, value, points, text, with_pillar in values:
            row_pillar = pillar if with_pillar else (None, None)
            table.row([s.header, s.code, sheet, kind(row_kind), *row_pillar, value, points, None, text])
    table.close()
    return table.rows


def _write_about_words(
    workbook: StreamBook,
    framework: Framework,
    *,
    wave_info: dict,
    filters: dict,
    exported_by: str,
    exported_local: datetime,
    counts: dict,
    lang: str,
    sectors: Mapping[str, str],
    include_contacts: bool,
    include_personal_ids: bool,
    modules: Sequence[module_columns.Pinned],
    include_module_texts: bool,
) -> None:
    """The About sheet in words: each item named, and its value, in ``lang``."""
    say = words.ABOUT[lang]
    sheets = words.SHEETS[lang]
    item, value = say["header"]
    table = workbook.table(sheets[ABOUT], [Col(item, 34), Col(value, 90)], autofilter=False)
    shown_filters = words.filter_words(filters, lang, sectors)
    yes_no = {True: say["yes"], False: say["no"]}
    rejected_header = words.pick(words.HEADERS["rejected"], lang)
    items: list[tuple[str, object]] = [
        (say["wave_name"], wave_info.get("name")),
        (say["wave_id"], wave_info.get("id")),
        (say["wave_year"], wave_info.get("year")),
        (say["framework_code"], framework.code),
        (say["framework_version"], framework.version),
        (say["framework_content_hash"], framework.content_hash),
        (say["framework_title"], framework.title.get(lang)),
        (say["filters"], "; ".join(f"{n}: {v}" for n, v in shown_filters) or say["no_filters"]),
        *((say["filter"].format(name=n), v) for n, v in shown_filters),
        (say["exported_at"], exported_local),
        (say["time_zone"], say["time_zone_text"].format(zone=TIME_ZONE)),
        (say["exported_by"], exported_by),
        *((say["rows"].format(sheet=sheets[name]), n) for name, n in counts.items()),
        (say["contacts_included"], yes_no[bool(include_contacts)]),
        (
            say["personal_ids_included"],
            say["personal_ids_yes" if include_personal_ids else "personal_ids_no"],
        ),
        (
            say["modules"],
            "; ".join(
                say["module"].format(
                    title=p.module.title.get(lang), version=p.module.version, hash=p.module.content_hash
                )
                for p in modules
            )
            or say["no_modules"],
        ),
        (
            say["module_texts_included"],
            say["module_texts_yes" if include_module_texts else "module_texts_no"],
        ),
        (say["answers_as"], say["answers_as_text"]),
        (say["rejected"], say["rejected_text"].format(column=rejected_header)),
        (say["multi_choice"], say["multi_choice_text"].format(sep=MULTI_SEPARATOR.strip())),
        (say["codebook"], say["codebook_text"].format(sheet=sheets[CODEBOOK])),
    ]
    for key, shown in items:
        table.row([key, shown])


# --------------------------------------------------------------------------- summary workbook
