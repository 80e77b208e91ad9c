"""Request bodies are capped per route: small everywhere, large only for the register upload.

A 25 MB form posted to an anonymous page once cost a worker 1.2 GB and 6.6 s; now
anything over ``MAX_CONTENT_LENGTH`` is refused with the app's own 413 page before it is
read. Only signed-in staff on an ``UPLOAD_ENDPOINTS`` route get the 25 MB cap.
"""

from __future__ import annotations

import os
import re
import zipfile
from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from survey.models import Role
from tests import factories
from tests.hardening.test_error_pages import assert_own_error_page
from tests.registry_import._support import row, workbook
from tests.staff.conftest import log_in, make_staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MB = 1024 * 1024


def padded_register(size: int) -> BytesIO:
    """A valid register workbook of about ``size`` bytes: one good row, and a part of
    random (incompressible) bytes that no reader looks at."""
    buffer = workbook([row()])
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_STORED) as book:
        book.writestr("xl/media/padding.bin", os.urandom(size))
    buffer.seek(0)
    return buffer


def in_memory(fields: dict) -> dict:
    """A multipart body encoded in memory, as ``client.post`` arguments: the test client
    spools a body over 500 KB to a temporary file that nobody closes."""
    stream, _length, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return {"data": stream.getvalue(), "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize("path", ["/start", "/language", "/staff/login", "/staff/register"])
def test_a_large_form_to_an_anonymous_route_is_refused_with_413(client, db, path):
    factories.wave(name="Khảo sát 2025")
    db.session.commit()
    token = client.csrf_token("/start")
    body = {"csrf_token": token, "tax_code": "0100109106", "consent": "y", "padding": "x" * MB}
    assert_own_error_page(client.post(path, data=body), 413, "vi")


def test_a_form_just_under_the_cap_is_read(app, client, db):
    """The cap is on the body, not on what is usual: 200 KB of form still reaches the view."""
    token = client.csrf_token("/")
    response = client.post("/language", data={"lang": "en", "csrf_token": token, "x": "y" * 200_000})
    assert response.status_code == 302


def test_a_multipart_body_to_an_anonymous_route_is_refused_with_413(client, db):
    response = client.post(
        "/staff/register",
        **in_memory({"file": FileStorage(BytesIO(os.urandom(MB)), "register.xlsx", content_type=XLSX)}),
    )
    assert_own_error_page(response, 413, "vi")


def test_the_register_upload_still_takes_a_file_of_several_megabytes(app, client, db):
    admin = make_staff(db, Role.ADMIN)
    assert log_in(client, admin.email).status_code == 302
    token = client.csrf_token("/staff/register")
    response = client.post(
        "/staff/register",
        **in_memory(
            {
                "csrf_token": token,
                "file": FileStorage(padded_register(4 * MB), "register.xlsx", content_type=XLSX),
            }
        ),
        follow_redirects=True,  # through the check's task page, which shows the preview
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:500]
    upload = re.search(r"/staff/register/([0-9a-f]{32})/confirm", page).group(1)
    # The preview's file is kept until confirmed: confirming removes it.
    client.post(f"/staff/register/{upload}/confirm", data={"csrf_token": token})


def test_other_staff_forms_keep_the_small_cap(app, client, db):
    """Signed in is not enough: only the upload route has the large cap."""
    admin = make_staff(db, Role.ADMIN)
    assert log_in(client, admin.email).status_code == 302
    token = client.csrf_token("/staff/")
    response = client.post("/language", data={"lang": "en", "csrf_token": token, "x": "y" * MB})
    assert_own_error_page(response, 413, "vi")


def test_the_413_page_is_translated(client, db):
    token = client.csrf_token("/")
    client.post("/language", data={"lang": "en", "csrf_token": token})
    response = client.post("/language", data={"lang": "vi", "csrf_token": token, "x": "y" * MB})
    assert_own_error_page(response, 413, "en")
