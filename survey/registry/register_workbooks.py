"""The register import's own workbooks: the template to start from and the error report.

Kept apart from the reading and writing of rows in survey.registry.importer. Every sheet
is a ``survey.spreadsheets.Table`` (bold frozen header, widths, safe cells).

The template is in the staff member's language (Vietnamese or English): the register
sheet's headers, each with a note on how to fill it in; a help sheet; a sheet of the
values the drop-downs offer (units, sectors, ownerships, kinds of business). Codes appear
only in the columns headed "… (mã)" / "… (code)" beside the names, never in the prose.
The words are the file format's own (survey.registry.register_format), not the message
catalogue's, and the importer reads either language's file, its names or its codes: a
drop-down warns rather than stops, since a code (11311, C) is accepted as well as the
listed name.
The error report is in the staff member's language: each bad row as the file had it,
every column under the file's own header, then its row number and what is wrong, so the
rows can be corrected in the report and the report imported again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest

import openpyxl
from flask import has_request_context
from flask_babel import get_locale
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import AdminUnit, Sector
from survey.registry.register_format import (
    COLUMNS,
    EXAMPLES,
    HEADERS,
    KIND_LABELS,
    LANGUAGES,
    OWNERSHIP_LABELS,
    REQUIRED,
    RowError,
    key,
)
from survey.registry.register_rows import _
from survey.spreadsheets import Col, Table, save

#: The sheets of the template (the Vietnamese one's); the importer reads the first,
#: whatever its name.
REGISTER_SHEET, HELP_SHEET, LISTS_SHEET = "Danh sách", "Hướng dẫn", "Danh mục"
#: Each language's sheet names: register, help, lists.
SHEETS = {"vi": (REGISTER_SHEET, HELP_SHEET, LISTS_SHEET), "en": ("Register", "Help", "Lists")}
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

#: column -> (Vietnamese, English); ``{lists}`` is the lists sheet's name.
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
        "Loại hình kinh doanh: chọn trong danh sách (xem trang {lists}). "
        "Để trống: doanh nghiệp với mã 10 chữ số, chi nhánh với mã 13 chữ số.",
        "Kind of business: choose from the list (see the {lists} sheet). "
        "Empty: an enterprise for a 10-digit code, a branch for a 13-digit one.",
    ),
    "name": (
        "Tên doanh nghiệp, hợp tác xã hoặc hộ kinh doanh (tối đa 300 ký tự).",
        "Name of the enterprise, cooperative or household business (up to 300 characters).",
    ),
    "unit": (
        "Đơn vị hành chính cấp xã (phường, xã, đặc khu) nơi đặt trụ sở: chọn trong danh sách "
        "(ví dụ Phường Hồng Bàng; xem trang {lists}) hoặc ghi mã đơn vị (ví dụ 11311).",
        "Commune-level unit (ward, commune or special zone) of the head office: choose its exact "
        "Vietnamese name from the list (e.g. Phường Hồng Bàng; see the {lists} sheet) or write the "
        "unit code (e.g. 11311).",
    ),
    "sector": (
        "Ngành kinh tế chính theo VSIC 2018 cấp 1: chọn trong danh sách (ví dụ C – Công nghiệp chế biến, "
        "chế tạo; xem trang {lists}) hoặc chỉ ghi chữ cái của ngành (A–U).",
        "Main line of business, a VSIC 2018 section: choose it from the list (e.g. C – Manufacturing; "
        "see the {lists} sheet) or write its letter alone (A–U).",
    ),
    "ownership": (
        "Loại hình sở hữu: chọn trong danh sách (xem trang {lists}). Có thể để trống.",
        "Ownership: choose from the list (see the {lists} sheet). May be left empty.",
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
        "Full name of the person to contact (up to 120 characters).",
    ),
    "contact_email": ("Thư điện tử của người liên hệ.", "E-mail address of the person to contact."),
    "contact_phone": (
        "Số điện thoại liên hệ (tối đa 30 ký tự); nhập dạng văn bản để giữ số 0 ở đầu.",
        "Telephone number to call (up to 30 characters); enter it as text so the leading zero stays.",
    ),
    "address": ("Địa chỉ trụ sở (tối đa 300 ký tự).", "Address of the head office (up to 300 characters)."),
}

#: The notes under the columns' help, (Vietnamese, English); ``{register}`` and ``{lists}``
#: are the sheets' names.
HELP_NOTES = (
    (
        "Dòng đầu tiên của trang {register} là tên cột (ghi chú ở mỗi tên cột cho biết cách ghi); "
        "mỗi dòng sau là một cơ sở kinh doanh. Xóa dòng ví dụ trước khi nhập.",
        "The first row of the {register} sheet names the columns (each name's note says how to fill "
        "it in); each row after it is one business. Delete the example row before importing.",
    ),
    (
        "Các giá trị hợp lệ của phường/xã/đặc khu, ngành, loại hình sở hữu và loại hình kinh doanh có ở "
        "trang {lists}; các cột đó có danh sách để chọn. Có thể ghi mã ở cột bên cạnh thay cho tên.",
        "The valid units, sectors, ownerships and kinds of business are on the {lists} sheet; those "
        "columns offer them in a drop-down list. The code in the column beside a name may be written "
        "instead of it.",
    ),
    (
        "Tên cột và giá trị trong danh sách có thể ghi bằng tiếng Việt hoặc tiếng Anh: tệp theo mẫu "
        "tiếng Anh cũng nhập được.",
        "Column names and listed values may be written in English or in Vietnamese: a file made from "
        "the Vietnamese template imports too.",
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

#: The template's other words, by language.
WORDS = {
    "vi": {
        "help": ("Cột", "Cột (mã)", "Bắt buộc", "Cách ghi"),
        "yes": "có",
        "no": "không",
        "required": "Bắt buộc.",
        "optional": "Không bắt buộc.",
        "author": "Mẫu sổ đăng ký",
        "unit": ("Phường/xã/đặc khu", "Đơn vị (mã)", "Đơn vị cấp huyện cũ"),
        "sector": ("Ngành kinh tế (VSIC)", "Ngành (mã)"),
        "ownership": ("Loại hình sở hữu", "Loại hình sở hữu (mã)"),
        "kind": ("Loại hình kinh doanh", "Loại hình kinh doanh (mã)"),
        "outside": "Giá trị ngoài danh sách",
        "unit_warning": "Chọn phường, xã hoặc đặc khu trong danh sách, hoặc ghi mã đơn vị (ví dụ 11311).",
        "sector_warning": "Chọn ngành trong danh sách, hoặc chỉ ghi chữ cái của ngành (A–U).",
        "ownership_warning": "Chọn loại hình sở hữu trong danh sách, hoặc để trống.",
        "kind_warning": "Chọn loại hình kinh doanh trong danh sách, hoặc để trống (doanh nghiệp).",
    },
    "en": {
        "help": ("Column", "Column (code)", "Required", "How to fill it in"),
        "yes": "yes",
        "no": "no",
        "required": "Required.",
        "optional": "Optional.",
        "author": "Register template",
        "unit": ("Ward, commune or special zone", "Unit (code)", "Former district"),
        "sector": ("Sector (VSIC section)", "Sector (code)"),
        "ownership": ("Ownership", "Ownership (code)"),
        "kind": ("Kind of business", "Kind (code)"),
        "outside": "Value not in the list",
        "unit_warning": "Choose a ward, commune or special zone from the list, or write its unit code "
        "(e.g. 11311).",
        "sector_warning": "Choose a sector from the list, or write its section letter alone (A–U).",
        "ownership_warning": "Choose an ownership from the list, or leave it empty.",
        "kind_warning": "Choose a kind of business from the list, or leave it empty (an enterprise).",
    },
}


def template_language(language: str | None = None) -> str:
    """``language`` if the template has it, else the request's (Vietnamese outside one)."""
    if language is None and has_request_context():
        language = str(get_locale() or "vi")
    return language if language in LANGUAGES else "vi"


@dataclass(frozen=True)
class _List:
    """One list of the lists sheet: its first column is what the drop-down offers."""

    cols: tuple[Col, ...]
    rows: list[tuple]
    #: The register column whose drop-down it feeds.
    column: str
    #: What the drop-down's warning says.
    warning: str


def _lists(session: Session, language: str) -> list[_List]:
    words, index = WORDS[language], LANGUAGES[language]
    units = sorted(
        session.execute(
            select(AdminUnit.name_vi, AdminUnit.code, AdminUnit.former_area).where(AdminUnit.active)
        ),
        key=lambda unit: (key(unit.name_vi), unit.code),
    )
    sectors = session.execute(select(Sector.code, Sector.name_vi, Sector.name_en).order_by(Sector.code))
    return [
        _List(
            tuple(Col(header, width) for header, width in zip(words["unit"], (30, 13, 30), strict=True)),
            [tuple(unit) for unit in units],
            "unit",
            words["unit_warning"],
        ),
        _List(
            tuple(Col(header, width) for header, width in zip(words["sector"], (60, 13), strict=True)),
            [(f"{code} – {names[index]}", code) for code, *names in sectors],
            "sector",
            words["sector_warning"],
        ),
        _List(
            tuple(Col(header, width) for header, width in zip(words["ownership"], (26, 24), strict=True)),
            [(names[index], value.value) for value, names in OWNERSHIP_LABELS.items()],
            "ownership",
            words["ownership_warning"],
        ),
        _List(
            tuple(Col(header, width) for header, width in zip(words["kind"], (28, 26), strict=True)),
            [(names[index], value.value) for value, names in KIND_LABELS.items()],
            "kind",
            words["kind_warning"],
        ),
    ]


def _lists_sheet(workbook, title: str, lists: list[_List]) -> dict[str, str]:
    """The lists side by side, a blank column between them; each drop-down's range."""
    cols: list[Col] = []
    starts: list[int] = []
    for entry in lists:
        if cols:
            cols.append(Col("", 3))
        starts.append(len(cols) + 1)
        cols.extend(entry.cols)
    table = Table(workbook.create_sheet(title), cols, autofilter=False)
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
        ranges[entry.column] = f"'{title}'!${letter}$2:${letter}${len(entry.rows) + 1}"
    return ranges


def _drop_down(sheet, column: str, source: str, warning: str, language: str) -> None:
    letter = get_column_letter(COLUMNS.index(column) + 1)
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle=WORDS[language]["outside"],
        error=warning,
        showInputMessage=True,
        promptTitle=HEADERS[column][LANGUAGES[language]][:32],
        prompt=warning,
    )
    validation.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
    sheet.add_data_validation(validation)


def template_workbook(session: Session, language: str | None = None) -> bytes:
    """The blank register in ``language`` (by default the request's, else Vietnamese): the
    register sheet (headers, each with a note on how to fill it in, one example row,
    drop-downs), the help, and the lists the drop-downs offer with their codes."""
    language = template_language(language)
    words, index = WORDS[language], LANGUAGES[language]
    register_title, help_title, lists_title = SHEETS[language]
    names = {"register": register_title, "lists": lists_title}
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = register_title
    # Typed as text, a tax code or phone number keeps its leading zero.
    as_text = ("tax_code", "contact_phone")
    register = Table(
        sheet,
        [Col(HEADERS[c][index], _WIDTHS[c], "@" if c in as_text else None) for c in COLUMNS],
        autofilter=False,
    )
    example = EXAMPLES[language]
    register.row([example[column] for column in COLUMNS])
    for column in as_text:
        sheet.column_dimensions[get_column_letter(COLUMNS.index(column) + 1)].number_format = "@"
    for number, column in enumerate(COLUMNS, 1):
        required = words["required"] if column in REQUIRED else words["optional"]
        note = f"{HELP[column][index].format(**names)}\n{required}"
        sheet.cell(row=1, column=number).comment = Comment(note, words["author"], height=180, width=320)

    help_table = Table(
        workbook.create_sheet(help_title),
        [Col(header, width, wrap=wrap) for header, width, wrap in
         zip(words["help"], (28, 18, 10, 90), (True, False, False, True), strict=True)],
        autofilter=False,
    )  # fmt: skip
    for column in COLUMNS:
        required = words["yes"] if column in REQUIRED else words["no"]
        help_table.row([HEADERS[column][index], column, required, HELP[column][index].format(**names)])
    help_table.row([])
    for note in HELP_NOTES:
        help_table.row([None, None, None, note[index].format(**names)])

    lists = _lists(session, language)
    ranges = _lists_sheet(workbook, lists_title, lists)
    for entry in lists:
        _drop_down(sheet, entry.column, ranges[entry.column], entry.warning, language)
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
