"""The register import's own workbooks: the template to start from and the error report.

Kept apart from the reading and writing of rows in survey.registry.importer.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import AdminUnit, Ownership, Sector
from survey.registry.register_format import COLUMNS, EXAMPLE, RowError
from survey.spreadsheets import safe_cell

_WIDTHS = {
    "tax_code": 16,
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
    bold = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _WIDTHS[column]
        cell = sheet.cell(row=1, column=index, value=column)
        cell.font = bold
        example = sheet.cell(row=2, column=index, value=EXAMPLE[column])
        if column in ("tax_code", "contact_phone"):
            # Typed as text, a tax code or phone number keeps its leading zero.
            sheet.column_dimensions[letter].number_format = "@"
            example.number_format = "@"
    sheet.freeze_panes = "A2"
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

    help_sheet = workbook.create_sheet("Help")
    help_sheet.append(["column", "bắt buộc / required", "Tiếng Việt", "English"])
    for column in COLUMNS:
        required, vi, en = HELP[column]
        help_sheet.append([column, "có / yes" if required else "không / no", vi, en])
    help_sheet.append([])
    for vi, en in HELP_NOTES:
        help_sheet.append([None, None, vi, en])
    _finish_sheet(help_sheet, {"A": 18, "B": 20, "C": 70, "D": 70}, wrap=True)

    if session is not None:
        units = workbook.create_sheet("Units")
        units.append(["code", "name_vi"])
        for code, name in session.execute(
            select(AdminUnit.code, AdminUnit.name_vi).where(AdminUnit.active).order_by(AdminUnit.code)
        ):
            units.append([code, name])
        _finish_sheet(units, {"A": 10, "B": 34})
        sectors = workbook.create_sheet("Sectors")
        sectors.append(["sector", "name_vi", "name_en"])
        for row in session.execute(select(Sector.code, Sector.name_vi, Sector.name_en).order_by(Sector.code)):
            sectors.append(list(row))
        _finish_sheet(sectors, {"A": 8, "B": 70, "C": 70})
    return _save(workbook)


def _finish_sheet(sheet, widths: dict[str, int], wrap: bool = False) -> None:
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    if wrap:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def _save(workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------ reading


def error_report(errors: Sequence[RowError]) -> bytes:
    """A workbook listing the bad rows (row, tax code, error), safe to open in Excel."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Errors")
    for letter, width in (("A", 8), ("B", 18), ("C", 100)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title in ("row", "tax_code", "error"):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for error in errors:
        sheet.append([error.row_number, safe_cell(error.tax_code), safe_cell(error.message)])
    sheet.auto_filter.ref = f"A1:C{len(errors) + 1}"
    return _save(workbook)
