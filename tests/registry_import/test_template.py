"""The import template: Vietnamese headers with their English in a note, the lists of valid
values with drop-downs on their columns, money in one unit; and the importer reads back
the template it hands out, filled in from its own drop-downs."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from sqlalchemy import select

from survey.models import AdminUnit, BusinessKind, Ownership, Role, Sector
from survey.registry.importer import COLUMNS, EXAMPLE, read_register, template_workbook
from survey.registry.register_format import HEADER_INDEX, HEADERS, KIND_LABELS, OWNERSHIP_LABELS, key
from survey.registry.register_workbooks import HELP_SHEET, LISTS_SHEET, REGISTER_SHEET, VALIDATED_ROWS
from tests import factories
from tests.registry_import._support import workbook
from tests.staff.staff_helpers import logged_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTED = ("unit", "sector", "ownership", "kind")


@pytest.fixture
def template(db):
    book = load_workbook(BytesIO(template_workbook(db.session)))
    yield book
    book.close()


def _column(name: str) -> str:
    return get_column_letter(COLUMNS.index(name) + 1)


def offered(book, column: str) -> list:
    """The values the drop-down of ``column`` offers, read through its data validation."""
    sheet = book[REGISTER_SHEET]
    (validation,) = [v for v in sheet.data_validations.dataValidation if _column(column) in str(v.sqref)]
    target, cells = validation.formula1.split("!")
    lists = book[target.strip("'")]
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    assert min_col == max_col
    return [lists.cell(row=r, column=min_col).value for r in range(min_row, max_row + 1)]


def test_the_template_has_vietnamese_headers_with_their_english_in_a_note(template):
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
        assert note.startswith(f"{HEADERS[column][1]} ({column}, ")
        assert ("required" in note) == (column in ("tax_code", "name", "unit", "sector"))
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
        line[2]: line for line in template[HELP_SHEET].iter_rows(min_row=2, values_only=True) if line[2]
    }
    assert "tỷ đồng" in documented["revenue_bn_vnd"][4] and "12,5" in documented["revenue_bn_vnd"][4]
    assert "billion đồng" in documented["capital_bn_vnd"][5]


def test_the_help_sheet_explains_every_column_in_both_languages(template):
    lines = list(template[HELP_SHEET].iter_rows(values_only=True))
    assert lines[0] == ("Cột", "Column", "Mã cột / code", "Bắt buộc / required", "Tiếng Việt", "English")
    documented = {line[2]: line for line in lines[1:] if line[2]}
    assert list(documented) == list(COLUMNS)
    for column in COLUMNS:
        vi_name, en_name, _code, required, vietnamese, english = documented[column]
        assert (vi_name, en_name) == HEADERS[column] and vietnamese and english
        assert required.startswith("có") == (column in ("tax_code", "name", "unit", "sector"))
    assert LISTS_SHEET in lines[-3][4]  # a note points to the lists


def test_the_lists_sheet_names_every_valid_value_with_its_code(db, template):
    lists = list(template[LISTS_SHEET].iter_rows(values_only=True))
    assert lists[0] == (
        "Phường/xã/đặc khu",
        "Mã đơn vị",
        "Đơn vị cấp huyện cũ",
        None,
        "Ngành kinh tế (VSIC)",
        "Mã ngành",
        "Sector (English)",
        None,
        "Loại hình sở hữu",
        "Mã",
        "Ownership (English)",
        None,
        "Loại hình kinh doanh",
        "Mã",
        "Kind of business (English)",
    )
    units = {(line[1], line[0]) for line in lists[1:] if line[0]}
    active = set(db.session.execute(select(AdminUnit.code, AdminUnit.name_vi).where(AdminUnit.active)).all())
    assert units == active and len(units) == 114
    sectors = [line[5] for line in lists[1:] if line[5]]
    assert sectors == [chr(c) for c in range(ord("A"), ord("U") + 1)]
    assert ("C – Công nghiệp chế biến, chế tạo", "C", "Manufacturing") in [line[4:7] for line in lists]
    assert [line[8:11] for line in lists[1:6]] == [
        (vi, o.value, en) for o, (vi, en) in OWNERSHIP_LABELS.items()
    ]
    assert [line[12:15] for line in lists[1:6]] == [(vi, k.value, en) for k, (vi, en) in KIND_LABELS.items()]
    assert ("Ngoài nhà nước", "private", "Private domestic") in [line[8:11] for line in lists]


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


def test_the_template_as_handed_out_reads_back_but_for_its_example_row(db):
    preview = read_register(BytesIO(template_workbook(db.session)), db.session)
    assert preview.total_rows == 1
    assert [(e.row_number, e.message) for e in preview.errors] == [
        (2, "this is the template's example row: delete it")
    ]
    assert preview.fields == tuple(preview.fields) and "kind" in preview.fields


def test_the_template_filled_from_its_own_drop_downs_imports(db, template):
    """Every sector, ownership and kind, and units, as the drop-downs offer them."""
    sheet = template[REGISTER_SHEET]
    sheet.delete_rows(2)
    sectors, ownerships, kinds = (
        offered(template, "sector"),
        offered(template, "ownership"),
        offered(template, "kind"),
    )
    units = offered(template, "unit")
    expected = []
    for index, sector in enumerate(sectors):
        kind = kinds[index % len(kinds)]
        personal = kind in ("Hộ kinh doanh", "Cá nhân kinh doanh")
        code = factories.personal_id() if personal else factories.tax_code()
        if kind == "Chi nhánh, đơn vị phụ thuộc":
            code = f"{code}-{index + 1:03d}"
        values = {
            **EXAMPLE,
            "tax_code": code,
            "kind": kind,
            "name": f"Cơ sở {index}",
            "unit": units[index * 5],
            "sector": sector,
            "ownership": ownerships[index % len(ownerships)],
            "revenue_bn_vnd": "1.234,5" if index % 2 else "0,75",
            "capital_bn_vnd": 3 if index % 2 else "2,5 tỷ",
        }
        sheet.append([values[c] for c in COLUMNS])
        expected.append((code, sector[0], units[index * 5], kind, ownerships[index % len(ownerships)]))
    buffer = BytesIO()
    template.save(buffer)
    buffer.seek(0)

    preview = read_register(buffer, db.session)

    assert preview.errors == [], preview.errors[:3]
    assert len(preview.valid) == len(sectors) == 21
    unit_names = dict(db.session.execute(select(AdminUnit.id, AdminUnit.name_vi)).all())
    kind_of = {vi: k for k, (vi, _en) in KIND_LABELS.items()}
    ownership_of = {vi: o for o, (vi, _en) in OWNERSHIP_LABELS.items()}
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


def test_the_template_downloads_from_the_register_page(client, db):
    logged_in(client, db, Role.ADMIN)
    response = client.get("/staff/register/template.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    book = load_workbook(BytesIO(response.get_data()))
    assert book.sheetnames == [REGISTER_SHEET, HELP_SHEET, LISTS_SHEET]
    assert len(offered(book, "unit")) == 114
    book.close()
