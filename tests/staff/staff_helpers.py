"""Shared helpers for the invitation and register tests: accounts, log-in, workbooks.

A plain module (not a conftest) so it can be imported explicitly where it is used.
"""

from __future__ import annotations

import itertools
import re
from io import BytesIO

from openpyxl import load_workbook

from survey.models import Role, StaffUser

PASSWORD = "a-long-test-password"
_serial = itertools.count(1)


def make_user(db, role: Role, email: str | None = None, password: str = PASSWORD) -> StaffUser:
    """An active staff account with ``role``, flushed so requests see it."""
    user = StaffUser(email=email or f"{role.value}-{next(_serial)}@helpers.staff.test", role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def login(client, email: str, password: str = PASSWORD):
    """Log ``client`` in through the form; returns the response to the POST."""
    token = client.csrf_token("/staff/login")
    return client.post("/staff/login", data={"email": email, "password": password, "csrf_token": token})


def logged_in(client, db, role: Role, email: str | None = None) -> StaffUser:
    """A fresh account with ``role``, with ``client`` logged in as it."""
    user = make_user(db, role, email)
    response = login(client, user.email)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return user


def staff_token(client, path: str = "/staff/") -> str:
    """A CSRF token from a staff page (every staff page carries one in its log-out form)."""
    return client.csrf_token(path)


def rows_of(data: bytes, sheet: str | None = None) -> list[tuple]:
    """The values of a workbook's first (or named) sheet."""
    book = load_workbook(BytesIO(data))
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
        return list(ws.iter_rows(values_only=True))
    finally:
        book.close()


def cells_of(data: bytes) -> list[list]:
    """The cells (not just values) of a workbook's first sheet, to check their types."""
    book = load_workbook(BytesIO(data))
    try:
        return [list(row) for row in book.worksheets[0].iter_rows()]
    finally:
        book.close()


def by_testid(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', page)
    assert match, f"no data-testid={testid!r} on the page"
    return match.group(1).strip()
