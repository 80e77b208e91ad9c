"""Importing the enterprise register through the staff pages: template, preview, confirm."""

from __future__ import annotations

import html
import os
import re
import stat
import time
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey import jobs
from survey.models import AuditEvent, Enterprise, JobState, Role, Task, TaskKind
from survey.models.base import utcnow
from survey.registry import importer
from survey.registry.importer import COLUMNS
from survey.registry.register_format import HEADERS
from tests import factories
from tests.registry_import._bombs import with_shared_strings
from tests.registry_import._support import row, workbook
from tests.staff.staff_helpers import logged_in, rows_of, staff_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_IN_FORM = re.compile(r'action="/staff/register/([0-9a-f]{32})/confirm"')


@pytest.fixture(autouse=True)
def no_stray_uploads(app):
    """Previews keep the file in the instance folder; remove what a test left behind."""
    folder = Path(app.instance_path) / "uploads"
    before = set(os.listdir(folder)) if folder.is_dir() else set()
    yield folder
    if folder.is_dir():
        for name in set(os.listdir(folder)) - before:
            (folder / name).unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the pages' messages in English (tests/registry_import/test_messages.py
    reads them in Vietnamese)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def uploads_in(folder: Path) -> set[str]:
    return set(os.listdir(folder)) if folder.is_dir() else set()


def enterprises(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Enterprise))


def imports(db) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).filter_by(action="register.imported")).all()


def upload(client, data: bytes | BytesIO, filename: str = "reg.xlsx", content_type: str = XLSX):
    token = staff_token(client, "/staff/register")
    stream = data if isinstance(data, BytesIO) else BytesIO(data)
    return client.post(
        "/staff/register",
        data={"csrf_token": token, "file": (stream, filename, content_type)},
        content_type="multipart/form-data",
        follow_redirects=True,  # the check is a task: its page shows the preview
    )


def preview_of(response) -> tuple[str, dict[str, int], str | None]:
    """(page, counts, upload id) of a preview page."""
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    page = response.get_data(as_text=True)
    counts = {k: int(v) for k, v in re.findall(r'data-count="(\w+)">\s*([\d.,]+)\s*<', page)}
    match = UPLOAD_IN_FORM.search(page)
    return page, counts, match.group(1) if match else None


def confirm(client, upload_id: str):
    return client.post(
        f"/staff/register/{upload_id}/confirm",
        data={"csrf_token": staff_token(client)},
        follow_redirects=True,
    )


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-\w+"[^>]*>(.*?)</p>', page, re.S)]


def test_the_template_downloads_with_the_documented_columns(client, db):
    logged_in(client, db, Role.ADMIN)
    response = client.get("/staff/register/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    assert "register-template.xlsx" in response.headers["Content-Disposition"]
    rows = rows_of(response.get_data(), "Register")
    assert rows[0] == tuple(HEADERS[c][1] for c in COLUMNS)
    # The help sheet explains every column, under its name and its code.
    documented = [r[1] for r in rows_of(response.get_data(), "Help")[1:]]
    assert set(COLUMNS) <= set(documented)


def test_a_good_file_is_previewed_without_writing_then_imported_on_confirm(client, db, no_stray_uploads):
    admin = logged_in(client, db, Role.ADMIN)
    existing = factories.enterprise(name="Tên cũ")
    new_codes = [factories.tax_code(), factories.tax_code()]
    rows = [row(tax_code=existing.tax_code, name="Tên mới")] + [row(tax_code=code) for code in new_codes]
    before = enterprises(db)

    page, counts, upload_id = preview_of(upload(client, workbook(rows)))

    assert counts == {"valid": 3, "errors": 0, "add": 2, "update": 1, "unchanged": 0}
    assert upload_id, "no confirm form on the preview"
    assert "errors.xlsx" not in page and "<caption>" not in page  # no error list for a clean file
    # Nothing written yet.
    assert enterprises(db) == before
    assert db.session.get(Enterprise, existing.id).name == "Tên cũ"
    assert imports(db) == []

    done = confirm(client, upload_id)

    # The import is a task: its page, once done, leads back to the register with the counts.
    assert done.status_code == 200 and done.request.path == "/staff/register"
    assert enterprises(db) == before + 2
    assert db.session.get(Enterprise, existing.id).name == "Tên mới"
    for code in new_codes:
        assert db.session.scalar(select(Enterprise.name).filter_by(tax_code=code)) == "Công ty TNHH Hải Âu"
    (event,) = imports(db)
    assert event.actor_id == admin.id
    assert event.details == {"added": 2, "updated": 1, "unchanged": 0, "skipped_rows": 0}
    messages = flashes(done.get_data(as_text=True))
    assert any("2" in m and "1" in m for m in messages), messages
    # The upload is gone: it cannot be imported twice.
    assert not (no_stray_uploads / f"{upload_id}.xlsx").exists()
    assert confirm(client, upload_id).status_code == 404
    assert len(imports(db)) == 1


def test_bad_rows_are_listed_downloadable_and_skipped(client, db):
    logged_in(client, db, Role.ADMIN)
    good = [factories.tax_code(), factories.tax_code()]
    bad_unit, no_name = factories.tax_code(), factories.tax_code()
    rows = [
        row(tax_code=good[0]),
        row(tax_code=bad_unit, unit="99999"),
        row(tax_code=no_name, name=""),
        row(tax_code=good[1]),
    ]
    before = enterprises(db)

    page, counts, upload_id = preview_of(upload(client, workbook(rows)))

    assert counts == {"valid": 2, "errors": 2, "add": 2, "update": 0, "unchanged": 0}
    assert enterprises(db) == before
    listed = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert [(int(n), code) for n, code, _ in listed] == [(3, bad_unit), (4, no_name)]
    assert "99999" in html.unescape(listed[0][2])
    assert "name is empty" in html.unescape(listed[1][2])

    report = client.get(f"/staff/register/{upload_id}/errors.xlsx")
    assert report.status_code == 200 and report.mimetype == XLSX
    assert "register-errors.xlsx" in report.headers["Content-Disposition"]
    errors = rows_of(report.get_data(), "Errors")
    # Each bad row as the file had it, under the file's own header, then where and why.
    assert errors[0] == (*COLUMNS, "Row in the file", "Problems")
    assert [(r[-2], r[0]) for r in errors[1:]] == [(3, bad_unit), (4, no_name)]
    assert errors[1][: len(COLUMNS)] == tuple(rows[1][: len(COLUMNS)])
    assert "99999" in errors[1][-1] and "name is empty" in errors[2][-1]

    assert confirm(client, upload_id).request.path == "/staff/register"
    assert enterprises(db) == before + 2
    stored = set(
        db.session.scalars(
            select(Enterprise.tax_code).where(Enterprise.tax_code.in_([*good, bad_unit, no_name]))
        )
    )
    assert stored == set(good)
    (event,) = imports(db)
    assert event.details == {"added": 2, "updated": 0, "unchanged": 0, "skipped_rows": 2}


@pytest.mark.parametrize(
    ("content", "filename", "content_type"),
    [
        (os.urandom(2048), "reg.xlsx", XLSX),
        ("tax_code,name,unit,sector\n0300000017,Công ty A,11311,C\n".encode(), "reg.csv", "text/csv"),
        (b"PK\x03\x04 not really a zip", "reg.xlsx", XLSX),
    ],
    ids=["random-bytes", "csv", "broken-zip"],
)
def test_a_file_that_is_not_xlsx_is_refused_with_a_clear_message(
    client, db, no_stray_uploads, content, filename, content_type
):
    logged_in(client, db, Role.ADMIN)
    before = enterprises(db)
    kept = uploads_in(no_stray_uploads)

    response = upload(client, content, filename, content_type)

    # Refused with the upload page itself, which says why, before anything is queued.
    assert response.status_code == 400
    messages = flashes(response.get_data(as_text=True))
    assert len(messages) == 1, messages
    (message,) = messages
    assert "not an Excel .xlsx file" in message
    # It speaks of the file the user chose, not of the server's name for the copy.
    assert not re.search(r"[0-9a-f]{32}", message), message
    assert filename in message or "the file" in message.lower(), message
    assert enterprises(db) == before
    assert imports(db) == []
    # The refused upload is not kept.
    assert uploads_in(no_stray_uploads) == kept


def test_a_workbook_without_the_register_columns_is_refused(client, db):
    logged_in(client, db, Role.ADMIN)
    before = enterprises(db)
    response = upload(client, workbook([["a", "b"]], header=["foo", "bar"]))
    assert response.status_code == 200 and response.request.path == "/staff/register"
    (message,) = flashes(response.get_data(as_text=True))
    assert "missing required column" in message
    assert enterprises(db) == before


def test_an_upload_without_a_file_is_sent_back(client, db):
    logged_in(client, db, Role.ADMIN)
    token = staff_token(client, "/staff/register")
    response = client.post("/staff/register", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert len(flashes(response.get_data(as_text=True))) == 1


@pytest.mark.parametrize(
    "upload_id",
    ["abc", "..%2F..%2Fetc%2Fpasswd", "..%2F..%2Fetc%2Fpasswd%00", "A" * 32, "0" * 31, "0" * 33, "0" * 32],
)
def test_upload_ids_other_than_our_own_are_not_found(client, db, upload_id):
    logged_in(client, db, Role.ADMIN)
    before = enterprises(db)
    assert client.get(f"/staff/register/{upload_id}/errors.xlsx").status_code == 404
    assert confirm(client, upload_id).status_code == 404
    assert enterprises(db) == before
    assert imports(db) == []


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER])
def test_only_admins_may_use_the_register_pages(app, client, db, role):
    # A real pending upload, made by an admin on another device.
    admin_device = app.test_client()
    logged_in(admin_device, db, Role.ADMIN)
    _, _, upload_id = preview_of(upload(admin_device, workbook([row()])))
    before = enterprises(db)

    logged_in(client, db, role)
    token = staff_token(client)
    assert client.get("/staff/register").status_code == 403
    assert client.get("/staff/register/template.xlsx").status_code == 403
    refused = client.post(
        "/staff/register",
        data={"csrf_token": token, "file": (workbook([row()]), "reg.xlsx", XLSX)},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    assert client.get(f"/staff/register/{upload_id}/errors.xlsx").status_code == 403
    assert client.post(f"/staff/register/{upload_id}/confirm", data={"csrf_token": token}).status_code == 403

    assert enterprises(db) == before
    assert imports(db) == []


def in_english(client) -> None:
    """The limit messages are translated; these tests read the English ones."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_a_zip_bomb_is_refused_with_its_reason_and_not_kept(client, db, no_stray_uploads):
    logged_in(client, db, Role.ADMIN)
    in_english(client)
    kept = uploads_in(no_stray_uploads)
    bomb = with_shared_strings(b"<si><t>s0000000</t></si>" * 1000 for _ in range(3000))

    response = upload(client, bomb)

    assert response.status_code == 400
    (message,) = flashes(response.get_data(as_text=True))
    assert "xl/sharedStrings.xml would be 69 MB (at most 50 MB)" in message
    assert uploads_in(no_stray_uploads) == kept
    assert imports(db) == []


def test_the_limits_come_from_the_settings(app, client, db, monkeypatch, no_stray_uploads):
    logged_in(client, db, Role.ADMIN)
    in_english(client)
    monkeypatch.setitem(app.config, "REGISTER_MAX_ROWS", 2)
    assert preview_of(upload(client, workbook([row(), row()])))[1]["valid"] == 2
    kept = uploads_in(no_stray_uploads)

    response = upload(client, workbook([row(), row(), row()]))

    assert response.status_code == 200 and response.request.path == "/staff/register"
    assert flashes(response.get_data(as_text=True)) == [
        "The first sheet has more than 2 rows of data. Split the register into files of at most 2 rows each."
    ]
    assert uploads_in(no_stray_uploads) == kept


def test_an_upload_whose_check_fails_unexpectedly_is_not_kept(client, db, monkeypatch, no_stray_uploads):
    logged_in(client, db, Role.ADMIN)
    in_english(client)
    kept = uploads_in(no_stray_uploads)

    def crash(*args, **kwargs):
        raise RuntimeError("a bug in the check")

    monkeypatch.setattr(importer, "read_register", crash)
    response = upload(client, workbook([row()]))
    # The task failed (its page says so, without the error's text) and the file is gone.
    page = response.get_data(as_text=True)
    assert 'data-state="failed"' in page and "a bug in the check" not in page
    task = db.session.scalar(select(Task))
    assert (task.state, task.error) == (JobState.FAILED, "RuntimeError: a bug in the check")
    assert uploads_in(no_stray_uploads) == kept


def test_a_check_whose_worker_died_is_run_again_by_the_sweep(app, client, db, no_stray_uploads):
    admin = logged_in(client, db, Role.ADMIN)
    in_english(client)
    name = "ab" * 16
    (no_stray_uploads / f"{name}.xlsx").write_bytes(workbook([row(), row(name="")]).getvalue())
    stale = utcnow() - timedelta(seconds=app.config["JOBS_STALE_SECONDS"] + 1)
    task = Task(
        kind=TaskKind.REGISTER_CHECK,
        params={"upload": name, "lang": "en"},
        requested_by_id=admin.id,
        state=JobState.RUNNING,
        attempts=1,
        worker="gone:1:1",
        heartbeat_at=stale,
        updated_at=stale,
    )
    db.session.add(task)
    db.session.commit()
    jobs.sweep(app)  # at a worker's start and each minute; inline, the check runs at once
    db.session.expire_all()
    assert (task.state, task.attempts) == (JobState.DONE, 2)
    page, counts, upload_id = preview_of(client.get(f"/staff/tasks/{task.id}"))
    assert (counts["valid"], counts["errors"], upload_id) == (1, 1, name)
    assert "name is empty" in page


def test_a_pending_upload_is_readable_by_the_app_user_only(app, client, db, no_stray_uploads):
    logged_in(client, db, Role.ADMIN)
    in_english(client)
    _, _, upload_id = preview_of(upload(client, workbook([row()])))
    assert stat.S_IMODE(os.stat(no_stray_uploads / f"{upload_id}.xlsx").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(no_stray_uploads).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(app.instance_path).st_mode) == 0o700


def test_stale_uploads_are_swept_when_the_register_page_opens(client, db, no_stray_uploads):
    logged_in(client, db, Role.ADMIN)
    in_english(client)
    _, _, fresh = preview_of(upload(client, workbook([row()])))
    stale = no_stray_uploads / f"{'0' * 32}.xlsx"
    stale.write_bytes(b"left by a worker that was killed")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))

    assert client.get("/staff/register").status_code == 200

    assert not stale.exists()
    assert (no_stray_uploads / f"{fresh}.xlsx").exists()


def test_an_upload_beyond_limits_lowered_since_its_check_is_refused_on_confirm(
    app, client, db, monkeypatch, no_stray_uploads
):
    logged_in(client, db, Role.ADMIN)
    in_english(client)
    _, _, upload_id = preview_of(upload(client, workbook([row(), row()])))
    monkeypatch.setitem(app.config, "REGISTER_MAX_ROWS", 1)

    response = confirm(client, upload_id)

    assert response.status_code == 200 and response.request.path == "/staff/register"
    (message,) = flashes(response.get_data(as_text=True))
    assert "more than 1 rows of data" in message
    assert not (no_stray_uploads / f"{upload_id}.xlsx").exists()
    assert imports(db) == []
