"""Importing the city's enterprise register from an Excel (.xlsx) workbook.

An import runs in steps, so staff see what it will do before anything is written:

1. ``read_register`` streams the first sheet row by row, checks every row (the rules:
   survey.registry.register_rows) and compares the good ones with the database. It
   writes nothing.
2. ``apply_register`` writes the good rows (adds new firms, updates changed ones) and
   flushes in batches; the caller commits, so the whole import is one transaction.
3. ``error_report`` lists the bad rows, each with its own cells beside the reason, in a
   workbook to correct them from.

``template_workbook`` is the file to start from, in the staff member's language (the
headers, an example row, help, the lists of valid values with their codes, drop-downs on
the columns that take them); a file from either language's template reads the same.

Every kind of business is accepted (the ``kind`` column; empty means an enterprise, or a
branch for a 13-character code). A business is matched by its normalised tax code, or, for
a household or individual business, by its representative's personal ID and its kind.
Only the columns the file has are compared and updated: a file without ``contact_email``
leaves stored e-mails alone, while an empty cell in a column the file has clears that value.
"""

from __future__ import annotations

import itertools
import operator
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import openpyxl
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from survey.models import Enterprise, Sector
from survey.models.enterprise import derived
from survey.registry import register_file
from survey.registry.register_format import (
    COLUMNS,
    EXAMPLE,
    FIELD_OF,
    FIELDS,
    HEADER_INDEX,
    HEADERS,
    REQUIRED,
    RegisterFileError,
    RowError,
    key,
)
from survey.registry.register_limits import (
    EXCEL_MAX_ROW,
    LimitExceeded,
    RegisterLimits,
    check_archive,
    check_row,
    too_many_rows,
)
from survey.registry.register_rows import (
    N_,
    Reference,
    RowChecker,
    blank,
    match_key,
    shorten,
    text_of,
)
from survey.registry.register_workbooks import error_report, template_workbook

#: Rows per database round trip (tax-code look-ups and flushes).
BATCH = 1000


@dataclass
class ImportPreview:
    """What an import would do. ``valid`` holds cleaned rows keyed by Enterprise column."""

    valid: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: Non-empty data rows read, good and bad.
    total_rows: int = 0
    to_add: int = 0
    to_update: int = 0
    unchanged: int = 0
    #: The Enterprise columns the file has; only these are compared and written.
    fields: tuple[str, ...] = FIELDS
    #: The file's own header (row 1 as text), the columns of each error's ``values``.
    header: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"


# ------------------------------------------------------------------------------ reading


def read_register(
    source: str | os.PathLike | BinaryIO,
    session: Session,
    display_name: str | None = None,
    limits: RegisterLimits | None = None,
) -> ImportPreview:
    """Check every row of the first sheet of ``source`` and compare the good rows with the
    register. Nothing is written.

    Rows are streamed: only the cleaned values of good rows and the bad rows (their cells
    and their errors) are kept, so a file of tens of thousands of rows needs little
    memory. Raises RegisterFileError when the file cannot be read as a register at all
    (not .xlsx, no header, no rows), and its subclass LimitExceeded when it is beyond
    ``limits`` (see register_limits: the archive is checked before anything is parsed).
    """
    limits = limits or RegisterLimits()
    reference = Reference.load(session)
    # ``display_name``: what the user called the file, when ``source`` is our own copy of it.
    name = display_name or _source_name(source)
    with _unreadable_as(name):
        check_archive(source, limits)
        fast = register_file.fast_rows(source, limits)
        workbook = None if fast else openpyxl.load_workbook(source, read_only=True, data_only=True)
    if fast:
        # python-calamine, many times faster; the file was scanned first (register_file).
        title, rows = fast
        preview = _read_rows(title, _checked(rows, name, limits), reference)
    else:
        try:
            preview = _read_sheet(workbook, reference, name, limits)
        finally:
            workbook.close()
    _compare(session, preview)
    return preview


def precheck(
    source: str | os.PathLike | BinaryIO,
    display_name: str | None = None,
    limits: RegisterLimits | None = None,
) -> None:
    """What a request can afford before a worker reads the rows: is the file an .xlsx at
    all, and is its archive within ``limits`` (its directory only; nothing is inflated).
    Raises RegisterFileError with read_register's own messages."""
    with _unreadable_as(display_name or _source_name(source)):
        check_archive(source, limits or RegisterLimits())


@contextmanager
def _unreadable_as(name: str | None) -> Iterator[None]:
    """A file that cannot be opened or parsed, as the RegisterFileError the user reads."""
    try:
        yield
    except RegisterFileError:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if name:
            raise RegisterFileError(
                N_("'%(name)s' cannot be read (%(reason)s)"), name=name, reason=reason
            ) from None
        raise RegisterFileError(N_("The file cannot be read (%(reason)s)"), reason=reason) from None
    except Exception as exc:  # whatever the parser trips on, the file is not a readable .xlsx
        raise _not_xlsx(name) from exc


def _source_name(source) -> str | None:
    raw = source if isinstance(source, str | os.PathLike) else getattr(source, "filename", None)
    raw = raw or getattr(source, "name", None)
    return Path(os.fspath(raw)).name if isinstance(raw, str | os.PathLike) else None


def _not_xlsx(name: str | None) -> RegisterFileError:
    if name and name.lower().endswith(".csv"):
        return RegisterFileError(
            N_(
                "'%(name)s' is not an Excel .xlsx file but a CSV text file: open it in Excel, save it "
                "as an Excel workbook (.xlsx) and upload that."
            ),
            name=name,
        )
    if name:
        return RegisterFileError(
            N_(
                "'%(name)s' is not an Excel .xlsx file, or it is damaged: save it as an Excel workbook "
                "(.xlsx) and try again."
            ),
            name=name,
        )
    return RegisterFileError(
        N_(
            "The file is not an Excel .xlsx file, or it is damaged: save it as an Excel workbook "
            "(.xlsx) and try again."
        )
    )


def _rows(sheet, name: str | None, limits: RegisterLimits) -> Iterator[tuple]:
    """The sheet's rows as value tuples (a gap in the file comes out as an empty row),
    refused as soon as one is beyond ``limits``."""
    rows = sheet.iter_rows(values_only=True)
    filled = 0
    for number in itertools.count(1):
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # a damaged sheet part
            raise _not_xlsx(name) from exc
        if not row:  # a gap in the file: nothing parsed, nothing to check
            if number > EXCEL_MAX_ROW:
                check_row(number, row, limits)
            yield row
            continue
        check_row(number, row, limits)
        # Empty rows cost little to skip, so only rows with something in them count
        # towards the limit; the header is one of them.
        if _filled(row):
            filled += 1
            if filled > limits.max_rows + 1:
                raise too_many_rows(limits)
        yield row


def _checked(rows: Iterator[tuple], name: str | None, limits: RegisterLimits) -> Iterator[tuple]:
    """The fast reader's rows, counted against the row limit as ``_rows`` counts them (the
    scan has bounded rows and columns, and the reader the length of texts)."""
    filled = 0
    try:
        for row in rows:
            if _filled(row):
                filled += 1
                if filled > limits.max_rows + 1:
                    raise too_many_rows(limits)
            yield row
    except RegisterFileError:
        raise
    except Exception as exc:  # a damaged sheet part
        raise _not_xlsx(name) from exc


def _read_sheet(workbook, reference: Reference, name: str | None, limits: RegisterLimits) -> ImportPreview:
    if not workbook.worksheets:
        if name:
            raise RegisterFileError(N_("'%(name)s' has no worksheet"), name=name)
        raise RegisterFileError(N_("The file has no worksheet"))
    sheet = workbook.worksheets[0]
    # Some programs write a wrong size into the file; read every row that is there.
    sheet.reset_dimensions()
    return _read_rows(sheet.title, _rows(sheet, name, limits), reference)


def _read_rows(title: str, rows: Iterator[tuple], reference: Reference) -> ImportPreview:
    """Check the rows of the first sheet (``title``), the header first."""
    header = next(rows, None)
    if header is None:
        raise RegisterFileError(N_("the first sheet ('%(sheet)s') is empty"), sheet=title)
    positions = _positions(header)
    texts = _header_texts(header)
    width = len(texts)
    checker = RowChecker(reference, {column: texts[index] for column, index in positions.items()})
    preview = ImportPreview(fields=tuple(FIELD_OF[c] for c in COLUMNS if c in positions), header=texts)
    columns, indexes = tuple(positions), tuple(positions.values())
    # The file's columns picked in one call (there are at least the four required ones,
    # so it gives a tuple); a row shorter than the farthest column is padded.
    pick, reach = operator.itemgetter(*indexes), max(indexes)
    for row_number, row in enumerate(rows, start=2):
        if not row:
            continue
        length = len(row)
        if length > reach:
            values = pick(row)
        else:
            values = tuple(row[index] if index < length else None for index in indexes)
        if not _filled(values):
            continue
        cells = dict(zip(columns, values, strict=True))
        preview.total_rows += 1
        clean, problems = checker.check(row_number, cells)
        if problems:
            values = tuple(row[:width]) + (None,) * max(0, width - length)
            message = "; ".join(text for _column, text in problems)
            preview.errors.append(
                RowError(row_number, shorten(text_of(cells["tax_code"]), 50), message, values)
            )
        else:
            preview.valid.append(clean)
    if not preview.total_rows:
        raise RegisterFileError(
            N_("the first sheet ('%(sheet)s') has a header but no data rows"), sheet=title
        )
    return preview


def _filled(values: Sequence) -> bool:
    """Whether any of ``values`` is not blank (register_rows.blank, without a call per
    cell: most rows answer at their first)."""
    return any(value is not None and (not isinstance(value, str) or value.strip()) for value in values)


def _header_texts(header: Sequence) -> tuple[str, ...]:
    """Row 1 as text, up to its last filled cell."""
    texts = [text_of(value) for value in header]
    while texts and not texts[-1]:
        texts.pop()
    return tuple(texts)


def _positions(header: Sequence) -> dict[str, int]:
    """Where each known column is, by its code, Vietnamese or English name; other columns
    are ignored."""
    if all(blank(value) for value in header):
        raise RegisterFileError(
            N_("row 1 of the first sheet is empty: it must hold the column names, as in the template")
        )
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        column = HEADER_INDEX.get(key(text_of(value)))
        if column is not None:
            if column in positions:
                raise RegisterFileError(
                    N_("column '%(column)s' appears twice in the header"), column=shorten(text_of(value))
                )
            positions[column] = index
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise RegisterFileError(
            N_(
                "missing required column(s): %(columns)s "
                "(row 1 must hold the column names, as in the template)"
            ),
            columns=", ".join(f"'{HEADERS[column][0]}' ({column})" for column in missing),
        )
    return positions


def _chunks(rows: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _stored(session: Session, chunk: list[dict], *columns) -> dict[tuple, tuple]:
    """The registered businesses of ``chunk``'s identifiers, by match key."""
    return {
        match_key(id_type, code, kind): (code, *values)
        for code, id_type, kind, *values in session.execute(
            select(Enterprise.tax_code, Enterprise.id_type, Enterprise.kind, *columns).where(
                Enterprise.tax_code.in_({row["tax_code"] for row in chunk})
            )
        )
    }


def _key(row: dict) -> tuple:
    return match_key(row["id_type"], row["tax_code"], row["kind"])


def _compare(session: Session, preview: ImportPreview) -> None:
    """Count the rows that would add, update or leave alone a registered firm."""
    fields = [f for f in preview.fields if f != "tax_code"]
    columns = [getattr(Enterprise, f) for f in fields]
    for chunk in _chunks(preview.valid):
        stored = _stored(session, chunk, *columns)
        for row in chunk:
            old = stored.get(_key(row))
            if old is None:
                preview.to_add += 1
            elif old[1:] != tuple(row[f] for f in fields):
                preview.to_update += 1
            else:
                preview.unchanged += 1


# ----------------------------------------------------------------------------- applying


def apply_register(session: Session, preview: ImportPreview) -> ImportResult:
    """Write the preview's valid rows: add new firms, update changed ones. Flushes in
    batches; the caller commits (or rolls back) the whole import.

    Rows are compared with the database again here, so the result is right even if the
    register changed since the preview. A business is matched by its tax code, or by its
    personal ID and kind (``match_key``). New firms go in as bulk INSERTs (many times
    faster than one ORM object each), so their population and size class are derived here
    with the same ``derived`` the flush hook uses; changed firms are updated as ORM
    objects and the hook re-derives theirs.
    """
    result = ImportResult()
    fields = [f for f in preview.fields if f != "tax_code"]
    # Held for the whole import: the size-class hook then finds each sector of an
    # updated firm in the session instead of loading it again.
    sectors = session.scalars(select(Sector)).all()
    size_group = {sector.code: sector.size_group for sector in sectors}
    for chunk in _chunks(preview.valid):
        existing = {
            match_key(firm.id_type, firm.tax_code, firm.kind): firm
            for firm in session.scalars(
                select(Enterprise).where(Enterprise.tax_code.in_({row["tax_code"] for row in chunk}))
            )
        }
        new_rows = []
        for row in chunk:
            firm = existing.get(_key(row))
            if firm is None:
                population, size_class = derived(
                    row["kind"],
                    size_group.get(row["sector_code"]),
                    row["employees"],
                    row["revenue_vnd"],
                    row["capital_vnd"],
                )
                new_rows.append({**row, "population": population, "size_class": size_class})
                continue
            changed = {f: row[f] for f in fields if getattr(firm, f) != row[f]}
            for name, value in changed.items():
                setattr(firm, name, value)
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
        if new_rows:
            session.execute(insert(Enterprise), new_rows)
            result.added += len(new_rows)
        session.flush()
    return result


__all__ = [
    "COLUMNS",
    "EXAMPLE",
    "FIELDS",
    "ImportPreview",
    "ImportResult",
    "LimitExceeded",
    "RegisterFileError",
    "RegisterLimits",
    "RowError",
    "apply_register",
    "error_report",
    "match_key",
    "read_register",
    "template_workbook",
]
