"""Reading a register file: what is accepted, what each bad row says, what is refused."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from io import BytesIO

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from survey.models import Enterprise, Ownership
from survey.models.business import BusinessKind, IdType
from survey.models.size_class import BILLION
from survey.registry import importer
from survey.registry.importer import FIELDS, RegisterFileError, RowError, read_register
from tests import factories
from tests.registry_import._support import HEADER, row, workbook


def enterprise_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Enterprise))


def test_a_good_file_is_read_and_cleaned(db):
    codes = [factories.tax_code() for _ in range(3)]
    source = workbook(
        [
            row(
                tax_code=codes[0],
                name="  Công ty Cổ phần Cảng Xanh  ",
                unit="11311",
                sector="c",
                ownership="Private",
                employees=25,
                revenue_bn_vnd="2,5",
                capital_bn_vnd=3,
                contact_email="  LienHe@CangXanh.Example.VN ",
            ),
            row(
                tax_code=int(codes[1]),  # a number cell: the leading zero is gone
                unit="Phường Hồng An",
                sector="H",
                ownership=None,
                employees=None,
                revenue_bn_vnd=12.5,
                capital_bn_vnd=None,
                contact_name=None,
                contact_email=None,
                contact_phone=None,
                address=None,
            ),
            row(
                tax_code=f" {codes[2][:3]} {codes[2][3:]} ",
                unit=11602,
                employees="1 200",
                revenue_bn_vnd="0.75",
            ),
            row(tax_code="0100233488 - 001", employees=7.0, revenue_bn_vnd=" 1 500,25 ", capital_bn_vnd=0),
        ]
    )

    preview = read_register(source, db.session)

    assert preview.errors == []
    assert preview.ok
    assert (preview.total_rows, preview.to_add, preview.to_update, preview.unchanged) == (4, 4, 0, 0)
    assert preview.fields == FIELDS
    hong_bang, hong_an = factories.unit("11311").id, factories.unit("11602").id
    first, second, third, fourth = preview.valid
    assert first == {
        "tax_code": codes[0],
        "name": "Công ty Cổ phần Cảng Xanh",
        "unit_id": hong_bang,
        "sector_code": "C",
        "ownership": Ownership.PRIVATE,
        "employees": 25,
        "revenue_vnd": 2_500_000_000,
        "capital_vnd": 3 * BILLION,
        "contact_name": "Trần Thị Bình",
        "contact_email": "lienhe@cangxanh.example.vn",
        "contact_phone": "0225 3842 123",
        "address": "Số 2 Hoàng Văn Thụ, Phường Hồng Bàng",
        "kind": BusinessKind.ENTERPRISE,
        "id_type": IdType.MST10,
    }
    assert second == {
        **dict.fromkeys(FIELDS),
        "kind": BusinessKind.ENTERPRISE,
        "id_type": IdType.MST10,
        "tax_code": codes[1],
        "name": "Công ty TNHH Hải Âu",
        "unit_id": hong_an,
        "sector_code": "H",
        "revenue_vnd": 12_500_000_000,
    }
    assert (third["tax_code"], third["unit_id"], third["employees"], third["revenue_vnd"]) == (
        codes[2],
        hong_an,
        1200,
        750_000_000,
    )
    assert (fourth["tax_code"], fourth["employees"], fourth["revenue_vnd"], fourth["capital_vnd"]) == (
        "0100233488-001",
        7,
        1_500_250_000_000,
        0,
    )


@pytest.mark.parametrize(
    "name",
    [
        "Phường Hồng An",
        "  Phường   Hồng An ",
        "PHƯỜNG HỒNG AN",
        unicodedata.normalize("NFD", "Phường Hồng An"),  # decomposed accents, as some programs save them
    ],
)
def test_a_unit_is_found_by_its_vietnamese_name(db, name):
    preview = read_register(workbook([row(unit=name)]), db.session)
    assert preview.errors == []
    assert preview.valid[0]["unit_id"] == factories.unit("11602").id


def test_headers_match_loosely_and_extra_columns_are_ignored(db):
    code = factories.tax_code()
    header = ["  TAX_CODE ", "Notes", "Name", "UNIT", " Sector", "employees"]
    source = workbook([[code, "ghi chú", "Công ty A", "11311", "G", 4]], header=header)

    preview = read_register(source, db.session)

    assert preview.errors == []
    assert preview.fields == ("tax_code", "name", "unit_id", "sector_code", "employees")
    assert preview.valid == [
        {**dict.fromkeys(FIELDS), "tax_code": code, "name": "Công ty A", "unit_id": factories.unit().id}
        | {"sector_code": "G", "employees": 4, "kind": BusinessKind.ENTERPRISE, "id_type": IdType.MST10}
    ]


@pytest.mark.parametrize(
    ("value", "vnd"),
    [
        ("12,5", 12_500_000_000),
        ("12.5", 12_500_000_000),
        ("2,5 tỷ", 2_500_000_000),
        ("1.234,5", 1_234_500_000_000),
        ("2.500.000.000 đồng", 2_500_000_000),
        ("2500000000", 2_500_000_000),  # a million or more with no unit: đồng
        (2_500_000_000, 2_500_000_000),  # so too in a number cell
        (20_000_000, 20_000_000),
        (1.125, 1_125_000_000),  # a number cell is never ambiguous
        ("250 triệu", 250_000_000),
        (0, 0),
    ],
)
def test_amounts_are_read_in_billion_dong_the_vietnamese_way(db, value, vnd):
    preview = read_register(workbook([row(revenue_bn_vnd=value)]), db.session)
    assert preview.errors == []
    assert preview.valid[0]["revenue_vnd"] == vnd


def _bad(column: str, value) -> list:
    return row(**{column: value})


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("tax_code", None, "tax code is empty"),
        (
            "tax_code",
            "0100233487",
            "tax code '0100233487': the check digit (10th digit) does not match: please re-check the code",
        ),
        ("tax_code", "010023348", "tax code '010023348': a tax code has 10 digits"),
        ("tax_code", "01002A3488", "tax code '01002A3488': a tax code contains only digits"),
        ("tax_code", "0100233488-000", "tax code '0100233488-000': the branch suffix must be between"),
        ("name", None, "name is empty"),
        ("name", "   ", "name is empty"),
        ("name", "x" * 301, "name is longer than 300 characters (301)"),
        ("unit", None, "unit is empty"),
        ("unit", "99999", "unit '99999' is not a commune-level unit of the city"),
        ("unit", "Phường Không Có", "unit 'Phường Không Có' is not a commune-level unit of the city"),
        ("sector", None, "sector is empty"),
        ("sector", "Z", "sector 'Z' is not a VSIC section letter (A-U)"),
        ("sector", "C10", "sector 'C10' is not a VSIC section letter (A-U)"),
        (
            "ownership",
            "public",
            "ownership 'public' is not one of 'Ngoài nhà nước' (private), 'Nhà nước' (state), "
            "'Có vốn đầu tư nước ngoài' (foreign), 'Hợp tác xã' (cooperative), 'Hộ kinh doanh' (household)",
        ),
        ("employees", "abc", "employees 'abc' is not a whole number"),
        ("employees", 12.5, "employees '12.5' is not a whole number"),
        ("employees", "1 2", "employees '1 2' is not a whole number"),
        ("employees", "١٢", "employees '١٢' is not a whole number"),
        ("employees", -1, "employees must be 0 or more"),
        ("employees", 2_000_000, "employees is more than 1,000,000"),
        ("employees", "9" * 5000, "employees is more than 1,000,000"),
        ("revenue_bn_vnd", "9" * 5000, "revenue_bn_vnd '" + "9" * 37 + "...' is not an amount"),
        ("revenue_bn_vnd", "20000000 tỷ", "revenue_bn_vnd is more than 10.000.000 billion đồng"),
        ("revenue_bn_vnd", "1.500", "revenue_bn_vnd '1.500' can be read as 1,5 or as 1500 billion đồng"),
        (
            "revenue_bn_vnd",
            "12,5 nghìn",
            "revenue_bn_vnd '12,5 nghìn' is not an amount: type it in billion đồng",
        ),
        ("revenue_bn_vnd", "mười", "revenue_bn_vnd 'mười' is not an amount"),
        ("revenue_bn_vnd", -2, "revenue_bn_vnd must be 0 or more"),
        (
            "revenue_bn_vnd",
            "2.500.000.000,5 đồng",
            "revenue_bn_vnd '2.500.000.000,5 đồng' is an amount in đồng",
        ),
        ("revenue_bn_vnd", 2_500_000_000.5, "revenue_bn_vnd '2500000000.5' is an amount in đồng"),
        ("capital_bn_vnd", "-0,5", "capital_bn_vnd must be 0 or more"),
        ("capital_bn_vnd", True, "capital_bn_vnd 'True' is not an amount"),
        ("contact_email", "lienhe.example.vn", "contact_email 'lienhe.example.vn' is not an e-mail address"),
        ("contact_email", "a b@c.vn", "contact_email 'a b@c.vn' is not an e-mail address"),
        ("contact_phone", "0" * 31, "contact_phone is longer than 30 characters (31)"),
        ("contact_name", "n" * 121, "contact_name is longer than 120 characters (121)"),
        ("address", "a" * 301, "address is longer than 300 characters (301)"),
    ],
)
def test_each_bad_cell_is_reported_on_its_row(db, column, value, message):
    good = [row(), row()]
    bad = _bad(column, value)
    before = enterprise_count(db)

    preview = read_register(workbook([good[0], bad, good[1]]), db.session)

    assert len(preview.errors) == 1
    error = preview.errors[0]
    assert error.row_number == 3
    assert error.message.startswith(message)
    assert ";" not in error.message  # one problem, one message
    assert error.tax_code == ("" if bad[0] is None else str(bad[0]))
    assert str(error) == f"row 3: {error.message}"
    assert (preview.total_rows, len(preview.valid), preview.to_add) == (3, 2, 2)
    # Reading writes nothing.
    assert enterprise_count(db) == before
    assert not db.session.new and not db.session.dirty


def test_several_problems_on_one_row_are_joined_and_row_numbers_are_excel_rows(db):
    rows = [
        row(),
        [None] * len(HEADER),  # an empty row: skipped, but it still counts for the numbering
        row(name="", unit="00000", sector="ZZ", contact_email="nobody"),
        ["", "  ", None, None, "", None, None, None, None, None, None, None],  # blanks only
        row(),
    ]
    preview = read_register(workbook(rows), db.session)

    assert preview.total_rows == 3
    assert [(e.row_number, e.message) for e in preview.errors] == [
        (
            4,
            "name is empty; unit '00000' is not a commune-level unit of the city; "
            "sector 'ZZ' is not a VSIC section letter (A-U); contact_email 'nobody' is not an e-mail address",
        )
    ]


def test_rows_after_a_gap_in_the_sheet_keep_their_excel_numbers(db):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(row())
    for column, value in enumerate(row(unit="99999"), start=1):
        sheet.cell(row=9, column=column, value=value)  # rows 3 to 8 are absent from the file
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)

    preview = read_register(buffer, db.session)

    assert [(e.row_number, e.message) for e in preview.errors] == [
        (9, "unit '99999' is not a commune-level unit of the city")
    ]


def test_a_tax_code_repeated_in_the_file_is_an_error_on_the_later_row(db):
    code = factories.tax_code()
    rows = [row(tax_code=code), row(), row(tax_code=f"{code[:5]} {code[5:]}"), row(tax_code=int(code))]

    preview = read_register(workbook(rows), db.session)

    assert [(e.row_number, e.message) for e in preview.errors] == [
        (4, f"tax code {code} already appears on row 2"),
        (5, f"tax code {code} already appears on row 2"),
    ]
    assert [r["tax_code"] for r in preview.valid].count(code) == 1


def test_an_inactive_unit_is_named_as_such(db):
    unit = factories.unit("11602")
    unit.active = False
    db.session.flush()

    preview = read_register(workbook([row(unit="11602"), row(unit="Phường Hồng An")]), db.session)

    assert [e.message for e in preview.errors] == [
        "unit '11602' is no longer an active unit of the city",
        "unit 'Phường Hồng An' is no longer an active unit of the city",
    ]


def test_the_template_example_row_is_refused(db):
    preview = read_register(BytesIO(importer.template_workbook(db.session)), db.session)
    assert [(e.row_number, e.message) for e in preview.errors] == [
        (2, "this is the template's example row: delete it")
    ]


def test_the_template_example_with_a_real_tax_code_is_a_good_row(db):
    example = [importer.EXAMPLE[c] for c in HEADER]
    example[0] = factories.tax_code()

    preview = read_register(workbook([example]), db.session)

    assert preview.errors == []
    assert preview.valid[0]["revenue_vnd"] == 12_500_000_000


def test_a_path_is_accepted(db, tmp_path):
    path = tmp_path / "so-dang-ky.xlsx"
    path.write_bytes(workbook([row()]).getvalue())
    assert read_register(path, db.session).to_add == 1
    assert read_register(str(path), db.session).to_add == 1


# --------------------------------------------------------------------- refused files


def test_missing_required_columns_are_named(db):
    source = workbook([["0100233488", "Công ty A"]], header=["tax_code", "Name", "ownership"])
    missing = (
        r"missing required column\(s\): 'Phường/xã/đặc khu' \(unit\), 'Ngành kinh tế \(VSIC\)' \(sector\)"
    )
    with pytest.raises(RegisterFileError, match=missing) as caught:
        read_register(source, db.session)
    assert isinstance(caught.value, ValueError)


def test_a_column_named_twice_is_refused(db):
    with pytest.raises(RegisterFileError, match="column 'NAME' appears twice"):
        read_register(workbook([[*row(), "x"]], header=[*HEADER, " NAME "]), db.session)


def test_an_empty_sheet_is_refused(db):
    with pytest.raises(RegisterFileError, match=r"the first sheet \('Register'\) is empty"):
        read_register(workbook([], header=None), db.session)


def test_a_header_without_rows_is_refused(db):
    with pytest.raises(RegisterFileError, match="has a header but no data rows"):
        read_register(workbook([]), db.session)
    with pytest.raises(RegisterFileError, match="has a header but no data rows"):
        read_register(workbook([[None, ""], ["   "]]), db.session)


def test_a_sheet_starting_with_an_empty_row_is_refused(db):
    with pytest.raises(RegisterFileError, match="row 1 of the first sheet is empty"):
        read_register(workbook([HEADER, row()], header=[None, None]), db.session)


NOT_XLSX = re.escape("is not an Excel .xlsx file, or it is damaged")


def test_random_bytes_are_not_a_workbook(db):
    with pytest.raises(RegisterFileError, match=f"The file {NOT_XLSX}"):
        read_register(BytesIO(bytes(range(256)) * 8), db.session)


def test_a_csv_file_renamed_to_xlsx_is_not_a_workbook(db, tmp_path):
    csv = "tax_code,name,unit,sector\n0100233488,Công ty A,11311,C\n".encode()
    path = tmp_path / "register.xlsx"
    path.write_bytes(csv)
    with pytest.raises(RegisterFileError, match=rf"'register\.xlsx' {NOT_XLSX}"):
        read_register(path, db.session)
    with pytest.raises(RegisterFileError, match=NOT_XLSX):
        read_register(BytesIO(csv), db.session)
    (tmp_path / "register.csv").write_bytes(csv)
    with pytest.raises(
        RegisterFileError, match=r"'register\.csv' is not an Excel \.xlsx file but a CSV text file"
    ):
        read_register(tmp_path / "register.csv", db.session)


def test_a_zip_that_is_not_a_workbook_is_refused(db):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(RegisterFileError, match=NOT_XLSX):
        read_register(buffer, db.session)


def test_a_damaged_sheet_is_refused(db):
    good = workbook([row()]).getvalue()
    damaged = BytesIO()
    with zipfile.ZipFile(BytesIO(good)) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut off mid-way
            target.writestr(item, data)
    with pytest.raises(RegisterFileError, match=NOT_XLSX):
        read_register(damaged, db.session)


def test_errors_name_the_file_as_the_user_called_it(db, tmp_path):
    path = tmp_path / "3f2a.xlsx"
    path.write_bytes(b"tax_code,name\n")
    with pytest.raises(RegisterFileError, match=rf"^'so-dang-ky\.xlsx' {NOT_XLSX}"):
        read_register(path, db.session, display_name="so-dang-ky.xlsx")


def test_a_missing_file_cannot_be_read(db, tmp_path):
    with pytest.raises(RegisterFileError, match=r"'nowhere\.xlsx' cannot be read"):
        read_register(tmp_path / "nowhere.xlsx", db.session)


def test_row_error_is_a_plain_record():
    error = RowError(7, "99", "unit '99999' is not a commune-level unit of the city")
    assert str(error) == "row 7: unit '99999' is not a commune-level unit of the city"
    assert error == RowError(row_number=7, tax_code="99", message=error.message)
