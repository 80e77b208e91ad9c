"""Stored XSS and spreadsheet formula injection, end to end through the real forms.

Every free-text field that a respondent, a staff member or a register file can fill is
given a hostile value through the HTTP forms (the field under test is never written to
the database directly), then every page that shows it is read back and parsed, and
every export that carries it is opened with openpyxl. The proof is twofold for each
page: the value *is* shown (so the page really displays the field) and it made no
markup (no element, event-handler attribute or ``javascript:`` link of its own). For
each export: the cell is a string, and text a spreadsheet would run as a formula (or
read as an error value) is neutralised exactly as ``survey.spreadsheets.safe_cell``
promises: a leading single quote, nothing else changed.

Fields that can hold no markup are left out on purpose: the respondent's phone
(digits, spaces and ``+ . ( ) -`` only), e-mail addresses (validated; the payloads an
address *can* carry are tested in ``test_hostile_email_addresses_…``) and the answers
(only the framework's option codes are accepted). The register's ``address`` column is
stored but shown on no page and in no export; it is imported with a payload anyway.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import ERROR_CODES
from sqlalchemy import select

from survey.models import Enterprise, Invitation, Response, Role, Wave
from survey.spreadsheets import FORMULA_TRIGGERS
from tests import factories
from tests.registry_import._support import row, workbook
from tests.respondent import helpers
from tests.staff.conftest import log_in, make_staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")

#: Markup payloads: each tries another context (element, attribute, URL, RCDATA, template).
HTML_PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": '"><img src=x onerror=alert(1)>',
    "single-quote-attr": "'onmouseover='alert(1)",
    "javascript-url": "javascript:alert(1)",
    "textarea-breakout": "</textarea><svg onload=alert(1)>",
    "template": "{{7*7}}",
}
#: Spreadsheet payloads: each would run (or be read) as a formula if written as it is.
FORMULA_PAYLOADS = {
    "hyperlink": '=HYPERLINK("http://evil","x")',
    "dde": "=cmd|' /C calc'!A0",
    "at": "@SUM(1+1)",
    "plus": "+1+1",
    "minus": "-1+1",
    "tab": "\t=1+1",
    "carriage-return": "\r=1+1",
}
PAYLOADS = {**HTML_PAYLOADS, **FORMULA_PAYLOADS}

#: Characters that must never reach the HTML unescaped when a user typed them.
MARKUP = set("<>\"'&")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


# --- reading pages ---------------------------------------------------------------------


class _Scan(HTMLParser):
    """Every start tag with its attributes, and every text node and attribute value."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self.texts.extend(value for _, value in attrs if value)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.texts.append(data)
        # The audit log and a response's history show details as JSON (``tojson``, which
        # writes < > & ' as \\u escapes): read their strings as a person would see them.
        if data.lstrip().startswith("{"):
            with contextlib.suppress(ValueError):
                self.texts.extend(_strings(json.loads(data)))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def markup_problems(html: str, payload: str, values: list[str] = ()) -> list[str]:
    """What ``payload`` could have injected into ``html``: elements, handlers, links, 49.

    ``values`` are the whole strings typed (the payload within them): a template payload
    must come out as typed, never evaluated.
    """
    scan = _Scan()
    scan.feed(html)
    scan.close()
    problems = []
    for tag, attrs in scan.tags:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            problems.append("an inline <script> element")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"an event handler attribute {name}= on <{tag}>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                problems.append(f"a javascript: URL in {name}= on <{tag}>")
    stripped = payload.strip()
    if MARKUP & set(stripped) and stripped in html:
        problems.append("the payload unescaped in the HTML source")
    for value in values or [payload]:
        if "{{7*7}}" in value and value.strip().replace("{{7*7}}", "49") in html:
            problems.append("the template payload evaluated (49)")
    return problems


def shown_texts(html: str) -> list[str]:
    scan = _Scan()
    scan.feed(html)
    scan.close()
    return scan.texts


# --- the world: a wave, a register, a respondent and staff work, all through forms ----


#: The free-text fields filled in each world, as ``build_world`` types them: the wave's
#: name; the register's firm name, contact, phone and address, and a bad row's tax code
#: and unit (echoed by the preview's error list and the error report); the respondent's
#: firm name and contact person; a note, and one too long (refused, shown again in its
#: textarea); the reasons to flag, reject and reopen; a correction's firm name and
#: reason; and what a stranger typed as e-mail on the log-in page.
FIELDS = (
    "wave",
    "regname",
    "regcontact",
    "regphone",
    "address",
    "taxcode",
    "unit",
    "firm",
    "contact",
    "note",
    "longnote",
    "flag",
    "reject",
    "reopen",
    "corrected",
    "correction",
    "login",
)


def tagged(payload: str) -> dict[str, str]:
    """The payload marked with the field it goes into, so each field is found on its own."""
    typed = {name: f"{payload}#{name}" for name in FIELDS}
    if len(typed["regphone"].strip()) > 30:  # the register's limit for a phone number
        typed["regphone"] = f"{payload.strip()[:24]}#phone"
    return typed


def local_input(value: datetime) -> str:
    return value.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M")


@dataclass
class World:
    payload: str
    wave: Wave
    response: Response
    register_firm: Enterprise
    #: The values typed into each field, by field name.
    typed: dict[str, str]
    #: Pages already fetched while building (POST results, respondent pages): url -> (status, html).
    pages: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: Workbooks produced through the routes: name -> bytes.
    workbooks: dict[str, bytes] = field(default_factory=dict)


def _post(client, path: str, data: dict, token: str):
    return client.post(path, data={"csrf_token": token, **data})


def _download(client, response) -> bytes:
    """Follow an export request to its job page and download the finished workbook."""
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-testid="download"', page)
    assert link, "the export did not finish: " + page[:500]
    file = client.get(link.group(1))
    assert file.status_code == 200 and file.mimetype == XLSX
    data = file.data
    file.close()
    return data


def build_world(app, client, db, framework_version, payload: str, typed: dict[str, str]) -> World:
    """Fill every free-text field with its ``typed`` value through the forms.

    ``payload`` is what all the values share; it also makes the register's e-mail
    address when it can be one.
    """
    admin = make_staff(db, Role.ADMIN)
    assert log_in(client, admin.email).status_code == 302
    # One session, one CSRF token: it stays valid for every form of this session.
    token = client.csrf_token("/staff/")
    pages: dict[str, tuple[int, str]] = {}

    # A wave, created and opened by an administrator.
    now = datetime.now(LOCAL)
    created = _post(
        client,
        "/staff/waves/new",
        {
            "name": typed["wave"],
            "year": "2025",
            "framework_version_id": str(factories.framework_version(2).id),
            "opens_at": local_input(now - timedelta(days=1)),
            "closes_at": local_input(now + timedelta(days=30)),
            "kinds": ["enterprise", "household"],
        },
        token,
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    wave = db.session.scalars(select(Wave).filter_by(name=typed["wave"].strip())).one()
    assert _post(client, f"/staff/waves/{wave.id}/open", {}, token).status_code == 302

    # The register: one good row full of payloads, one bad row whose errors echo them.
    tax_code = factories.tax_code()
    email_ok = re.fullmatch(r"[^@\s]+", payload.strip()) is not None
    rows = [
        row(
            tax_code=tax_code,
            name=typed["regname"],
            contact_name=typed["regcontact"],
            contact_email=f"{payload.strip()}@reg.example.vn" if email_ok else "reg@example.vn",
            contact_phone=typed["regphone"],
            address=typed["address"],
        ),
        row(tax_code=typed["taxcode"], unit=typed["unit"]),
    ]
    preview = client.post(
        "/staff/register",
        data={"csrf_token": token, "file": (workbook(rows), "register.xlsx", XLSX)},
        content_type="multipart/form-data",
        follow_redirects=True,  # through the check's task page, which shows the preview
    )
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    pages["register preview"] = (preview.status_code, preview.get_data(as_text=True))
    upload = re.search(r'action="/staff/register/([0-9a-f]{32})/confirm"', pages["register preview"][1])
    assert upload, "no confirm form on the register preview"
    errors = client.get(f"/staff/register/{upload.group(1)}/errors.xlsx")
    assert errors.status_code == 200
    workbooks = {"register errors": errors.data}
    errors.close()
    assert _post(client, f"/staff/register/{upload.group(1)}/confirm", {}, token).status_code == 303
    register_firm = db.session.scalars(select(Enterprise).filter_by(tax_code=tax_code)).one()

    # The respondent: starts for the register firm, sees its name pre-filled, types over it.
    respondent = app.test_client()
    answer_token = respondent.csrf_token("/start")
    started = respondent.post(
        "/start", data={"tax_code": tax_code, "consent": "y", "csrf_token": answer_token}
    )
    assert started.status_code == 302, started.get_data(as_text=True)[:2000]
    pages["/firm (pre-filled from the register)"] = _fetch(respondent, "/firm")
    saved = respondent.post(
        "/firm",
        data={
            **helpers.firm_data(firm_name=typed["firm"], contact_name=typed["contact"]),
            "csrf_token": answer_token,
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    pages["/firm (saved)"] = _fetch(respondent, "/firm")
    helpers.complete(respondent, framework=helpers.V2)
    pages["/review"] = _fetch(respondent, "/review")
    assert helpers.submit(respondent).status_code == 303
    pages["/result"] = _fetch(respondent, "/result")
    response = db.session.scalars(select(Response).filter_by(wave_id=wave.id)).one()

    # A stranger's failed log-in: what they typed as e-mail goes to the audit log.
    failed = log_in(app.test_client(), typed["login"], "wrong-password-here")
    assert failed.status_code == 401
    pages["/staff/login (failed)"] = (failed.status_code, failed.get_data(as_text=True))

    # Staff work on the response: a note, a too-long note, flag, reject, reopen, correct.
    # (The version a form would carry in its hidden field is read from the database.)
    detail = f"/staff/responses/{response.id}"
    assert _post(client, f"{detail}/notes", {"text": typed["note"]}, token).status_code == 303
    refused = _post(client, f"{detail}/notes", {"text": typed["longnote"] + "x" * 2001}, token)
    assert refused.status_code == 400
    pages["refused note (textarea)"] = (refused.status_code, refused.get_data(as_text=True))
    for decision, reason in (("flagged", "flag"), ("rejected", "reject"), ("pending", "reopen")):
        db.session.refresh(response)
        reviewed = _post(
            client,
            f"{detail}/review",
            {"decision": decision, "reason": typed[reason], "version_id": str(response.version_id)},
            token,
        )
        assert reviewed.status_code == 303, reviewed.get_data(as_text=True)[:2000]
    db.session.refresh(response)
    corrected = _post(
        client,
        f"{detail}/correct",
        {
            "firm_name": typed["corrected"],
            "unit_id": str(response.unit_id),
            "sector_code": response.sector_code,
            "ownership": response.ownership.value,
            "employees": str(response.employees),
            "revenue_vnd": str(response.revenue_vnd),
            "capital_vnd": "",
            "reason": typed["correction"],
            "version_id": str(response.version_id),
        },
        token,
    )
    assert corrected.status_code == 303, corrected.get_data(as_text=True)[:2000]

    # Invitations: issue (the mail-merge workbook), then reissue one link. The register's
    # firm has submitted by now: links for firms that did are asked for.
    issued = _post(client, f"/staff/invitations/{wave.id}/issue", {"include_submitted": "1"}, token)
    assert issued.status_code == 200 and issued.mimetype == XLSX
    workbooks["invitations"] = issued.data
    invitation = db.session.scalars(select(Invitation).filter_by(enterprise_id=register_firm.id)).one()
    reissued = _post(client, f"/staff/invitations/link/{invitation.id}/reissue", {}, token)
    assert reissued.status_code == 200
    pages["reissued link"] = (reissued.status_code, reissued.get_data(as_text=True))

    # Both dashboard exports.
    for kind in ("responses", "summary"):
        fields = {"wave": str(wave.id), "kind": kind, "labels": "codes", "lang": "vi"}
        workbooks[kind] = _download(client, _post(client, "/staff/exports", fields, token))

    db.session.refresh(response)
    return World(payload, wave, response, register_firm, typed, pages, workbooks)


def _fetch(client, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


@pytest.fixture
def clean_uploads(app):
    """A register preview keeps its file until confirmed; remove any a failure left behind."""
    folder = Path(app.instance_path) / "uploads"
    before = set(os.listdir(folder)) if folder.is_dir() else set()
    yield
    if folder.is_dir():
        for name in set(os.listdir(folder)) - before:
            (folder / name).unlink(missing_ok=True)


def staff_pages(world: World) -> dict[str, tuple[str, list[str]]]:
    """Staff pages to read back: label -> (url, the fields each must show)."""
    wave, response, typed = world.wave, world.response, world.typed
    return {
        "overview": ("/staff/", ["wave"]),
        "waves": ("/staff/waves", ["wave"]),
        "edit wave": (f"/staff/waves/{wave.id}/edit", ["wave"]),
        "responses, searched": (
            f"/staff/responses?wave={wave.id}&q={quote(typed['corrected'].strip())}",
            ["corrected", "wave"],
        ),
        "response detail": (
            f"/staff/responses/{response.id}",
            ["corrected", "wave", "reopen", "contact", "note", "firm", "flag", "reject", "correction"],
        ),
        "audit log": (
            "/staff/audit",
            ["wave", "note", "flag", "reject", "reopen", "firm", "corrected", "correction", "login"],
        ),
        "dashboard": (f"/staff/dashboard?wave={wave.id}", ["wave"]),
        "invitations": (f"/staff/invitations?wave={wave.id}", ["regname", "wave"]),
        "my exports": ("/staff/exports", ["wave"]),
    }


#: Pages fetched while building, and the fields each must show.
BUILT_PAGES = {
    "register preview": ["taxcode", "unit"],
    "/firm (pre-filled from the register)": ["regname"],
    "/firm (saved)": ["firm", "contact"],
    "/review": ["firm", "contact"],
    "/result": ["firm", "wave"],
    "/staff/login (failed)": ["login"],
    "refused note (textarea)": ["longnote"],
    "reissued link": ["regname"],
}
PUBLIC_PAGES = {"/": ["wave"], "/start": ["wave"], "/summary": ["wave"]}


def page_problems(label: str, html: str, payload: str, typed: list[str], shown: dict[str, str]) -> list[str]:
    """Markup ``payload`` made on the page, and which of the ``shown`` values it lacks."""
    problems = [f"{label}: {p}" for p in markup_problems(html, payload, typed)]
    texts = shown_texts(html)
    for name, value in shown.items():
        if not any(value in text for text in texts):
            problems.append(f"{label}: the {name} field is not shown")
    return problems


def check_page(label: str, html: str, world: World, fields: list[str]) -> list[str]:
    shown = {name: world.typed[name].strip() for name in fields}
    if label == "audit log":  # a failed log-in's e-mail is recorded in lower case
        shown["login"] = shown["login"].lower()
    return page_problems(label, html, world.payload, list(world.typed.values()), shown)


# --- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_payloads_are_escaped_on_every_page_and_inert_in_every_export(
    app, client, db, framework_version, clean_uploads, payload
):
    """One hostile value per field, typed through the forms, read back everywhere.

    Problems are collected and reported together, so a failure names every page and
    field at once rather than the first one only.
    """
    world = build_world(app, client, db, framework_version, payload, tagged(payload))
    problems: list[str] = []

    for label, fields in BUILT_PAGES.items():
        status, html = world.pages[label]
        problems += check_page(label, html, world, fields)
    for label, (url, fields) in staff_pages(world).items():
        status, html = _fetch(client, url)
        assert status == 200, f"{label} ({url}): {status}"
        problems += check_page(label, html, world, fields)
    job_page = re.search(r'href="(/staff/exports/\d+)"', _fetch(client, "/staff/exports")[1])
    problems += check_page("export job", _fetch(client, job_page.group(1))[1], world, ["wave"])
    visitor = app.test_client()
    for url, fields in PUBLIC_PAGES.items():
        status, html = _fetch(visitor, url)
        assert status == 200, f"{url}: {status}"
        problems += check_page(url, html, world, fields)

    problems += export_problems(world)
    assert not problems, "\n".join(problems)


# --- exports ---------------------------------------------------------------------------------


def neutralised(stored: str) -> str:
    """What ``safe_cell`` makes of text: a leading ' if a spreadsheet would run it or read
    it as an error value (``#N/A``); anything else exactly as stored."""
    return "'" + stored if stored.startswith(FORMULA_TRIGGERS) or stored in ERROR_CODES else stored


def _rows(book, sheet: str | None = None) -> list[list]:
    ws = book[sheet] if sheet else book.worksheets[0]
    return [list(line) for line in ws.iter_rows()]


def _by_header(cells: list[list], key_column: str, key) -> dict:
    header = [c.value for c in cells[0]]
    for line in cells[1:]:
        record = dict(zip(header, line, strict=False))
        if record[key_column].value == key:
            return record
    raise AssertionError(f"no row with {key_column} = {key!r}")


def _expect(label: str, cell, stored: str) -> list[str]:
    problems = []
    if cell.data_type != "s":
        problems.append(f"{label}: stored as type {cell.data_type!r}, not as a string")
    if cell.value != neutralised(stored):
        problems.append(f"{label}: {cell.value!r}, expected {neutralised(stored)!r}")
    return problems


def export_problems(world: World) -> list[str]:
    """Each export's cells holding a payload: strings, neutralised exactly as safe_cell does."""
    response, firm, wave = world.response, world.register_firm, world.wave
    books = {name: load_workbook(BytesIO(data)) for name, data in world.workbooks.items()}
    try:
        return _export_problems(world, books, response, firm, wave)
    finally:
        for book in books.values():
            book.close()


def _export_problems(world: World, books: dict, response, firm, wave) -> list[str]:
    problems: list[str] = []
    record = _by_header(_rows(books["responses"], "Responses"), "response_id", response.id)
    for column, stored in (
        ("firm_name", response.firm_name),
        ("register_name", firm.name),
        ("contact_name", response.contact_name),
        ("review_reason", response.review_reason),
    ):
        problems += _expect(f"responses workbook, {column}", record[column], stored)
    about = {line[0].value: line[1] for line in _rows(books["responses"], "About")[1:]}
    problems += _expect("responses workbook, About wave_name", about["wave_name"], wave.name)

    overview = _rows(books["summary"], "Overview")
    problems += _expect(
        "summary workbook, Overview wave", overview[1][1], f"{wave.name} ({wave.year}, id {wave.id})"
    )

    record = _by_header(_rows(books["invitations"]), "tax_code", firm.tax_code)
    for column in ("name", "contact_name", "contact_email", "contact_phone"):
        problems += _expect(f"invitations workbook, {column}", record[column], getattr(firm, column))

    # The report is the file's own columns (under its header, here the column codes) as
    # typed, then the row's number and its problems.
    report = _rows(books["register errors"])
    (bad,) = report[1:]
    typed_code = world.typed["taxcode"].strip()
    as_typed = dict(zip([c.value for c in report[0]], bad, strict=True))
    # Exactly as in the file (spaces, tabs and line breaks around it too), neutralised.
    problems += _expect("register errors, tax_code", as_typed["tax_code"], world.typed["taxcode"])
    problems += _expect("register errors, unit", as_typed["unit"], world.typed["unit"])
    error = bad[-1]
    if error.data_type != "s" or typed_code not in error.value:
        problems.append(f"register errors, error: {error.value!r} ({error.data_type})")

    # Belt and braces: no cell anywhere that carries a tagged payload is anything but text.
    for name, book in books.items():
        for ws in book.worksheets:
            for line in ws.iter_rows():
                for cell in line:
                    if isinstance(cell.value, str) and "#" in cell.value and cell.data_type != "s":
                        problems.append(f"{name} {ws.title}!{cell.coordinate}: type {cell.data_type}")
    return problems


#: Text a spreadsheet reads as an error value rather than as text.
ERROR_VALUES = ("#N/A", "#REF!", "#NUM!", "#DIV/0!", "#VALUE!", "#NULL!", "#NAME?")


def test_error_values_typed_as_text_stay_text_in_every_export(
    app, client, db, framework_version, clean_uploads
):
    """A firm called "#N/A" is a name, not Excel's error value: every workbook keeps it text.

    Each field gets one of the error values (in turn); pages are checked as for the
    other payloads, exports cell by cell.
    """
    typed = {name: ERROR_VALUES[index % len(ERROR_VALUES)] for index, name in enumerate(FIELDS)}
    typed["wave"] = "#NAME?"
    world = build_world(app, client, db, framework_version, "#N/A", typed)
    assert world.register_firm.name in ERROR_VALUES and world.response.firm_name in ERROR_VALUES
    problems = export_problems(world)
    assert not problems, "\n".join(problems)


# --- e-mail addresses --------------------------------------------------------------------

#: Addresses the e-mail validator accepts although they carry markup or formula characters.
EMAIL_PAYLOADS = {
    "single-quote-attr": "'onmouseover='alert1'@example.org",
    "template": "{{7*7}}@example.org",
    "dde": "=cmd|calc@example.org",
    "plus": "+1+1@example.org",
    "minus": "-1@example.org",
}
NEW_PASSWORD = "another-long-test-pass"


@pytest.mark.parametrize("payload", EMAIL_PAYLOADS.values(), ids=EMAIL_PAYLOADS.keys())
def test_hostile_email_addresses_are_escaped_and_inert(app, client, db, payload):
    """E-mail fields are validated, yet a valid address may hold ' { } = + - |.

    The address is typed as a respondent's contact e-mail and as a new staff account
    (created by an administrator, then used to log in, write a note and export), and
    read back wherever an address is shown: accounts, audit log, the staff menu, a
    note's author, a response's history and contacts, and the export's cells.
    """
    factories.wave(name="Khảo sát 2025")
    db.session.commit()
    respondent = app.test_client()
    token = respondent.csrf_token("/start")
    started = respondent.post(
        "/start", data={"tax_code": factories.tax_code(), "consent": "y", "csrf_token": token}
    )
    assert started.status_code == 302
    phone = "+84 912 345 678"
    firm = helpers.firm_data(contact_email=payload, contact_phone=phone)
    assert respondent.post("/firm", data={**firm, "csrf_token": token}).status_code == 302
    response = db.session.scalars(select(Response)).one()
    assert response.contact_email == payload

    admin = make_staff(db, Role.ADMIN)
    assert log_in(client, admin.email).status_code == 302
    token = client.csrf_token("/staff/")
    created = client.post("/staff/users", data={"csrf_token": token, "email": payload, "role": "analyst"})
    assert created.status_code == 200, created.get_data(as_text=True)[:2000]
    once = created.get_data(as_text=True)
    password = re.search(r'value="([^"]+)" data-testid="password-once"', once).group(1)

    analyst = app.test_client()
    assert log_in(analyst, payload, password).status_code == 302
    token = analyst.csrf_token("/staff/password")
    changed = analyst.post(
        "/staff/password",
        data={"csrf_token": token, "current": password, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)[:2000]
    token = analyst.csrf_token("/staff/")
    detail = f"/staff/responses/{response.id}"
    assert _post(analyst, f"{detail}/notes", {"text": "Đã gọi điện"}, token).status_code == 303
    fields = {"wave": str(response.wave_id), "kind": "responses", "labels": "codes", "lang": "vi"}
    exported = _download(analyst, _post(analyst, "/staff/exports", fields, token))

    pages = {
        "password shown once": (once, {"email": payload}),
        "accounts": (_fetch(client, "/staff/users")[1], {"email": payload}),
        "audit log": (_fetch(client, "/staff/audit")[1], {"email": payload}),
        "staff menu": (_fetch(analyst, "/staff/")[1], {"email": payload}),
        "response detail": (_fetch(analyst, detail)[1], {"author": payload, "contact": payload}),
    }
    problems = []
    for label, (html, shown) in pages.items():
        problems += page_problems(label, html, payload, [payload], shown)
    book = load_workbook(BytesIO(exported))
    try:
        record = _by_header(_rows(book, "Responses"), "response_id", response.id)
        problems += _expect("contact_email", record["contact_email"], payload)
        problems += _expect("contact_phone", record["contact_phone"], phone)
        about = {line[0].value: line[1] for line in _rows(book, "About")[1:]}
        problems += _expect("About exported_by", about["exported_by"], payload)
    finally:
        book.close()
    assert not problems, "\n".join(problems)


# --- values reflected from the request --------------------------------------------------


@pytest.mark.parametrize("payload", HTML_PAYLOADS.values(), ids=HTML_PAYLOADS.keys())
def test_query_values_echoed_back_are_escaped(app, client, db, payload):
    """Search boxes, audit filters and refused filters (the error page names the value)
    echo the query string as text; every page's language switch echoes it, still
    percent-encoded, in a hidden return path. None of them may turn it into markup."""
    wave = factories.wave(name="Khảo sát 2025")
    db.session.commit()
    admin = make_staff(db, Role.ADMIN)
    assert log_in(client, admin.email).status_code == 302
    value = f"{payload}#echo"
    q = quote(value)
    shown_as_text = {
        f"/staff/responses?wave={wave.id}&q={q}": 200,
        f"/staff/audit?action={q}&actor={q}&object_type={q}&object_id={q}": 200,
        f"/staff/responses?wave={wave.id}&sector={q}": 400,
        f"/staff/dashboard?wave={wave.id}&sector={q}": 400,
        f"/staff/login?next={q}": 200,
    }
    visitor = app.test_client()
    problems = []
    for url, status in shown_as_text.items():
        response = (visitor if url.startswith("/staff/login") else client).get(url)
        assert response.status_code == status, url
        problems += page_problems(url, response.get_data(as_text=True), payload, [value], {"value": value})
    for url in (f"/?x={q}", f"/start?x={q}", f"/summary?x={q}", f"/staff/waves?x={q}"):
        response = (client if url.startswith("/staff/") else visitor).get(url)
        assert response.status_code == 200, url
        problems += page_problems(url, response.get_data(as_text=True), payload, [value], {})
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("target", ["javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)"])
def test_javascript_urls_are_never_redirect_targets(client, db, target):
    """The only user-chosen URLs are the ``next`` of the log-in and the language switch."""
    analyst = make_staff(db, Role.ANALYST)
    assert log_in(client, analyst.email, next_url=target).headers["Location"] == "/staff/"
    token = client.csrf_token("/")
    switched = client.post("/language", data={"lang": "en", "next": target, "csrf_token": token})
    assert switched.headers["Location"] == "/"


def test_the_checker_sees_each_payload_when_it_is_not_escaped():
    """The page checks above would pass on any page if the checker were blind."""
    for payload in HTML_PAYLOADS.values():
        value = payload + "#firm"
        contexts = [f"<p>{value}</p>", f'<input value="{value}">', f"<input value='{value}'>"]
        if payload.startswith("javascript:"):
            contexts = [f'<a href="{value}">x</a>']
        if payload == "{{7*7}}":  # harmless as text: the danger is its evaluation
            contexts = ["<p>49#firm</p>"]
        for html in contexts:
            found = markup_problems(html, payload, [value])
            assert found, (payload, html)
    # And it stays quiet on the same text escaped.
    from markupsafe import escape

    for payload in HTML_PAYLOADS.values():
        assert markup_problems(f"<p>{escape(payload)}</p>", payload, [payload]) == []
