"""The responses workbook in words: everything a person reads in the workbook's language,
each coded value beside a column of its codes ("… (mã)"), the codes layout untouched."""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re

import pytest
from flask_babel import force_locale

import survey.models
from survey import labels as catalogue
from survey.exports import response_words as words
from tests.exports.conftest import FRAMEWORK
from tests.exports.helpers import header, records, responses_workbook
from tests.exports.test_module_columns import BARRIERS, module_wave, workbook_of  # noqa: F401 (the fixture)

SHEETS = {
    "vi": ["Phiếu trả lời", "Điểm", "Giải thích các cột", "Thông tin"],
    "en": ["Responses", "Scores", "Codebook", "About"],
}
CODE_HEADER = re.compile(r"\((mã|code)\)$")
#: The coded fixed columns, by their header in words, and their label catalogue's kind.
CODED = {
    "vi": {
        "Loại hình doanh nghiệp": "ownership",
        "Quy mô doanh nghiệp": "size_class",
        "Loại hình cơ sở kinh doanh": "kind",
        "Trạng thái phiếu trả lời": "state",
        "Kết quả rà soát": "review_state",
        "Ngành kinh tế mũi nhọn": "economic_pillar",
    },
    "en": {
        "Ownership": "ownership",
        "Size class": "size_class",
        "Kind of business": "kind",
        "Response status": "state",
        "Review outcome": "review_state",
        "Economic sector of focus": "economic_pillar",
    },
}


def _codes() -> set[str]:
    """What a person must not have to decode: every enum value of the models, and the
    framework's pillar and tier codes (as tests/intent/test_vietnamese.py looks for)."""
    found = set()
    for module in pkgutil.iter_modules(survey.models.__path__):
        loaded = importlib.import_module(f"survey.models.{module.name}")
        for thing in vars(loaded).values():
            if isinstance(thing, type) and issubclass(thing, enum.Enum) and thing is not enum.Enum:
                found |= {str(member.value) for member in thing}
    found |= {p.code for p in FRAMEWORK.pillars} | {t.code for t in FRAMEWORK.tiers}
    return found - {"xa"}


_SPLIT = re.compile(r"[\s/=→,;()\[\]{}|·–—\"“”«»:]+")


def _codes_shown(sheet) -> set[str]:
    """Codes in the string cells of ``sheet``, but for the columns its header row heads
    "… (mã)"/"… (code)" (stricter than a scan that takes any such cell for a header)."""
    rows = list(sheet.iter_rows(values_only=True))
    skipped = {i for i, v in enumerate(rows[0]) if isinstance(v, str) and CODE_HEADER.search(v)}
    codes = _codes()
    return {
        token.strip(".!?'‘’…")
        for row in rows
        for i, value in enumerate(row)
        if isinstance(value, str) and i not in skipped
        for token in _SPLIT.split(value)
        if token.strip(".!?'‘’…") in codes
    }


def _label(value: str, kind: str, lang: str) -> str:
    with force_locale(lang):
        return catalogue.label(value, kind)


def _by_number(sheet, lang: str) -> dict:
    key = words.pick(words.HEADERS["response_id"], lang)
    return {row[key].value: row for row in records(sheet)}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_in_words_the_sheets_and_headers_are_in_the_language(db, export_wave, lang):
    workbook, _ = responses_workbook(db.session, export_wave.wave, labels="labels", lang=lang)
    assert workbook.sheetnames == SHEETS[lang]
    responses, scores, codebook, about = (workbook[name] for name in SHEETS[lang])
    columns = header(responses)
    assert not {"response_id", "tax_code", "ownership", "state", "kind"} & set(columns)
    criterion = FRAMEWORK.pillars[0].criteria[0]
    assert f"{criterion.code} – {criterion.text.get(lang)}" in columns
    suffix = "(mã)" if lang == "vi" else "(code)"
    for label_header in CODED[lang]:
        assert columns[columns.index(label_header) + 1] == f"{label_header} {suffix}"
    assert all(not h.endswith(suffix) or h.removesuffix(f" {suffix}") in columns for h in columns)
    assert header(scores)[-2:] == [
        words.pick(words.HEADERS["tier"], lang),
        f"{words.pick(words.HEADERS['tier'], lang)} {suffix}",
    ]
    # Every header of Responses and Scores has its row in the codebook, in the sheets' order.
    described = [
        (r[header(codebook)[2]].value, r[header(codebook)[0]].value)
        for r in records(codebook)
        if r[header(codebook)[3]].value
        not in {words.pick(words.KINDS[k], lang) for k in ("option", "value", "band", "point")}
    ]
    assert described == [(SHEETS[lang][0], h) for h in columns] + [
        (SHEETS[lang][1], h) for h in header(scores)
    ]
    if lang == "vi":
        for sheet in (responses, scores, codebook, about):
            assert _codes_shown(sheet) == set(), sheet.title


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_in_words_coded_values_are_labels_followed_by_their_codes(db, export_wave, lang):
    workbook, _ = responses_workbook(db.session, export_wave.wave, labels="labels", lang=lang)
    responses, scores = workbook[SHEETS[lang][0]], workbook[SHEETS[lang][1]]
    suffix = "(mã)" if lang == "vi" else "(code)"
    response = export_wave.dong_a
    row = _by_number(responses, lang)[response.id]
    stored = {
        "ownership": response.ownership.value,
        "size_class": response.size_class.value,
        "kind": response.kind.value,
        "state": response.state.value,
        "review_state": response.review_state.value,
        "economic_pillar": "high_tech_industry",
    }
    for label_header, kind in CODED[lang].items():
        assert row[f"{label_header} {suffix}"].value == stored[kind]
        assert row[label_header].value == _label(stored[kind], kind, lang) != stored[kind]
    sector = words.pick(words.HEADERS["sector"], lang)
    assert row[f"{sector} {suffix}"].value == "C"
    assert row[sector].value == words.sector_names(lang)["C"] != "C"
    unit = words.pick(words.HEADERS["unit_name"], lang)
    assert (row[unit].value, row[f"{unit} {suffix}"].value) == ("Phường Hồng Bàng", "11311")
    rejected = _by_number(responses, lang)[export_wave.rejected.id]
    assert rejected[words.pick(words.HEADERS["rejected"], lang)].value is True
    # The answers are the options' labels, as before.
    for _, criterion in FRAMEWORK.criteria():
        answer = response.answers[criterion.code]
        label = {o.code: o.label.get(lang) for o in criterion.options}
        expected = "; ".join(label[c] for c in answer) if isinstance(answer, list) else label[answer]
        assert row[f"{criterion.code} – {criterion.text.get(lang)}"].value == expected

    tier = words.pick(words.HEADERS["tier"], lang)
    score = _by_number(scores, lang)[response.id]
    names = {t.code: t.name.get(lang) for t in FRAMEWORK.tiers}
    assert (score[tier].value, score[f"{tier} {suffix}"].value) == (names["engaged"], "engaged")
    draft = _by_number(scores, lang)[export_wave.draft.id]
    assert draft[tier].value is None and draft[f"{tier} {suffix}"].value is None


def test_in_words_the_codebook_speaks_one_language_and_lists_each_codes_values(db, export_wave):
    workbook, _ = responses_workbook(db.session, export_wave.wave, labels="labels", lang="vi")
    codebook = workbook["Giải thích các cột"]
    assert header(codebook) == list(words.CODEBOOK_HEADER["vi"])
    rows = records(codebook)
    by_column: dict[str, list] = {}
    for r in rows:
        by_column.setdefault(r["Cột"].value, []).append(r)
    # Only Vietnamese: an option's text is its Vietnamese label, never its English one.
    english = {o.label.en for _, c in FRAMEWORK.criteria() for o in c.options} - {
        o.label.vi for _, c in FRAMEWORK.criteria() for o in c.options
    }
    assert not english & {r["Nội dung"].value for r in rows}
    # A coded fixed column's codes have one row per value: the code, and its label.
    own, *values = by_column["Loại hình doanh nghiệp (mã)"]
    assert own["Cột (mã)"].value == "ownership" and own["Kiểu"].value == "Mã"
    assert [(v["Giá trị (mã)"].value, v["Nội dung"].value) for v in values] == [
        (code, _label(code, "ownership", "vi"))
        for code in ("private", "state", "foreign", "cooperative", "household")
    ]
    (label_row,) = by_column["Loại hình doanh nghiệp"]
    assert label_row["Cột (mã)"].value == "ownership_label" and label_row["Kiểu"].value == "Tên bằng chữ"
    tiers = by_column["Nhóm (mã)"][1:]
    assert [(v["Giá trị (mã)"].value, v["Nội dung"].value) for v in tiers] == [
        (t.code, t.name.vi) for t in FRAMEWORK.tiers
    ]
    assert len(by_column["Ngành (VSIC 2018, cấp 1) (mã)"]) == 1 + len(words.sector_names("vi"))
    # The descriptions of fixed columns name no code ("draft = …", "enterprise, branch, …").
    for name in ("Loại hình cơ sở kinh doanh", "Trạng thái phiếu trả lời", "Kết quả rà soát"):
        assert not _codes() & set(_SPLIT.split(by_column[name][0]["Nội dung"].value))
    # A criterion: its header, its code, its pillar in words and by code, each option's code and points.
    first = FRAMEWORK.pillars[0]
    criterion = first.criteria[0]
    own, *options = by_column[f"{criterion.code} – {criterion.text.vi}"]
    assert (own["Cột (mã)"].value, own["Trụ cột"].value, own["Trụ cột (mã)"].value) == (
        criterion.code,
        first.name.vi,
        first.code,
    )
    assert [(o["Giá trị (mã)"].value, o["Điểm"].value, o["Nội dung"].value) for o in options] == [
        (o.code, o.points, o.label.vi) for o in criterion.options
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_in_words_the_about_sheet_names_its_items_in_the_language(db, export_wave, lang):
    filters = {"ownership": "private", "size_class": "small"}
    workbook, written = responses_workbook(db.session, export_wave.wave, filters, labels="labels", lang=lang)
    about = {r[0].value: r[1].value for r in workbook[SHEETS[lang][3]].iter_rows(min_row=2)}
    say = words.ABOUT[lang]
    assert about[say["wave_name"]] == "Khảo sát 2025"
    assert about[say["framework_title"]] == FRAMEWORK.title.get(lang)
    ownership = _label("private", "ownership", lang)
    assert about[say["filter"].format(name=_label("ownership", "dimension", lang))] == ownership
    assert ownership in about[say["filters"]]
    assert about[say["rows"].format(sheet=SHEETS[lang][0])] == written
    assert about[say["contacts_included"]] == say["yes"]
    assert about[say["answers_as"]] == say["answers_as_text"]
    if lang == "vi":
        assert _codes_shown(workbook["Thông tin"]) == set()
        assert "none" not in " ".join(str(v) for v in about.values())


def test_in_words_without_filters_the_about_sheet_says_so_in_vietnamese(db, export_wave):
    workbook, _ = responses_workbook(db.session, export_wave.wave, labels="labels", lang="vi")
    about = {r[0].value: r[1].value for r in workbook["Thông tin"].iter_rows(min_row=2)}
    assert about["Bộ lọc"] == "(không lọc: toàn bộ đợt khảo sát)"


def test_sector_names_given_are_used(db, export_wave):
    workbook, _ = responses_workbook(
        db.session, export_wave.wave, labels="labels", lang="en", sector_names={"C": "Making things"}
    )
    row = _by_number(workbook["Responses"], "en")[export_wave.dong_a.id]
    assert row["Sector (VSIC 2018 section)"].value == "Making things"
    other = next(
        r for r in records(workbook["Responses"]) if r["Sector (VSIC 2018 section) (code)"].value == "G"
    )
    assert other["Sector (VSIC 2018 section)"].value == "G"  # a code without a name: as it is


def test_in_words_the_modules_columns_are_headed_by_their_questions(db, module_wave):  # noqa: F811
    book = workbook_of(db.session, module_wave.wave, labels="labels", lang="vi")
    responses, codebook = book["Phiếu trả lời"], book["Giải thích các cột"]
    cost = f"{BARRIERS.title.vi}: {BARRIERS.question('cost').text.vi}"
    needs = BARRIERS.question("needs")
    training = f"{BARRIERS.title.vi}: {needs.text.vi}: {needs.option('training').label.vi}"
    row = _by_number(responses, "vi")[module_wave.full.id]
    assert (row[cost].value, row[training].value) == (5, 1)
    points = [r for r in records(codebook) if r["Cột"].value == cost and r["Kiểu"].value == "Mức của thang"]
    assert [(r["Giá trị (mã)"].value, r["Nội dung"].value) for r in points] == [
        (p.value, p.label.vi) for p in BARRIERS.scale("barrier").points
    ]
    for sheet in (responses, codebook):
        assert _codes_shown(sheet) == set(), sheet.title
