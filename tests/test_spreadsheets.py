"""The one spreadsheet layer (survey.spreadsheets) and every workbook the app writes through it.

Each workbook is written with hostile text in the fields a user fills (firm names,
notes, contacts, unit names, error messages) and opened with openpyxl: every table sheet
has a bold header row with the pane frozen under it, and no cell anywhere is a formula;
the hostile text is there, neutralised as ``safe_cell`` promises. The responses
workbook's fixed columns come from its catalogue: a column added there is in the header,
the codebook and every row.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from survey import frameworks
from survey.exports import responses_workbook, workbooks
from survey.exports import rows as export_rows
from survey.invitations.services import IssuedLink, links_workbook
from survey.models import Enterprise, Invitation
from survey.registry.register_format import RowError
from survey.registry.register_workbooks import SHEETS, error_report, template_workbook
from survey.responses.scoring import framework_of
from survey.spreadsheets import FORMULA_TRIGGERS, Col, Table, columns, safe_cell
from survey.statistics.rollup import rollup
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 2)
HOSTILE = '=HYPERLINK("http://evil.example","click")'
#: One payload per trigger, each in a field of its own.
PAYLOADS = ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR")
#: Sheets laid out by hand rather than as a table (a title, facts, then a table lower down).
FREE_FORM = {"Overview"}
WHEN = datetime(2025, 10, 1, 2, 30, tzinfo=UTC)


def _read(data: bytes):
    return load_workbook(BytesIO(data))


def _cells(book):
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                yield sheet.title, cell


def _check(book, *, hostile: str = HOSTILE) -> None:
    """Every table sheet: bold header, pane frozen under it; no cell a formula; the
    hostile text there, neutralised."""
    assert book.worksheets
    for sheet in book.worksheets:
        if sheet.title in FREE_FORM:
            continue
        assert sheet.freeze_panes == "A2", sheet.title
        header = [cell for cell in sheet[1] if cell.value is not None]
        assert header, sheet.title
        assert all(cell.font.b for cell in header), sheet.title
    texts = []
    for title, cell in _cells(book):
        assert cell.data_type != "f", (title, cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert not cell.value.startswith(FORMULA_TRIGGERS), (title, cell.coordinate, cell.value)
            texts.append(cell.value)
    assert safe_cell(hostile) == "'" + hostile
    assert "'" + hostile in texts


# --------------------------------------------------------------------------- the layer


@pytest.mark.parametrize("write_only", [True, False])
def test_a_table_has_widths_a_bold_frozen_header_safe_rows_and_an_autofilter(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("T")
    table = Table(sheet, [Col("name", 30), Col("share", 10, "0.0%"), Col("note", 50, wrap=True)])
    for payload in PAYLOADS:
        table.row([payload, 0.25, payload])
    table.row(["#N/A", None, None])
    table.close()
    buffer = BytesIO()
    workbook.save(buffer)

    book = _read(buffer.getvalue())
    sheet = book["T"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["name", "share", "note"]
    assert all(c.font.b for c in sheet[1])
    assert [sheet.column_dimensions[x].width for x in "ABC"] == [30, 10, 50]
    assert sheet.auto_filter.ref == f"A1:C{len(PAYLOADS) + 2}"
    rows = list(sheet.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == ["'" + p for p in PAYLOADS] + ["'#N/A"]
    assert all(r[0].data_type == "s" and not r[0].font.b for r in rows)
    assert rows[0][1].value == 0.25 and rows[0][1].number_format == "0.0%"
    assert rows[0][2].alignment.wrap_text


def test_columns_pairs_headers_with_widths():
    assert columns(["a", "b"], [5]) == [Col("a", 5), Col("b", None)]


# --------------------------------------------------------------------------- every workbook


def _response_row(**fields) -> dict:
    """A row as survey.exports.rows.response_rows gives it, hostile text in every free field."""
    keys = (*export_rows.PROFILE_KEYS, *export_rows.CONTACT_KEYS, *export_rows.STATE_KEYS)
    row = dict.fromkeys(keys)
    criterion = next(c for _, c in FRAMEWORK.criteria() if c.kind.value == "single")
    row.update(
        id=7,
        tax_code="0201234569",
        firm_name=HOSTILE,
        register_name="+SUM(A1)",
        unit_code="11311",
        unit_name="@cmd",
        sector="C",
        ownership="private",
        contact_name="-2+3",
        contact_email="\t=1",
        contact_phone="\r=1",
        state="submitted",
        review_state="rejected",
        review_reason="=1+1",
        created_at=WHEN,
        submitted_at=WHEN,
        updated_at=WHEN,
        # A stale answer the framework does not know, shown as stored: inert.
        answers={criterion.code: "=evil()"},
        technologies=["iot"],
        pillars={},
    )
    row.update(fields)
    return row


def _responses(rows, **options) -> bytes:
    buffer = BytesIO()
    workbooks.write_responses_workbook(
        buffer,
        FRAMEWORK,
        rows,
        wave_info={"id": 1, "name": "=wave", "year": 2025},
        filters={"sector": "=C"},
        exported_by="@analyst",
        exported_at=WHEN,
        **options,
    )
    return buffer.getvalue()


#: The responses workbook's sheets, and the headers of three of its columns, in codes and
#: in words (Vietnamese, the default language).
_RESPONSES_LAYOUT = {
    "codes": (["Responses", "Scores", "Codebook", "About"], ("review_reason", "contact_email", "rejected")),
    "labels": (
        ["Phiếu trả lời", "Điểm", "Giải thích các cột", "Thông tin"],
        ("Lý do của kết quả rà soát", "Thư điện tử liên hệ", "Bị loại khi rà soát"),
    ),
}


@pytest.mark.parametrize("labels", ["codes", "labels"])
def test_the_responses_workbook(labels):
    book = _read(_responses([_response_row()], labels=labels))
    sheets, (reason, email, rejected) = _RESPONSES_LAYOUT[labels]
    assert book.sheetnames == sheets
    _check(book)
    responses = book[sheets[0]]
    record = dict(zip([c.value for c in responses[1]], responses[2], strict=True))
    assert record[reason].value == "'=1+1"
    assert record[email].value == "'\t=1"
    assert record[rejected].value is True


def test_the_summary_workbook(db):
    wave = factories.wave(name=HOSTILE)
    engaged = factories.answers_at(framework_of(wave.framework_version), 1.0)
    for _ in range(3):
        factories.response(wave, factories.enterprise(), engaged)
    overall = rollup(db.session, wave)
    by = {"sector": rollup(db.session, wave, by="sector")}
    by["sector"]["groups"][0]["label"] = "=label"
    reference = [{**ref, "source": "@source", "label_vi": "-label"} for ref in overall["reference"]]
    buffer = BytesIO()
    workbooks.write_summary_workbook(
        buffer,
        by,
        overall,
        wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
        filters={},
        reference=reference,
        min_group=1,
        lang="vi",
    )
    book = _read(buffer.getvalue())
    _check(book, hostile=f"{HOSTILE} ({wave.year}, id {wave.id})")
    assert book["By sector"]["B2"].value == "'=label"
    assert book["Reference"]["F2"].value == "'@source"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_register_template(db, language):
    factories.unit().name_vi = HOSTILE
    db.session.flush()
    book = _read(template_workbook(db.session, language))
    assert book.sheetnames == list(SHEETS[language])
    _check(book)


def test_the_register_error_report():
    book = _read(error_report([RowError(3, "@SUM(1)", HOSTILE), RowError(4, "-2", "+x")]))
    _check(book)


def test_the_invitation_links_workbook():
    firm = Enterprise(
        tax_code="0201234569",
        name=HOSTILE,
        contact_name="+cmd",
        contact_email="@x",
        contact_phone="-1",
    )
    links = [IssuedLink(Invitation(), firm, "token")]
    book = _read(links_workbook(links, lambda token: f"=HYPERLINK({token})"))
    _check(book)
    assert [c.value for c in book["Invitations"][2]][1:5] == ["'" + HOSTILE, "'+cmd", "'@x", "'-1"]


# --------------------------------------------------------------------------- the catalogue


def _header(book, sheet="Responses") -> list:
    return [c.value for c in book[sheet][1]]


def test_a_column_added_to_the_catalogue_is_in_the_header_the_codebook_and_every_row(monkeypatch):
    extra = responses_workbook.Column(
        "reason_again",
        responses_workbook.RESPONSES,
        "text",
        "Lý do (lần nữa)",
        "Reason (again)",
        width=42,
        key="review_reason",
        cell="text",
    )
    catalogue = list(responses_workbook.RESPONSE_CATALOGUE)
    catalogue.insert(3, extra)
    monkeypatch.setattr(responses_workbook, "RESPONSE_CATALOGUE", tuple(catalogue))

    book = _read(_responses([_response_row(), _response_row(id=8, review_reason="fine")]))
    header = _header(book)
    assert header[3] == "reason_again"
    # XlsxWriter stores a width with the font's padding (42 characters read back as 42.71).
    assert _width(book["Responses"], 4) == pytest.approx(42, abs=1)
    assert [book["Responses"].cell(r, 4).value for r in (2, 3)] == ["'=1+1", "fine"]
    # Everything after it moved along by one, the framework's columns included.
    assert header[4] == "register_name"
    assert book["Responses"].cell(2, 5).value == "'+SUM(A1)"
    codebook = [(c[0].value, c[7].value) for c in book["Codebook"].iter_rows(min_row=2) if c[4].value is None]
    assert ("reason_again", "Lý do (lần nữa)") in codebook


def _width(sheet, index: int) -> float | None:
    """The width of column ``index`` (1-based): XlsxWriter writes neighbours of one width as
    one range (``min``..``max``), which openpyxl keys by the range's first letter."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min is not None and dimension.min <= index <= dimension.max:
            return dimension.width
    return None


def test_the_catalogue_drives_the_fixed_columns_and_their_widths():
    book = _read(_responses([_response_row()]))
    sheet = book["Responses"]
    fixed = list(responses_workbook.RESPONSE_CATALOGUE)
    assert _header(book)[: len(fixed)] == [c.code for c in fixed]
    for index, column in enumerate(fixed, 1):
        assert _width(sheet, index) == pytest.approx(column.width, abs=1)  # with XlsxWriter's padding


def test_contact_columns_are_the_catalogue_s_contact_data():
    contact = [c for c in responses_workbook.RESPONSE_CATALOGUE if c.contact]
    # The query reads the contact keys only with contacts: they are the catalogue's.
    assert tuple(c.row_key for c in contact) == export_rows.CONTACT_KEYS
    # Every fixed column reads a key the query gives, and makes its cell a known way.
    keys = {*export_rows.PROFILE_KEYS, *export_rows.CONTACT_KEYS, *export_rows.STATE_KEYS}
    for column in responses_workbook.RESPONSE_CATALOGUE:
        assert column.row_key in keys, column.code
        assert column.cell in responses_workbook.CELLS, column.code

    without = responses_workbook.response_columns(FRAMEWORK, include_contacts=False)
    assert not {c.code for c in contact} & {c.code for c in without}
    row = _response_row()
    for key in export_rows.CONTACT_KEYS:
        del row[key]  # not even read without contacts
    book = _read(_responses([row], include_contacts=False))
    assert _header(book) == [c.code for c in without]


def test_an_unknown_cell_kind_in_the_catalogue_is_refused(monkeypatch):
    broken = dataclasses.replace(responses_workbook.RESPONSE_CATALOGUE[0], cell="formula")
    monkeypatch.setattr(responses_workbook, "RESPONSE_CATALOGUE", (broken,))
    with pytest.raises(ValueError, match="unknown cell kind 'formula'"):
        _responses([_response_row()])
