"""The whole preview of a register file with every kind of bad row, written out in full.

Each row below says what the import must make of it: the cleaned values of a good row,
or every problem of a bad one (its column and its message, in order). The test compares
the complete preview (counts, every error's row number, tax code, message and cells,
every cleaned row) and the error report with that, for both readers, so a faster check
that changes one character of one message, or the order of two problems, fails here.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from io import BytesIO

import pytest
from openpyxl import load_workbook

from survey.models import AdminUnit, Ownership
from survey.models.business import BusinessKind, IdType
from survey.models.reference import UnitKind
from survey.registry import register_file
from survey.registry.importer import EXAMPLE, error_report, read_register
from survey.registry.register_rows import Reference, RowChecker
from survey.spreadsheets import safe_cell
from tests import factories
from tests.registry_import._support import workbook

TAX, NAME, UNIT, SECTOR = (
    "Mã số thuế hoặc số định danh",
    "Tên cơ sở kinh doanh",
    "Phường/xã/đặc khu",
    "Ngành kinh tế (VSIC)",
)
OWNERSHIP, EMPLOYEES = "Loại hình sở hữu", "Số lao động"
REVENUE, CAPITAL = "Doanh thu (tỷ đồng)", "Tổng nguồn vốn (tỷ đồng)"
#: The template's Vietnamese headers, some codes, an English one and a column of notes:
#: a message names each column as this header reads.
HEADER = [
    TAX, NAME, UNIT, SECTOR, OWNERSHIP, EMPLOYEES, REVENUE, CAPITAL,
    "contact_name", "Contact e-mail", "contact_phone", "address", "Loại hình kinh doanh", "Ghi chú",
]  # fmt: skip
CODES = (
    "tax_code", "name", "unit", "sector", "ownership", "employees", "revenue_bn_vnd", "capital_bn_vnd",
    "contact_name", "contact_email", "contact_phone", "address", "kind", "note",
)  # fmt: skip
GOOD = {
    "tax_code": None,
    "name": "Công ty TNHH Hải Âu",
    "unit": "11311",
    "sector": "C",
    "ownership": "private",
    "employees": 25,
    "revenue_bn_vnd": "12,5",
    "capital_bn_vnd": 3,
    "contact_name": "Trần Thị Bình",
    "contact_email": "binh@haiau.example.vn",
    "contact_phone": "0225 3842 123",
    "address": "Số 2 Hoàng Văn Thụ",
    "kind": None,
    "note": None,
}
#: A good row cleaned (the unit's id is filled in by the test).
CLEAN = {
    "tax_code": None,
    "name": "Công ty TNHH Hải Âu",
    "unit_id": "11311",
    "sector_code": "C",
    "ownership": Ownership.PRIVATE,
    "employees": 25,
    "revenue_vnd": 12_500_000_000,
    "capital_vnd": 3_000_000_000,
    "contact_name": "Trần Thị Bình",
    "contact_email": "binh@haiau.example.vn",
    "contact_phone": "0225 3842 123",
    "address": "Số 2 Hoàng Văn Thụ",
    "kind": BusinessKind.ENTERPRISE,
    "id_type": IdType.MST10,
}
KINDS = (
    "'Doanh nghiệp' (enterprise), 'Chi nhánh, đơn vị phụ thuộc' (branch), 'Hợp tác xã' (cooperative), "
    "'Hộ kinh doanh' (household), 'Cá nhân kinh doanh' (individual)"
)
OWNERSHIPS = (
    "'Ngoài nhà nước' (private), 'Nhà nước' (state), 'Có vốn đầu tư nước ngoài' (foreign), "
    "'Hợp tác xã' (cooperative), 'Hộ kinh doanh' (household)"
)
NOT_AN_AMOUNT = (
    "is not an amount: type it in billion đồng, e.g. 12,5 (or the full amount followed by đồng, "
    "e.g. 12.500.000.000 đồng)"
)
IN_DONG = (
    "is an amount in đồng (a million or more, or followed by đồng), which has no decimals: type it whole, "
    "or in billion đồng, e.g. 12,5"
)
NOT_DIGITS = "a tax code contains only digits, with an optional -NNN branch suffix"
TEN_OR_13 = "a tax code has 10 digits, or 13 with a branch suffix (0100233488-001)"
BRANCH_SUFFIX = "the branch suffix must be between 001 and 999"
CHECK_DIGIT = "the check digit (10th digit) does not match: please re-check the code"
LONG_CODE = "1234567890" * 6


def good(**cells) -> dict:
    return {**GOOD, **cells}


def clean(**values) -> dict:
    return {**CLEAN, **values}


def bad(cells: dict, *problems: tuple[str, str]) -> tuple[dict, list]:
    return cells, list(problems)


#: Each row of the file after the header (row 2 on), and what it must come out as: the
#: cleaned values of a good row, the problems of a bad one, None for a row skipped.
ROWS: list[tuple[dict, dict | list | None]] = [
    # -- row 2 on: good rows, written every way a city's file writes them
    (good(tax_code="0500000015"), clean(tax_code="0500000015")),
    (
        good(
            tax_code=500000022,  # a number cell: the leading zero is gone
            unit=unicodedata.normalize("NFD", "  phường   THIÊN hương "),
            sector="c – Công nghiệp chế biến, chế tạo",
            ownership="Nhà nước",
            employees="1 200",
            revenue_bn_vnd="2,5 tỷ",
            capital_bn_vnd=0.75,
            contact_name=None,
            contact_email="  LienHe@HaiAu.Example.VN ",
            contact_phone=None,
            address=None,
            note="ghi chú",
        ),
        clean(
            tax_code="0500000022",
            unit_id="11557",
            ownership=Ownership.STATE,
            employees=1200,
            revenue_vnd=2_500_000_000,
            capital_vnd=750_000_000,
            contact_name=None,
            contact_email="lienhe@haiau.example.vn",
            contact_phone=None,
            address=None,
        ),
    ),
    (
        good(tax_code="0100233488 - 001", employees=7, revenue_bn_vnd=" 1 500,25 ", capital_bn_vnd=0),
        clean(
            tax_code="0100233488-001",
            kind=BusinessKind.BRANCH,
            id_type=IdType.MST13,
            employees=7,
            revenue_vnd=1_500_250_000_000,
            capital_vnd=0,
        ),
    ),
    (
        good(
            tax_code="031 080.000-001",
            kind="Hộ kinh doanh",
            ownership="household",
            employees=3,
            revenue_bn_vnd=0.8,
            capital_bn_vnd=None,
        ),
        clean(
            tax_code="031080000001",
            kind=BusinessKind.HOUSEHOLD,
            id_type=IdType.CCCD12,
            ownership=Ownership.HOUSEHOLD,
            employees=3,
            revenue_vnd=800_000_000,
            capital_vnd=None,
        ),
    ),
    (  # the same personal ID, another kind: another business
        good(tax_code="031080000001", kind="individual"),
        clean(tax_code="031080000001", kind=BusinessKind.INDIVIDUAL, id_type=IdType.CCCD12),
    ),
    (good(tax_code="0500000047"), clean(tax_code="0500000047")),  # registered, unchanged
    (good(tax_code="0500000054"), clean(tax_code="0500000054")),  # registered, other employees
    (good(tax_code=500000061.0), clean(tax_code="0500000061")),
    (
        good(tax_code="0500.000.079", sector="f", kind="Doanh nghiệp", revenue_bn_vnd=2_500_000_000),
        clean(tax_code="0500000079", sector_code="F", revenue_vnd=2_500_000_000),
    ),
    (
        good(
            tax_code="0500000086",
            kind="Hợp tác xã",
            ownership="cooperative",
            employees="12",
            capital_bn_vnd="250 triệu",
        ),
        clean(
            tax_code="0500000086",
            kind=BusinessKind.COOPERATIVE,
            ownership=Ownership.COOPERATIVE,
            employees=12,
            capital_vnd=250_000_000,
        ),
    ),
    # -- row 12 on: nothing to check
    (dict.fromkeys(CODES), None),
    ({**dict.fromkeys(CODES), "tax_code": "", "name": "  ", "unit": " \u00a0"}, None),
    ({**dict.fromkeys(CODES), "note": "chỉ có ghi chú"}, None),
    # -- row 15 on: the identifier
    bad(good(tax_code=None), ("tax_code", "tax code is empty")),
    bad(good(tax_code="0500000016"), ("tax_code", f"tax code '0500000016': {CHECK_DIGIT}")),
    bad(good(tax_code="050000001"), ("tax_code", f"tax code '050000001': {TEN_OR_13}")),
    bad(good(tax_code="05000A0015"), ("tax_code", f"tax code '05000A0015': {NOT_DIGITS}")),
    bad(good(tax_code="0100233488-000"), ("tax_code", f"tax code '0100233488-000': {BRANCH_SUFFIX}")),
    bad(good(tax_code="0000000000"), ("tax_code", f"tax code '0000000000': {BRANCH_SUFFIX}")),
    # 050000003's check digit would be 10: no last digit matches it.
    bad(good(tax_code="0500000030"), ("tax_code", f"tax code '0500000030': {CHECK_DIGIT}")),
    # Full-width digits are digits, a no-break space a space: the code of row 2 again.
    bad(good(tax_code="０５００００００１５"), ("tax_code", "tax code 0500000015 already appears on row 2")),
    bad(good(tax_code="05000\u00a000015"), ("tax_code", "tax code 0500000015 already appears on row 2")),
    bad(
        good(tax_code="031080000002"),
        (
            "tax_code",
            "'031080000002' looks like a personal ID: set the kind of business to household or individual",
        ),
    ),
    bad(
        good(tax_code="0100233488001", kind="Doanh nghiệp"),
        (
            "tax_code",
            "'0100233488001' looks like a branch code (13 digits): set the kind of business to branch",
        ),
    ),
    bad(
        good(tax_code="0500000093", kind="branch"),
        (
            "tax_code",
            "'0500000093' looks like an enterprise tax code (10 digits): "
            "a branch code has 13, e.g. 0100233488-001",
        ),
    ),
    bad(
        good(tax_code="0500000103", kind="household"),
        (
            "tax_code",
            "'0500000103' is a tax code: a household or individual business is identified by its "
            "representative's 12-digit personal ID",
        ),
    ),
    bad(
        good(tax_code="999080000003", kind="household"),
        (
            "tax_code",
            "personal ID '999080000003' does not start with a province code (e.g. 031 for Hải Phòng)",
        ),
    ),
    bad(
        good(tax_code="031580000004", kind="household"),
        ("tax_code", "personal ID '031580000004': the 4th digit (century and sex) must be 0, 1, 2 or 3"),
    ),
    bad(
        good(tax_code="031320000005", kind="household"),
        (
            "tax_code",
            "personal ID '031320000005': digits 5-6 give a birth year too recent "
            "for a business's representative",
        ),
    ),
    bad(
        good(tax_code="03108000000", kind="household"),
        ("tax_code", "personal ID '03108000000' must have 12 digits"),
    ),
    bad(
        good(tax_code="03108000000A", kind="individual"),
        ("tax_code", "personal ID '03108000000A' must be 12 digits (0-9)"),
    ),
    bad(good(tax_code=None, kind="household"), ("tax_code", "personal ID is empty")),
    bad(
        good(tax_code="0500000110", kind="công ty"),
        ("kind", f"kind of business 'công ty' is not one of {KINDS}"),
    ),
    # -- row 35 on: an identifier seen before
    bad(good(tax_code="0500000015"), ("tax_code", "tax code 0500000015 already appears on row 2")),
    bad(good(tax_code=500000015), ("tax_code", "tax code 0500000015 already appears on row 2")),
    bad(
        good(tax_code="031080000001", kind="household"),
        ("tax_code", "the same personal ID as a household business already appears on row 5"),
    ),
    bad(
        good(tax_code="031080000001", kind="Cá nhân kinh doanh"),
        ("tax_code", "the same personal ID as an individual business already appears on row 6"),
    ),
    # -- row 39 on: the other columns
    bad(
        good(tax_code="0500000128", name="", unit="00000", sector="ZZ", contact_email="nobody"),
        ("name", f"{NAME} is empty"),
        ("unit", f"{UNIT} '00000' is not a commune-level unit of the city"),
        ("sector", f"{SECTOR} 'ZZ' is not a VSIC section letter (A-U)"),
        ("contact_email", "Contact e-mail 'nobody' is not an e-mail address"),
    ),
    bad({**EXAMPLE, "note": None}, ("name", "this is the template's example row: delete it")),
    bad(
        good(tax_code="0500000135", unit=None, sector="  "),
        ("unit", f"{UNIT} is empty"),
        ("sector", f"{SECTOR} is empty"),
    ),
    bad(
        good(tax_code="0500000142", unit="11560"),
        ("unit", f"{UNIT} '11560' is no longer an active unit of the city"),
    ),
    bad(
        good(tax_code="0500000167", unit="Phường Thủy Nguyên"),
        ("unit", f"{UNIT} 'Phường Thủy Nguyên' is no longer an active unit of the city"),
    ),
    bad(
        good(tax_code="0500000174", unit="phường hồng an"),
        ("unit", f"{UNIT} 'phường hồng an' names several units: use the unit code"),
    ),
    bad(
        good(tax_code="0500000181", sector="C – Xây dựng"),
        (
            "sector",
            f"{SECTOR} 'C – Xây dựng': the name is not that of section C; choose the sector from the list, "
            "or write its letter alone",
        ),
    ),
    bad(
        good(tax_code="0500000199", sector="C10"),
        ("sector", f"{SECTOR} 'C10' is not a VSIC section letter (A-U)"),
    ),
    bad(
        good(tax_code="0500000209", ownership="public"),
        ("ownership", f"{OWNERSHIP} 'public' is not one of {OWNERSHIPS}"),
    ),
    bad(
        good(tax_code="0500000216", employees="abc", revenue_bn_vnd="1.500", capital_bn_vnd=True),
        ("employees", f"{EMPLOYEES} 'abc' is not a whole number"),
        (
            "revenue_bn_vnd",
            f"{REVENUE} '1.500' can be read as 1,5 or as 1500 billion đồng: type the one you mean",
        ),
        ("capital_bn_vnd", f"{CAPITAL} 'True' {NOT_AN_AMOUNT}"),
    ),
    bad(
        good(tax_code="0500000223", employees=-1, revenue_bn_vnd=-2, capital_bn_vnd="-0,5"),
        ("employees", f"{EMPLOYEES} must be 0 or more"),
        ("revenue_bn_vnd", f"{REVENUE} must be 0 or more"),
        ("capital_bn_vnd", f"{CAPITAL} must be 0 or more"),
    ),
    bad(
        good(
            tax_code="0500000230",
            employees=2_000_000,
            revenue_bn_vnd="20000000 tỷ",
            capital_bn_vnd="12,5 nghìn",
        ),
        ("employees", f"{EMPLOYEES} is more than 1,000,000"),
        ("revenue_bn_vnd", f"{REVENUE} is more than 10.000.000 billion đồng"),
        ("capital_bn_vnd", f"{CAPITAL} '12,5 nghìn' {NOT_AN_AMOUNT}"),
    ),
    bad(
        good(
            tax_code="0500000248",
            employees=12.5,
            revenue_bn_vnd=2_500_000_000.5,
            capital_bn_vnd="2.500.000.000,5 đồng",
        ),
        ("employees", f"{EMPLOYEES} '12.5' is not a whole number"),
        ("revenue_bn_vnd", f"{REVENUE} '2500000000.5' {IN_DONG}"),
        ("capital_bn_vnd", f"{CAPITAL} '2.500.000.000,5 đồng' {IN_DONG}"),
    ),
    bad(
        good(tax_code="0500000255", employees="1 2", revenue_bn_vnd="9" * 70, capital_bn_vnd=1e17),
        ("employees", f"{EMPLOYEES} '1 2' is not a whole number"),
        ("revenue_bn_vnd", f"{REVENUE} '{'9' * 37}...' {NOT_AN_AMOUNT}"),
        ("capital_bn_vnd", f"{CAPITAL} is more than 10.000.000 billion đồng"),
    ),
    bad(
        good(tax_code="0500000262", employees="9" * 30, revenue_bn_vnd="mười", capital_bn_vnd="1e3"),
        ("employees", f"{EMPLOYEES} is more than 1,000,000"),
        ("revenue_bn_vnd", f"{REVENUE} 'mười' {NOT_AN_AMOUNT}"),
        ("capital_bn_vnd", f"{CAPITAL} '1e3' {NOT_AN_AMOUNT}"),
    ),
    bad(
        good(
            tax_code="0500000287",
            name="x" * 301,
            contact_name="n" * 121,
            contact_email="A B@c.vn",
            contact_phone="0" * 31,
            address="a" * 301,
        ),
        ("contact_email", "Contact e-mail 'a b@c.vn' is not an e-mail address"),
        ("name", f"{NAME} is longer than 300 characters (301)"),
        ("contact_name", "contact_name is longer than 120 characters (121)"),
        ("contact_phone", "contact_phone is longer than 30 characters (31)"),
        ("address", "address is longer than 300 characters (301)"),
    ),
    bad(
        good(tax_code="0500000294", contact_email="E" * 250 + "@X.VN"),
        ("contact_email", "Contact e-mail is longer than 254 characters (255)"),
    ),
    bad(
        good(
            tax_code="0500000304",
            employees=dt.datetime(2024, 3, 1),
            revenue_bn_vnd=dt.date(2024, 3, 1),
            capital_bn_vnd=dt.time(13, 30),
        ),
        ("employees", f"{EMPLOYEES} '2024-03-01 00:00:00' is not a whole number"),
        ("revenue_bn_vnd", f"{REVENUE} '2024-03-01 00:00:00' {NOT_AN_AMOUNT}"),
        ("capital_bn_vnd", f"{CAPITAL} '13:30:00' {NOT_AN_AMOUNT}"),
    ),
    bad(good(tax_code="=SUM(A1)", kind="chi nhánh"), ("tax_code", f"tax code '=SUM(A1)': {NOT_DIGITS}")),
    bad(good(tax_code=LONG_CODE), ("tax_code", f"tax code '{LONG_CODE[:37]}...': {TEN_OR_13}")),
    bad(
        good(tax_code="0500000311", contact_email="NOT AN ADDRESS"),
        ("contact_email", "Contact e-mail 'not an address' is not an e-mail address"),
    ),
    # -- row 61: a good row last
    (
        good(
            tax_code="0500000329",
            unit=11311,
            sector="g",
            ownership="FDI",
            employees=0,
            revenue_bn_vnd=1.125,
            capital_bn_vnd="2.500.000.000 đồng",
            contact_email=None,
        ),
        clean(
            tax_code="0500000329",
            sector_code="G",
            ownership=Ownership.FOREIGN,
            employees=0,
            revenue_vnd=1_125_000_000,
            capital_vnd=2_500_000_000,
            contact_email=None,
        ),
    ),
]


def cells_as_read(cells: dict) -> tuple:
    """A row's cells as both readers give them back: an empty text is no cell, a date is a
    datetime at midnight, a whole float a whole number."""
    values = []
    for code in CODES:
        value = cells[code]
        if value == "":
            value = None
        elif type(value) is dt.date:
            value = dt.datetime(value.year, value.month, value.day)
        elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        values.append(value)
    return tuple(values)


def shown_code(value) -> str:
    """The tax code cell as an error lists it: as typed, cut at 50 characters."""
    text = "" if value is None else str(int(value) if isinstance(value, float) else value).strip()
    return text if len(text) <= 50 else text[:47] + "..."


@pytest.fixture
def register(db):
    """The database the rows are read against: an inactive unit, two active ones of the
    same name, and two registered firms."""
    db.session.get(AdminUnit, factories.unit("11560").id).active = False
    db.session.add(
        AdminUnit(code="99001", name_vi="Phường Hồng An", kind=UnitKind.WARD, former_area="x", active=True)
    )
    db.session.flush()
    stored = {k: v for k, v in clean().items() if k not in ("tax_code", "unit_id")}
    factories.enterprise(tax_code="0500000047", unit_id=factories.unit("11311").id, **stored)
    factories.enterprise(
        tax_code="0500000054", unit_id=factories.unit("11311").id, **{**stored, "employees": 30}
    )
    return db


def unit_ids(row: dict) -> dict:
    return {**row, "unit_id": factories.unit(row["unit_id"]).id}


def source() -> BytesIO:
    return workbook([[cells[c] for c in CODES] for cells, _expected in ROWS], header=HEADER)


@pytest.mark.parametrize("fast", [True, False], ids=["calamine", "openpyxl"])
def test_the_preview_is_exactly_what_each_row_says(register, monkeypatch, fast):
    if not fast:
        monkeypatch.setattr(register_file, "fast_rows", lambda source, limits: None)

    preview = read_register(source(), register.session)

    numbered = list(enumerate(ROWS, start=2))
    expected_errors = [
        (number, shown_code(cells["tax_code"]), "; ".join(m for _c, m in problems), cells_as_read(cells))
        for number, (cells, problems) in numbered
        if isinstance(problems, list)
    ]
    got_errors = [(e.row_number, e.tax_code, e.message, e.values) for e in preview.errors]
    assert got_errors == expected_errors
    assert [[type(v) for v in e.values] for e in preview.errors] == [
        [type(v) for v in values] for *_rest, values in expected_errors
    ]
    assert preview.valid == [unit_ids(expected) for _cells, expected in ROWS if isinstance(expected, dict)]
    assert (preview.total_rows, preview.to_add, preview.to_update, preview.unchanged) == (
        sum(expected is not None for _cells, expected in ROWS),
        9,
        1,
        1,
    )
    assert preview.header == tuple(HEADER)

    report = load_workbook(BytesIO(error_report(preview.errors, preview.header)))
    lines = list(report.worksheets[0].iter_rows(values_only=True))
    assert lines[0] == (*HEADER, "Row in the file", "Problems")
    # Each bad row as the file has it (a text like '-0,5' made inert), its number, its problems.
    assert lines[1:] == [
        tuple(map(safe_cell, (*values, number, message)))
        for number, _code, message, values in expected_errors
    ]
    report.close()


def test_each_problem_is_on_its_column(register):
    """RowChecker's problems, as the edit form shows them beside its fields."""
    checker = RowChecker(Reference.load(register.session), dict(zip(CODES, HEADER, strict=True)))
    for number, (cells, expected) in enumerate(ROWS, start=2):
        if expected is None:
            continue
        read = dict(zip(CODES, cells_as_read(cells), strict=True))
        del read["note"]
        clean_values, problems = checker.check(number, read)
        if isinstance(expected, list):
            assert problems == expected, number
        else:
            assert problems == [], number
            assert clean_values == unit_ids(expected), number
