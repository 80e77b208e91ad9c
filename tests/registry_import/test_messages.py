"""The register import speaks the staff member's language: a refused file (the .csv
refusal among them), each bad row's problems and the error report are in Vietnamese on
a Vietnamese page and in English on an English one; the logs and the command line keep
English."""

from __future__ import annotations

import html
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from survey.models import Role
from survey.registry.importer import COLUMNS, EXAMPLE, RegisterFileError
from survey.registry.register_format import HEADERS
from tests import factories
from tests.registry_import._support import row, workbook
from tests.staff.staff_helpers import logged_in, staff_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD = re.compile(r"/staff/register/([0-9a-f]{32})/errors.xlsx")


@pytest.fixture(autouse=True)
def no_stray_uploads(app):
    from pathlib import Path

    folder = Path(app.instance_path) / "uploads"
    before = set(folder.iterdir()) if folder.is_dir() else set()
    yield
    if folder.is_dir():
        for path in set(folder.iterdir()) - before:
            path.unlink(missing_ok=True)


def upload(client, data: BytesIO | bytes, filename: str = "so-dang-ky.xlsx", content_type: str = XLSX):
    token = staff_token(client, "/staff/register")
    stream = data if isinstance(data, BytesIO) else BytesIO(data)
    return client.post(
        "/staff/register",
        data={"csrf_token": token, "file": (stream, filename, content_type)},
        content_type="multipart/form-data",
        follow_redirects=True,  # the check is a task: its page shows the preview or the refusal
    )


def flashes(response) -> list[str]:
    page = response.get_data(as_text=True)
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-\w+"[^>]*>(.*?)</p>', page, re.S)]


def in_english(client) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


CSV = "tax_code,name,unit,sector\n0300000017,Công ty A,11311,C\n".encode()


def test_a_csv_file_is_refused_in_vietnamese_on_a_vietnamese_page(client, db):
    logged_in(client, db, Role.ADMIN)
    response = upload(client, CSV, "so-dang-ky.csv", "text/csv")
    assert response.status_code == 400
    assert flashes(response) == [
        "'so-dang-ky.csv' không phải tệp Excel .xlsx mà là tệp văn bản CSV: hãy mở tệp bằng Excel, "
        "lưu thành bảng tính Excel (.xlsx) rồi tải tệp đó lên."
    ]


def test_a_csv_file_is_refused_in_english_on_an_english_page(client, db):
    logged_in(client, db, Role.ADMIN)
    in_english(client)
    response = upload(client, CSV, "so-dang-ky.csv", "text/csv")
    assert flashes(response) == [
        "'so-dang-ky.csv' is not an Excel .xlsx file but a CSV text file: open it in Excel, save it "
        "as an Excel workbook (.xlsx) and upload that."
    ]


def test_a_file_without_the_required_columns_is_refused_in_vietnamese(client, db):
    logged_in(client, db, Role.ADMIN)
    response = upload(client, workbook([["0300000017", "A"]], header=["Mã số thuế", "Tên"]))
    (message,) = flashes(response)
    assert message.startswith(
        "thiếu (các) cột bắt buộc: 'Phường/xã/đặc khu' (unit), 'Ngành kinh tế (VSIC)' (sector)"
    )


def test_the_english_stays_in_the_exception_for_the_logs(db):
    error = RegisterFileError("'%(name)s' has no worksheet", name="a.xlsx")
    assert str(error) == "'a.xlsx' has no worksheet"


def _template_rows(rows: list[dict]) -> BytesIO:
    """A register file with the template's Vietnamese headers."""
    return workbook(
        [[{**EXAMPLE, **values}[c] for c in COLUMNS] for values in rows],
        header=[HEADERS[c][0] for c in COLUMNS],
    )


def test_bad_rows_and_their_report_are_in_vietnamese(client, db):
    logged_in(client, db, Role.ADMIN)
    good = factories.tax_code()
    bad = factories.tax_code()
    source = _template_rows(
        [
            {"tax_code": good},
            {"tax_code": bad, "name": "", "revenue_bn_vnd": "1.500", "ownership": "công"},
        ]
    )

    preview = upload(client, source)

    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    text = html.unescape(preview.get_data(as_text=True))
    (listed,) = re.findall(r"<tr><td>3</td><td>[^<]*</td><td>([^<]*)</td></tr>", text)
    assert listed == (
        "Tên cơ sở kinh doanh đang để trống; "
        # The choices as the template's drop-down offers them, without their codes.
        "Loại hình sở hữu 'công' không thuộc các giá trị: 'Ngoài nhà nước', 'Nhà nước', "
        "'Có vốn đầu tư nước ngoài', 'Hợp tác xã', 'Hộ kinh doanh'; "
        "Doanh thu (tỷ đồng) '1.500' có thể hiểu là 1,5 hoặc 1500 tỷ đồng: hãy nhập đúng giá trị bạn muốn"
    )

    upload_id = UPLOAD.search(text).group(1)
    report = client.get(f"/staff/register/{upload_id}/errors.xlsx")
    book = load_workbook(BytesIO(report.get_data()))
    assert book.sheetnames == ["Lỗi"]
    lines = list(book["Lỗi"].iter_rows(values_only=True))
    assert lines[0] == (*(HEADERS[c][0] for c in COLUMNS), "Dòng trong tệp", "Lỗi phát hiện")
    (line,) = lines[1:]
    assert line[0] == bad and line[1] is None and line[6] == "1.500" and line[-2] == 3
    assert line[-1] == listed
    book.close()


def test_bad_rows_and_their_report_are_in_english_on_an_english_page(client, db):
    logged_in(client, db, Role.ADMIN)
    in_english(client)
    preview = upload(
        client, _template_rows([{"tax_code": factories.tax_code(), "unit": "99999", "ownership": "public"}])
    )
    text = html.unescape(preview.get_data(as_text=True))
    assert "Phường/xã/đặc khu '99999' is not a commune-level unit of the city" in text
    # The choices in English, as the English template's drop-down offers them.
    assert (
        "Loại hình sở hữu 'public' is not one of 'Private domestic', 'State-owned', 'Foreign-invested', "
        "'Cooperative', 'Household business'"
    ) in text
    upload_id = UPLOAD.search(text).group(1)
    book = load_workbook(BytesIO(client.get(f"/staff/register/{upload_id}/errors.xlsx").get_data()))
    header = next(book["Errors"].iter_rows(values_only=True))
    assert header[-2:] == ("Row in the file", "Problems")
    book.close()


def test_the_limit_messages_stay_translated(client, db, app, monkeypatch):
    logged_in(client, db, Role.ADMIN)
    monkeypatch.setitem(app.config, "REGISTER_MAX_ROWS", 1)
    (message,) = flashes(upload(client, workbook([row(), row()])))
    assert "1" in message and "more than" not in message
