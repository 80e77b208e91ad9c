"""The register import's own workbooks: the template to start from and the error report.

Kept apart from the reading and writing of rows in survey.registry.importer. Every sheet
is a ``survey.spreadsheets.Table`` (bold frozen header, widths, safe cells).

The template is the file format itself (survey.registry.register_format), so it is the
same for everyone: Vietnamese headers, each with a note giving its English name and
code; a help sheet in both languages; a sheet of the values the drop-downs offer (units,
sectors, ownerships, kinds of business, each with its code). A drop-down warns rather
than stops, since a code (11311, C, private) is accepted as well as the listed name.
The error report is in the staff member's language: each bad row as the file had it,
every column under the file's own header, then its row number and what is wrong, so the
rows can be corrected in the report and the report imported again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest

import openpyxl
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import AdminUnit, Sector
from survey.registry.register_format import (
    COLUMNS,
    EXAMPLE,
    HEADERS,
    KIND_LABELS,
    OWNERSHIP_LABELS,
    REQUIRED,
    RowError,
    key,
)
from survey.registry.register_rows import _
from survey.spreadsheets import Col, Table, save

#: The sheets of the template; the importer reads the first, whatever its name.
REGISTER_SHEET, HELP_SHEET, LISTS_SHEET = "Danh sách", "Hướng dẫn", "Danh mục"
#: Rows the drop-downs cover: the header, then as many rows as an import may have.
VALIDATED_ROWS = 100_001

_WIDTHS = {
    "tax_code": 18,
    "kind": 24,
    "name": 40,
    "unit": 24,
    "sector": 30,
    "ownership": 24,
    "employees": 12,
    "revenue_bn_vnd": 18,
    "capital_bn_vnd": 20,
    "contact_name": 24,
    "contact_email": 28,
    "contact_phone": 18,
    "address": 44,
}

#: column -> (Vietnamese, English)
HELP = {
    "tax_code": (
        "Mã số thuế: 10 chữ số, hoặc 13 chữ số với mã đơn vị phụ thuộc (0100233488-001). "
        "Hộ kinh doanh và cá nhân kinh doanh ghi số định danh cá nhân 12 chữ số của người đại diện "
        "(ví dụ 031085001234). Nhập dạng văn bản để giữ số 0 ở đầu.",
        "Tax code: 10 digits, or 13 with a branch suffix (0100233488-001). A household or "
        "individual business gives its representative's 12-digit personal ID (e.g. 031085001234). "
        "Enter it as text so the leading zero stays.",
    ),
    "kind": (
        "Loại hình kinh doanh: chọn trong danh sách (Doanh nghiệp, Chi nhánh, đơn vị phụ thuộc, Hợp tác xã, "
        "Hộ kinh doanh, Cá nhân kinh doanh) hoặc ghi mã (enterprise, branch, cooperative, household, "
        "individual). Để trống: doanh nghiệp với mã 10 chữ số, chi nhánh với mã 13 chữ số.",
        "Kind of business: choose from the list, or write its code (enterprise, branch, cooperative, "
        "household, individual). Empty: an enterprise for a 10-digit code, a branch for a 13-digit one.",
    ),
    "name": (
        "Tên doanh nghiệp, hợp tác xã hoặc hộ kinh doanh (tối đa 300 ký tự).",
        "Name of the enterprise, cooperative or household business (up to 300 characters).",
    ),
    "unit": (
        "Đơn vị hành chính cấp xã (phường, xã, đặc khu) nơi đặt trụ sở: chọn trong danh sách "
        "(ví dụ Phường Hồng Bàng) hoặc ghi mã đơn vị (ví dụ 11311).",
        "Commune-level unit (ward, commune or special zone) of the head office: choose its exact "
        "Vietnamese name from the list (e.g. Phường Hồng Bàng) or write the unit code (e.g. 11311).",
    ),
    "sector": (
        "Ngành kinh tế chính theo VSIC 2018 cấp 1: chọn trong danh sách (ví dụ C – Công nghiệp chế biến, "
        "chế tạo) hoặc chỉ ghi chữ cái của ngành (A–U).",
        "Main line of business, a VSIC 2018 section: choose it from the list (e.g. C – Công nghiệp "
        "chế biến, chế tạo) or write its letter alone (A–U).",
    ),
    "ownership": (
        "Loại hình sở hữu: chọn trong danh sách (Ngoài nhà nước, Nhà nước, Có vốn đầu tư nước ngoài, "
        "Hợp tác xã, Hộ kinh doanh) hoặc ghi mã. Có thể để trống.",
        "Ownership: choose from the list, or write its code: state, private, foreign, cooperative, "
        "household. May be left empty.",
    ),
    "employees": (
        "Số lao động tham gia bảo hiểm xã hội bình quân năm: số nguyên, từ 0 trở lên. Có thể để trống.",
        "Average annual employees with social insurance: a whole number, 0 or more. May be left empty.",
    ),
    "revenue_bn_vnd": (
        "Tổng doanh thu năm trước, đơn vị tỷ đồng, viết theo kiểu Việt Nam: 12,5 là mười hai tỷ rưỡi; "
        "1.234,5 là một nghìn hai trăm ba mươi tư tỷ rưỡi. Có thể ghi số đầy đủ kèm chữ đồng "
        "(12.500.000.000 đồng). Có thể để trống.",
        "Revenue last year in billion đồng, written the Vietnamese way: 12,5 is twelve and a half "
        "billion; 1.234,5 is one thousand two hundred and thirty-four and a half billion. The full "
        "amount followed by 'đồng' (12.500.000.000 đồng) is read too. May be left empty.",
    ),
    "capital_bn_vnd": (
        "Tổng nguồn vốn, đơn vị tỷ đồng, viết như cột doanh thu (ví dụ 3 hoặc 0,8). Có thể để trống.",
        "Total capital in billion đồng, written as the revenue (e.g. 3 or 0,8). May be left empty.",
    ),
    "contact_name": (
        "Họ tên người liên hệ (tối đa 120 ký tự).",
        "Contact person (up to 120 characters).",
    ),
    "contact_email": ("Thư điện tử của người liên hệ.", "Contact e-mail address."),
    "contact_phone": (
        "Số điện thoại liên hệ (tối đa 30 ký tự); nhập dạng văn bản để giữ số 0 ở đầu.",
        "Contact phone (up to 30 characters); enter it as text so the leading zero stays.",
    ),
    "address": ("Địa chỉ trụ sở (tối đa 300 ký tự).", "Head-office address (up to 300 characters)."),
}

HELP_NOTES = (
    (
        f"Dòng đầu tiên của trang {REGISTER_SHEET} là tên cột (ghi chú ở mỗi tên cột cho biết "
        "tên tiếng Anh); mỗi dòng sau là một cơ sở kinh doanh. Xóa dòng ví dụ trước khi nhập.",
        f"The first row of the {REGISTER_SHEET} sheet names the columns (each name's note gives it in "
        "English); each row after it is one business. Delete the example row before importing.",
    ),
    (
        f"Các giá trị hợp lệ của phường/xã/đặc khu, ngành, loại hình sở hữu và loại hình kinh doanh có ở "
        f"trang {LISTS_SHEET}; các cột đó có danh sách để chọn.",
        f"The valid units, sectors, ownerships and kinds of business are on the {LISTS_SHEET} sheet; "
        "those columns offer them in a drop-down list.",
    ),
    (
        "Hộ kinh doanh và cá nhân kinh doanh được nhận diện bằng số định danh cá nhân cùng loại hình: "
        "một người có thể vừa là đại diện hộ kinh doanh vừa là cá nhân kinh doanh.",
        "A household or individual business is known by its personal ID and its kind: one person "
        "may represent a household business and also be an individual business.",
    ),
    (
        "Cơ sở đã có (cùng mã số thuế) được cập nhật: ô trống xóa giá trị cũ; "
        "cột không có trong tệp thì giữ nguyên.",
        "A business already registered (same tax code) is updated: an empty cell clears the "
        "old value; a column missing from the file is left as it is.",
    ),
)


@dataclass(frozen=True)
class _List:
    """One list of the lists sheet: its first column is what the drop-down offers."""

    cols: tuple[Col, ...]
    rows: list[tuple]
    #: The register column whose drop-down it feeds.
    column: str
    #: What the drop-down's warning says (Vietnamese: the template's language).
    warning: str


def _lists(session: Session) -> list[_List]:
    units = sorted(
        session.execute(
            select(AdminUnit.name_vi, AdminUnit.code, AdminUnit.former_area).where(AdminUnit.active)
        ),
        key=lambda unit: (key(unit.name_vi), unit.code),
    )
    sectors = session.execute(select(Sector.code, Sector.name_vi, Sector.name_en).order_by(Sector.code))
    return [
        _List(
            (Col("Phường/xã/đặc khu", 30), Col("Mã đơn vị", 11), Col("Đơn vị cấp huyện cũ", 30)),
            [tuple(unit) for unit in units],
            "unit",
            "Chọn phường, xã hoặc đặc khu trong danh sách, hoặc ghi mã đơn vị (ví dụ 11311).",
        ),
        _List(
            (Col("Ngành kinh tế (VSIC)", 60), Col("Mã ngành", 9), Col("Sector (English)", 50)),
            [(f"{code} – {name_vi}", code, name_en) for code, name_vi, name_en in sectors],
            "sector",
            "Chọn ngành trong danh sách, hoặc chỉ ghi chữ cái của ngành (A–U).",
        ),
        _List(
            (Col("Loại hình sở hữu", 26), Col("Mã", 12), Col("Ownership (English)", 20)),
            [(vi, value.value, en) for value, (vi, en) in OWNERSHIP_LABELS.items()],
            "ownership",
            "Chọn loại hình sở hữu trong danh sách, hoặc để trống.",
        ),
        _List(
            (Col("Loại hình kinh doanh", 28), Col("Mã", 12), Col("Kind of business (English)", 26)),
            [(vi, value.value, en) for value, (vi, en) in KIND_LABELS.items()],
            "kind",
            "Chọn loại hình kinh doanh trong danh sách, hoặc để trống (doanh nghiệp).",
        ),
    ]


def _lists_sheet(workbook, lists: list[_List]) -> dict[str, str]:
    """The lists side by side, a blank column between them; each drop-down's range."""
    cols: list[Col] = []
    starts: list[int] = []
    for entry in lists:
        if cols:
            cols.append(Col("", 3))
        starts.append(len(cols) + 1)
        cols.extend(entry.cols)
    table = Table(workbook.create_sheet(LISTS_SHEET), cols, autofilter=False)
    for rows in zip_longest(*(entry.rows for entry in lists)):
        line: list = []
        for index, (entry, values) in enumerate(zip(lists, rows, strict=True)):
            if index:
                line.append(None)
            line.extend(values if values is not None else (None,) * len(entry.cols))
        table.row(line)
    ranges = {}
    for entry, start in zip(lists, starts, strict=True):
        letter = get_column_letter(start)
        ranges[entry.column] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(entry.rows) + 1}"
    return ranges


def _drop_down(sheet, column: str, source: str, warning: str) -> None:
    letter = get_column_letter(COLUMNS.index(column) + 1)
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="Giá trị ngoài danh sách",
        error=warning,
        showInputMessage=True,
        promptTitle=HEADERS[column][0][:32],
        prompt=warning,
    )
    validation.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
    sheet.add_data_validation(validation)


def template_workbook(session: Session) -> bytes:
    """The blank register: the register sheet (Vietnamese header, English in each header's
    note, one example row, drop-downs), the help, and the lists the drop-downs offer."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = REGISTER_SHEET
    # Typed as text, a tax code or phone number keeps its leading zero.
    as_text = ("tax_code", "contact_phone")
    register = Table(
        sheet,
        [Col(HEADERS[c][0], _WIDTHS[c], "@" if c in as_text else None) for c in COLUMNS],
        autofilter=False,
    )
    register.row([EXAMPLE[column] for column in COLUMNS])
    for column in as_text:
        sheet.column_dimensions[get_column_letter(COLUMNS.index(column) + 1)].number_format = "@"
    for index, column in enumerate(COLUMNS, 1):
        english = HEADERS[column][1]
        required = "required" if column in REQUIRED else "optional"
        note = f"{english} ({column}, {required}).\n{HELP[column][1]}"
        sheet.cell(row=1, column=index).comment = Comment(note, "Sở đăng ký", height=180, width=320)

    help_table = Table(
        workbook.create_sheet(HELP_SHEET),
        [
            Col("Cột", 26, wrap=True),
            Col("Column", 26, wrap=True),
            Col("Mã cột / code", 16),
            Col("Bắt buộc / required", 14, wrap=True),
            Col("Tiếng Việt", 70, wrap=True),
            Col("English", 70, wrap=True),
        ],
        autofilter=False,
    )
    for column in COLUMNS:
        vi, en = HELP[column]
        required = "có / yes" if column in REQUIRED else "không / no"
        help_table.row([HEADERS[column][0], HEADERS[column][1], column, required, vi, en])
    help_table.row([])
    for vi, en in HELP_NOTES:
        help_table.row([None, None, None, None, vi, en])

    lists = _lists(session)
    ranges = _lists_sheet(workbook, lists)
    for entry in lists:
        _drop_down(sheet, entry.column, ranges[entry.column], entry.warning)
    return save(workbook)


def error_report(errors: Sequence[RowError], header: Sequence[str] = ()) -> bytes:
    """A workbook of the bad rows, in the staff member's language, safe to open in Excel.

    With the file's ``header``, each row is the file's own (every column under its own
    header), then its row number and the problems; without it (a caller that has no
    file), the row number, the tax code and the problems.
    """
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Errors"))
    row_title, problem_title = _("Row in the file"), _("Problems")
    if header:
        width = len(header)
        cols = [Col(text, 20) for text in header] + [Col(row_title, 10), Col(problem_title, 90, wrap=True)]
        table = Table(sheet, cols)
        for error in errors:
            values = tuple(error.values[:width]) + (None,) * max(0, width - len(error.values))
            table.row([*values, error.row_number, error.message])
    else:
        table = Table(sheet, [Col(row_title, 10), Col(_("Tax code"), 18), Col(problem_title, 100, wrap=True)])
        for error in errors:
            table.row([error.row_number, error.tax_code, error.message])
    table.close()
    return save(workbook)
