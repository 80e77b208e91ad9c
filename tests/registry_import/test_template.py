"""The import template, in the staff member's language (Vietnamese or English): headers
with a note on how to fill each in, the lists of valid values (codes only in the columns
headed as codes) with drop-downs on their columns, money in one unit; and the importer
reads back the template it hands out, in either language, filled in from its own
drop-downs."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from sqlalchemy import select

from survey.models import AdminUnit, BusinessKind, Ownership, Role, Sector
from survey.registry.importer import COLUMNS, EXAMPLE, read_register, template_workbook
from survey.registry.register_format import (
    EXAMPLES,
    HEADER_INDEX,
    HEADERS,
    KIND_LABELS,
    OWNERSHIP_LABELS,
    key,
)
from survey.registry.register_workbooks import (
    HELP,
    HELP_SHEET,
    LISTS_SHEET,
    REGISTER_SHEET,
    SHEETS,
    VALIDATED_ROWS,
)
from tests import factories
from tests.registry_import._support import workbook
from tests.staff.staff_helpers import logged_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTED = ("unit", "sector", "ownership", "kind")
#: A header of a column of codes, beside the names.
CODE_HEADER = re.compile(r"\((mã|code)\)$")


@pytest.fixture
def template(db):
    book = load_workbook(BytesIO(template_workbook(db.session)))
    yield book
    book.close()


def _column(name: str) -> str:
    return get_column_letter(COLUMNS.index(name) + 1)


def offered(book, column: str) -> list:
    """The values the drop-down of ``column`` offers, read through its data validation."""
    sheet = book.worksheets[0]
    (validation,) = [v for v in sheet.data_validations.dataValidation if _column(column) in str(v.sqref)]
    target, cells = validation.formula1.split("!")
    lists = book[target.strip("'")]
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    assert min_col == max_col
    return [lists.cell(row=r, column=min_col).value for r in range(min_row, max_row + 1)]


def test_the_template_has_vietnamese_headers_each_with_a_note_on_how_to_fill_it_in(template):
    assert template.sheetnames == [REGISTER_SHEET, HELP_SHEET, LISTS_SHEET]
    sheet = template[REGISTER_SHEET]
    header = [cell.value for cell in sheet[1]]
    assert header == [HEADERS[c][0] for c in COLUMNS]
    assert header[:4] == [
        "Mã số thuế hoặc số định danh",
        "Tên cơ sở kinh doanh",
        "Phường/xã/đặc khu",
        "Ngành kinh tế (VSIC)",
    ]
    assert "Doanh thu (tỷ đồng)" in header and "Tổng nguồn vốn (tỷ đồng)" in header
    for cell, column in zip(sheet[1], COLUMNS, strict=True):
        assert cell.font.b
        note = cell.comment.text
        assert note.startswith(HELP[column][0].format(register=REGISTER_SHEET, lists=LISTS_SHEET))
        assert note.endswith(
            "Không bắt buộc." if column not in ("tax_code", "name", "unit", "sector") else "Bắt buộc."
        )
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 30
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("0")
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1] == tuple(EXAMPLE[c] for c in COLUMNS)


def test_money_is_in_billion_dong_with_a_vietnamese_example(template):
    sheet = template[REGISTER_SHEET]
    assert EXAMPLE["revenue_bn_vnd"] == "12,5"
    assert sheet[f"{_column('revenue_bn_vnd')}2"].value == "12,5"
    documented = {
        line[1]: line for line in template[HELP_SHEET].iter_rows(min_row=2, values_only=True) if line[1]
    }
    assert "tỷ đồng" in documented["revenue_bn_vnd"][3] and "12,5" in documented["revenue_bn_vnd"][3]
    assert "tỷ đồng" in documented["capital_bn_vnd"][3]
    assert "billion đồng" in HELP["capital_bn_vnd"][1]  # the English template's


def test_the_help_sheet_explains_every_column_in_vietnamese(template):
    lines = list(template[HELP_SHEET].iter_rows(values_only=True))
    assert lines[0] == ("Cột", "Cột (mã)", "Bắt buộc", "Cách ghi")
    documented = {line[1]: line for line in lines[1:] if line[1]}
    assert list(documented) == list(COLUMNS)
    for column in COLUMNS:
        name, _code, required, how = documented[column]
        assert name == HEADERS[column][0] and how == HELP[column][0].format(lists=LISTS_SHEET)
        assert required == ("có" if column in ("tax_code", "name", "unit", "sector") else "không")
    notes = [line[3] for line in lines[len(COLUMNS) + 2 :]]
    assert any(LISTS_SHEET in note for note in notes)  # a note points to the lists
    assert any(REGISTER_SHEET in note for note in notes)


def test_the_listed_columns_help_points_to_the_lists_rather_than_listing_codes(template):
    """The prose says "choose from the list" and where the list is; the codes are only
    in the lists sheet's columns headed as codes."""
    codes = {value.value for value in (*OWNERSHIP_LABELS, *KIND_LABELS)}
    for column in ("kind", "ownership", "unit", "sector"):
        vietnamese, english = HELP[column]
        assert "{lists}" in vietnamese and "{lists}" in english
        assert "chọn trong danh sách" in vietnamese and "choose" in english
        assert not set(re.findall(r"[a-z]+", vietnamese)) & codes
    # The ownership's English names no code either ("state", "private" …).
    assert not set(re.findall(r"[a-z]+", HELP["ownership"][1])) & codes


@pytest.mark.parametrize("language", ["vi", "en"])
def test_codes_appear_only_under_a_header_of_codes(db, language):
    """Outside the columns headed "… (mã)" / "… (code)" no cell is an ownership's or a
    kind's code, and the Vietnamese template has no English name of a listed value."""
    book = load_workbook(BytesIO(template_workbook(db.session, language)))
    codes = {value.value for value in (*OWNERSHIP_LABELS, *KIND_LABELS)}
    english = {en for _vi, en in (*OWNERSHIP_LABELS.values(), *KIND_LABELS.values())}
    english |= {HEADERS[c][1] for c in COLUMNS} - {HEADERS[c][0] for c in COLUMNS}
    shown, under_codes = [], []
    for sheet in book.worksheets:
        columns: set[int] = set()
        for line in sheet.iter_rows(values_only=True):
            if all(value is None for value in line):
                columns = set()
                continue
            for index, value in enumerate(line):
                if isinstance(value, str):
                    (under_codes if index in columns else shown).append(value)
            columns |= {i for i, v in enumerate(line) if isinstance(v, str) and CODE_HEADER.search(v)}
    book.close()
    assert codes <= set(under_codes)
    assert not codes & set(shown)
    if language == "vi":
        assert not [text for text in shown if any(name in text for name in english)]


def test_the_lists_sheet_names_every_valid_value_with_its_code(db, template):
    lists = list(template[LISTS_SHEET].iter_rows(values_only=True))
    assert lists[0] == (
        "Phường/xã/đặc khu",
        "Đơn vị (mã)",
        "Đơn vị cấp huyện cũ",
        None,
        "Ngành kinh tế (VSIC)",
        "Ngành (mã)",
        None,
        "Loại hình sở hữu",
        "Loại hình sở hữu (mã)",
        None,
        "Loại hình kinh doanh",
        "Loại hình kinh doanh (mã)",
    )
    units = {(line[1], line[0]) for line in lists[1:] if line[0]}
    active = set(db.session.execute(select(AdminUnit.code, AdminUnit.name_vi).where(AdminUnit.active)).all())
    assert units == active and len(units) == 114
    sectors = [line[5] for line in lists[1:] if line[5]]
    assert sectors == [chr(c) for c in range(ord("A"), ord("U") + 1)]
    assert ("C – Công nghiệp chế biến, chế tạo", "C") in [line[4:6] for line in lists]
    assert [line[7:9] for line in lists[1:6]] == [(vi, o.value) for o, (vi, _en) in OWNERSHIP_LABELS.items()]
    assert [line[10:12] for line in lists[1:6]] == [(vi, k.value) for k, (vi, _en) in KIND_LABELS.items()]
    assert ("Ngoài nhà nước", "private") in [line[7:9] for line in lists]


def test_the_english_template_is_in_english(db):
    book = load_workbook(BytesIO(template_workbook(db.session, "en")))
    assert book.sheetnames == list(SHEETS["en"]) == ["Register", "Help", "Lists"]
    register, help_sheet, lists = book.worksheets
    assert [cell.value for cell in register[1]] == [HEADERS[c][1] for c in COLUMNS]
    assert list(register.iter_rows(min_row=2, values_only=True)) == [
        tuple(EXAMPLES["en"][c] for c in COLUMNS)
    ]
    assert register["A1"].comment.text == f"{HELP['tax_code'][1]}\nRequired."
    lines = list(help_sheet.iter_rows(values_only=True))
    assert lines[0] == ("Column", "Column (code)", "Required", "How to fill it in")
    assert lines[3] == ("Ward, commune or special zone", "unit", "yes", HELP["unit"][1].format(lists="Lists"))
    header = next(lists.iter_rows(values_only=True))
    assert header == (
        "Ward, commune or special zone",
        "Unit (code)",
        "Former district",
        None,
        "Sector (VSIC section)",
        "Sector (code)",
        None,
        "Ownership",
        "Ownership (code)",
        None,
        "Kind of business",
        "Kind (code)",
    )
    assert ("C – Manufacturing", "C") in [line[4:6] for line in lists.iter_rows(values_only=True)]
    assert offered(book, "ownership") == [en for _vi, en in OWNERSHIP_LABELS.values()]
    assert offered(book, "kind") == [en for _vi, en in KIND_LABELS.values()]
    warnings = {v.error for v in register.data_validations.dataValidation}
    assert all(w.startswith("Choose") for w in warnings) and len(warnings) == len(LISTED)
    book.close()


def test_each_listed_column_has_a_drop_down_of_its_list(db, template):
    sheet = template[REGISTER_SHEET]
    validations = sheet.data_validations.dataValidation
    assert len(validations) == len(LISTED)
    for validation in validations:
        assert validation.type == "list"
        assert validation.allow_blank and validation.showErrorMessage and validation.showInputMessage
        # A warning, not a stop: a code (11311, C, private) may be typed instead.
        assert validation.errorStyle == "warning" and validation.error and validation.prompt
        (cells,) = str(validation.sqref).split()
        first, last = cells.split(":")
        assert first.endswith("2") and last.endswith(str(VALIDATED_ROWS)), cells
        assert column_index_from_string(first[:-1]) == column_index_from_string(last.rstrip("0123456789"))
        assert validation.formula1.startswith(f"'{LISTS_SHEET}'!$")
    names = db.session.scalars(select(AdminUnit.name_vi).where(AdminUnit.active)).all()
    assert sorted(offered(template, "unit")) == sorted(names)
    assert (
        offered(template, "sector")[2] == "C – Công nghiệp chế biến, chế tạo"
        and len(offered(template, "sector")) == 21
    )
    assert offered(template, "ownership") == [vi for vi, _en in OWNERSHIP_LABELS.values()]
    assert offered(template, "kind") == [vi for vi, _en in KIND_LABELS.values()]
    # Nothing else of the register sheet is validated.
    validated = {str(v.sqref)[0] for v in validations}
    assert validated == {_column(c) for c in LISTED}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_template_as_handed_out_reads_back_but_for_its_example_row(db, language):
    preview = read_register(BytesIO(template_workbook(db.session, language)), db.session)
    assert preview.total_rows == 1
    assert [(e.row_number, e.message) for e in preview.errors] == [
        (2, "this is the template's example row: delete it")
    ]
    assert preview.fields == tuple(preview.fields) and "kind" in preview.fields


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_template_filled_from_its_own_drop_downs_imports(db, language):
    """Every sector, ownership and kind, and units, as the drop-downs offer them, in the
    Vietnamese template and in the English one."""
    template = load_workbook(BytesIO(template_workbook(db.session, language)))
    index = 0 if language == "vi" else 1
    sheet = template.worksheets[0]
    sheet.delete_rows(2)
    sectors, ownerships, kinds = (
        offered(template, "sector"),
        offered(template, "ownership"),
        offered(template, "kind"),
    )
    units = offered(template, "unit")
    kind_of = {names[index]: k for k, names in KIND_LABELS.items()}
    ownership_of = {names[index]: o for o, names in OWNERSHIP_LABELS.items()}
    expected = []
    for number, sector in enumerate(sectors):
        kind = kinds[number % len(kinds)]
        personal = kind_of[kind] in (BusinessKind.HOUSEHOLD, BusinessKind.INDIVIDUAL)
        code = factories.personal_id() if personal else factories.tax_code()
        if kind_of[kind] is BusinessKind.BRANCH:
            code = f"{code}-{number + 1:03d}"
        values = {
            **EXAMPLE,
            "tax_code": code,
            "kind": kind,
            "name": f"Cơ sở {number}",
            "unit": units[number * 5],
            "sector": sector,
            "ownership": ownerships[number % len(ownerships)],
            "revenue_bn_vnd": "1.234,5" if number % 2 else "0,75",
            "capital_bn_vnd": 3 if number % 2 else "2,5 tỷ",
        }
        sheet.append([values[c] for c in COLUMNS])
        expected.append((code, sector[0], units[number * 5], kind, ownerships[number % len(ownerships)]))
    buffer = BytesIO()
    template.save(buffer)
    template.close()
    buffer.seek(0)

    preview = read_register(buffer, db.session)

    assert preview.errors == [], preview.errors[:3]
    assert len(preview.valid) == len(sectors) == 21
    unit_names = dict(db.session.execute(select(AdminUnit.id, AdminUnit.name_vi)).all())
    for clean, (code, letter, unit, kind, ownership) in zip(preview.valid, expected, strict=True):
        assert clean["tax_code"] == code and clean["sector_code"] == letter
        assert unit_names[clean["unit_id"]] == unit
        assert clean["kind"] is kind_of[kind] and clean["ownership"] is ownership_of[ownership]
    assert preview.valid[0]["revenue_vnd"] == 750_000_000 and preview.valid[0]["capital_vnd"] == 2_500_000_000
    assert (
        preview.valid[1]["revenue_vnd"] == 1_234_500_000_000
        and preview.valid[1]["capital_vnd"] == 3_000_000_000
    )
    assert {clean["kind"] for clean in preview.valid} == set(BusinessKind)
    assert {clean["ownership"] for clean in preview.valid} == set(Ownership)
    assert {clean["sector_code"] for clean in preview.valid} == set(db.session.scalars(select(Sector.code)))


@pytest.mark.parametrize("language", [0, 1])
def test_headers_are_read_in_vietnamese_english_or_without_diacritics(db, language):
    header = [HEADERS[c][language] for c in COLUMNS]
    values = [{**EXAMPLE, "tax_code": factories.tax_code()}[c] for c in COLUMNS]
    preview = read_register(workbook([values], header=header), db.session)
    assert preview.errors == [] and len(preview.fields) == len(COLUMNS)
    plain = [
        "MA SO THUE HOAC SO DINH DANH",
        "ten co so kinh doanh",
        "Phuong/xa/dac khu",
        "nganh kinh te (vsic)",
    ]
    preview = read_register(workbook([values[:4]], header=plain), db.session)
    assert preview.errors == [] and preview.fields == ("tax_code", "name", "unit_id", "sector_code")


def test_no_two_columns_share_a_header_name():
    names = [name for c in COLUMNS for name in {key(n) for n in (c, *HEADERS[c])}]
    assert len(names) == len(set(names))
    assert all(HEADER_INDEX[key(name)] == c for c in COLUMNS for name in (c, *HEADERS[c]))


def test_a_sector_written_with_a_name_that_is_not_its_own_is_refused(db):
    values = {**EXAMPLE, "tax_code": factories.tax_code(), "sector": "C – Xây dựng"}
    (error,) = read_register(
        workbook([[values[c] for c in COLUMNS]], header=list(COLUMNS)), db.session
    ).errors
    assert "the name is not that of section C" in error.message


@pytest.mark.parametrize(
    ("accept", "language", "filename"),
    [
        ("vi", "vi", "mau-so-dang-ky.xlsx"),
        ("en", "en", "register-template.xlsx"),
        (None, "vi", "mau-so-dang-ky.xlsx"),
    ],
)
def test_the_template_downloads_from_the_register_page_in_the_staff_members_language(
    client, db, accept, language, filename
):
    logged_in(client, db, Role.ADMIN)
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/staff/register/template.xlsx", headers=headers)
    assert response.status_code == 200 and response.mimetype == XLSX
    assert filename in response.headers["Content-Disposition"]
    book = load_workbook(BytesIO(response.get_data()))
    assert book.sheetnames == list(SHEETS[language])
    assert [cell.value for cell in book.worksheets[0][1]] == [
        HEADERS[c][0 if language == "vi" else 1] for c in COLUMNS
    ]
    assert len(offered(book, "unit")) == 114
    book.close()
