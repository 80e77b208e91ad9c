"""The register import's own workbooks: the template to start from and the error report.

Kept apart from the reading and writing of rows in survey.registry.importer. Every sheet
is a ``survey.spreadsheets.Table`` (bold frozen header, widths, safe cells).
"""

from __future__ import annotations

from collections.abc import Sequence

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import AdminUnit, Ownership, Sector
from survey.registry.register_format import COLUMNS, EXAMPLE, KIND_LABELS, RowError
from survey.spreadsheets import Col, Table, save

_WIDTHS = {
    "tax_code": 16,
    "kind": 20,
    "name": 40,
    "unit": 20,
    "sector": 8,
    "ownership": 13,
    "employees": 11,
    "revenue_bn_vnd": 16,
    "capital_bn_vnd": 16,
    "contact_name": 24,
    "contact_email": 28,
    "contact_phone": 16,
    "address": 44,
}

#: column -> (required, Vietnamese, English)
HELP = {
    "tax_code": (
        True,
        "Mã số thuế: 10 chữ số, hoặc 13 chữ số với mã đơn vị phụ thuộc (0100233488-001). "
        "Nhập dạng văn bản để giữ số 0 ở đầu.",
        "Tax code: 10 digits, or 13 with a branch suffix (0100233488-001). "
        "Enter it as text so the leading zero stays.",
    ),
    "kind": (
        False,
        "Loại hình kinh doanh: Doanh nghiệp, Chi nhánh, Hợp tác xã, Hộ kinh doanh hoặc Cá nhân kinh doanh "
        "(hoặc enterprise, branch, cooperative, household, individual). Để trống: doanh nghiệp với mã 10 "
        "chữ số, chi nhánh với mã 13 chữ số. Hộ kinh doanh và cá nhân kinh doanh ghi số định danh cá nhân "
        "12 chữ số của người đại diện vào cột tax_code (ví dụ 031085001234).",
        "Kind of business: Doanh nghiệp, Chi nhánh, Hợp tác xã, Hộ kinh doanh or Cá nhân kinh doanh "
        "(or enterprise, branch, cooperative, household, individual). Empty: an enterprise for a "
        "10-digit code, a branch for a 13-digit one. A household or individual business gives its "
        "representative's 12-digit personal ID in the tax_code column (e.g. 031085001234).",
    ),
    "name": (True, "Tên doanh nghiệp (tối đa 300 ký tự).", "Enterprise name (up to 300 characters)."),
    "unit": (
        True,
        "Đơn vị hành chính cấp xã (phường, xã, đặc khu) nơi đặt trụ sở: mã đơn vị (ví dụ 11311) "
        "hoặc tên tiếng Việt chính xác (ví dụ Phường Hồng Bàng).",
        "Commune-level unit (ward, commune or special zone) of the head office: the unit code "
        "(e.g. 11311) or its exact Vietnamese name (e.g. Phường Hồng Bàng).",
    ),
    "sector": (
        True,
        "Ngành kinh tế chính: chữ cái của ngành cấp 1 theo VSIC 2018 (A–U), "
        "ví dụ C = Công nghiệp chế biến, chế tạo.",
        "Main line of business: the VSIC 2018 section letter (A–U), e.g. C = Manufacturing.",
    ),
    "ownership": (
        False,
        "Loại hình: state (nhà nước), private (tư nhân), foreign (có vốn đầu tư nước ngoài), "
        "cooperative (hợp tác xã), household (hộ kinh doanh). Có thể để trống.",
        "Ownership: one of state, private, foreign, cooperative, household. May be left empty.",
    ),
    "employees": (
        False,
        "Số lao động tham gia bảo hiểm xã hội bình quân năm: số nguyên, từ 0 trở lên. Có thể để trống.",
        "Average annual employees with social insurance: a whole number, 0 or more. May be left empty.",
    ),
    "revenue_bn_vnd": (
        False,
        "Tổng doanh thu năm trước, đơn vị tỷ đồng (ví dụ 12,5 hoặc 12.5 = 12,5 tỷ đồng). Có thể để trống.",
        "Revenue last year in billion VND (e.g. 12.5 or 12,5 = 12.5 billion VND). May be left empty.",
    ),
    "capital_bn_vnd": (
        False,
        "Tổng nguồn vốn, đơn vị tỷ đồng. Có thể để trống.",
        "Total capital in billion VND. May be left empty.",
    ),
    "contact_name": (
        False,
        "Họ tên người liên hệ (tối đa 120 ký tự).",
        "Contact person (up to 120 characters).",
    ),
    "contact_email": (False, "Thư điện tử của người liên hệ.", "Contact e-mail address."),
    "contact_phone": (
        False,
        "Số điện thoại liên hệ (tối đa 30 ký tự); nhập dạng văn bản để giữ số 0 ở đầu.",
        "Contact phone (up to 30 characters); enter it as text so the leading zero stays.",
    ),
    "address": (False, "Địa chỉ trụ sở (tối đa 300 ký tự).", "Head-office address (up to 300 characters)."),
}

HELP_NOTES = (
    (
        "Dòng đầu tiên của trang Register là tên cột; mỗi dòng sau là một doanh nghiệp. "
        "Xóa dòng ví dụ trước khi nhập.",
        "The first row of the Register sheet names the columns; each row after it is one "
        "enterprise. Delete the example row before importing.",
    ),
    (
        "Hộ kinh doanh và cá nhân kinh doanh được nhận diện bằng số định danh cá nhân cùng loại hình: "
        "một người có thể vừa là đại diện hộ kinh doanh vừa là cá nhân kinh doanh.",
        "A household or individual business is known by its personal ID and its kind: one person "
        "may represent a household business and also be an individual business.",
    ),
    (
        "Doanh nghiệp đã có (cùng mã số thuế) được cập nhật: ô trống xóa giá trị cũ; "
        "cột không có trong tệp thì giữ nguyên.",
        "An enterprise already registered (same tax code) is updated: an empty cell clears the "
        "old value; a column missing from the file is left as it is.",
    ),
)


def template_workbook(session: Session | None = None) -> bytes:
    """The blank register: a "Register" sheet (header and one example row) and "Help".

    With a session, "Units" and "Sectors" sheets list the codes the file may use.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Register"
    # Typed as text, a tax code or phone number keeps its leading zero.
    as_text = ("tax_code", "contact_phone")
    register = Table(
        sheet, [Col(c, _WIDTHS[c], "@" if c in as_text else None) for c in COLUMNS], autofilter=False
    )
    register.row([EXAMPLE[column] for column in COLUMNS])
    for column in as_text:
        sheet.column_dimensions[get_column_letter(COLUMNS.index(column) + 1)].number_format = "@"
    ownership = DataValidation(
        type="list",
        formula1='"' + ",".join(o.value for o in Ownership) + '"',
        allow_blank=True,
        showErrorMessage=True,
        error="state, private, foreign, cooperative, household",
    )
    letter = get_column_letter(COLUMNS.index("ownership") + 1)
    ownership.add(f"{letter}2:{letter}100000")
    sheet.add_data_validation(ownership)
    kinds = DataValidation(
        type="list",
        formula1='"' + ",".join(vi for vi, _ in KIND_LABELS.values()) + '"',
        allow_blank=True,
        showErrorMessage=False,
    )
    letter = get_column_letter(COLUMNS.index("kind") + 1)
    kinds.add(f"{letter}2:{letter}100000")
    sheet.add_data_validation(kinds)

    help_table = Table(
        workbook.create_sheet("Help"),
        [
            Col("column", 18, wrap=True),
            Col("bắt buộc / required", 20, wrap=True),
            Col("Tiếng Việt", 70, wrap=True),
            Col("English", 70, wrap=True),
        ],
        autofilter=False,
    )
    for column in COLUMNS:
        required, vi, en = HELP[column]
        help_table.row([column, "có / yes" if required else "không / no", vi, en])
    help_table.row([])
    for vi, en in HELP_NOTES:
        help_table.row([None, None, vi, en])

    if session is not None:
        units = Table(workbook.create_sheet("Units"), [Col("code", 10), Col("name_vi", 34)], autofilter=False)
        for code, name in session.execute(
            select(AdminUnit.code, AdminUnit.name_vi).where(AdminUnit.active).order_by(AdminUnit.code)
        ):
            units.row([code, name])
        sectors = Table(
            workbook.create_sheet("Sectors"),
            [Col("sector", 8), Col("name_vi", 70), Col("name_en", 70)],
            autofilter=False,
        )
        for row in session.execute(select(Sector.code, Sector.name_vi, Sector.name_en).order_by(Sector.code)):
            sectors.row(list(row))
    return save(workbook)


# ------------------------------------------------------------------------------ reading


def error_report(errors: Sequence[RowError]) -> bytes:
    """A workbook listing the bad rows (row, tax code, error), safe to open in Excel."""
    workbook = openpyxl.Workbook(write_only=True)
    table = Table(workbook.create_sheet("Errors"), [Col("row", 8), Col("tax_code", 18), Col("error", 100)])
    for error in errors:
        table.row([error.row_number, error.tax_code, error.message])
    table.close()
    return save(workbook)
