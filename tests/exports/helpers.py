"""Writing an export into memory and reading it back with openpyxl."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

from openpyxl import load_workbook

from survey.exports import rows as export_rows
from survey.exports import workbooks
from survey.responses.scoring import framework_of

EXPORTED_AT = datetime(2025, 10, 1, 2, 30, tzinfo=UTC)


def responses_workbook(session, wave, filters=None, **options):
    """(workbook as openpyxl reads it back, rows written)."""
    filters = filters or {}
    contacts = options.get("include_contacts", True)
    buffer = BytesIO()
    written = workbooks.write_responses_workbook(
        buffer,
        framework_of(wave.framework_version),
        export_rows.response_rows(session, wave, filters, batch=options.pop("batch", 3), contacts=contacts),
        wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
        filters=filters,
        exported_by="analyst@example.org",
        exported_at=EXPORTED_AT,
        **options,
    )
    buffer.seek(0)
    return load_workbook(buffer), written


def header(sheet) -> list:
    return [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1))]


def records(sheet) -> list[dict]:
    """Each data row as {column code: cell}."""
    names = header(sheet)
    return [dict(zip(names, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def codebook_columns(workbook, sheet_name: str) -> list[str]:
    """The column codes the Codebook gives for ``sheet_name``, in its order."""
    rows = records(workbook["Codebook"])
    return [r["column"].value for r in rows if r["sheet"].value == sheet_name and r["option"].value is None]
