"""Importing the city's enterprise register from an Excel (.xlsx) workbook.

An import runs in steps, so staff see what it will do before anything is written:

1. ``read_register`` streams the first sheet row by row, checks every row and compares
   the good ones with the database. It writes nothing.
2. ``apply_register`` writes the good rows (adds new firms, updates changed ones) and
   flushes in batches; the caller commits, so the whole import is one transaction.
3. ``error_report`` lists the bad rows in a workbook to correct them from.

``template_workbook`` is the file to start from: the columns, an example row and help.

Every kind of business is accepted (the ``kind`` column; empty means an enterprise, or a
branch for a 13-character code). A business is matched by its normalised tax code, or, for
a household or individual business, by its representative's personal ID and its kind.
Only the columns the file has are compared and updated: a file without ``contact_email``
leaves stored e-mails alone, while an empty cell in a column the file has clears that value.
"""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import BinaryIO

import openpyxl
from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from survey.models import AdminUnit, Enterprise, Ownership, Sector
from survey.models.business import BusinessKind, IdType
from survey.models.enterprise import derived
from survey.models.size_class import BILLION
from survey.registry import identifiers
from survey.registry import tax_code as tax_codes
from survey.registry.register_format import (
    COLUMNS,
    EXAMPLE,
    FIELD_OF,
    FIELDS,
    HEADER_ALIASES,
    KIND_LABELS,
    KIND_VALUES,
    REQUIRED,
    RegisterFileError,
    RowError,
)
from survey.registry.register_limits import (
    EXCEL_MAX_ROW,
    LimitExceeded,
    RegisterLimits,
    check_archive,
    check_row,
    too_many_rows,
)
from survey.registry.register_workbooks import error_report, template_workbook

#: Column lengths of the enterprises table.
TEXT_LIMITS = {"name": 300, "contact_name": 120, "contact_email": 254, "contact_phone": 30, "address": 300}
MAX_EMPLOYEES = 1_000_000
MAX_BILLIONS = Decimal(10_000_000)
#: Rows per database round trip (tax-code look-ups and flushes).
BATCH = 1000


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_WHOLE = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


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


# --------------------------------------------------------------------------- template


def read_register(
    source: str | os.PathLike | BinaryIO,
    session: Session,
    display_name: str | None = None,
    limits: RegisterLimits | None = None,
) -> ImportPreview:
    """Check every row of the first sheet of ``source`` and compare the good rows with the
    register. Nothing is written.

    Rows are streamed: only the cleaned values of good rows and the errors are kept, so
    a file of tens of thousands of rows needs little memory. Raises RegisterFileError
    when the file cannot be read as a register at all (not .xlsx, no header, no rows),
    and its subclass LimitExceeded when it is beyond ``limits`` (see register_limits:
    the archive is checked before anything is parsed).
    """
    limits = limits or RegisterLimits()
    reference = _Reference.load(session)
    # ``display_name``: what the user called the file, when ``source`` is our own copy of it.
    name = f"'{display_name}'" if display_name else _source_name(source)
    try:
        check_archive(source, limits)
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except RegisterFileError:
        raise
    except OSError as exc:
        raise RegisterFileError(f"{name} cannot be read ({exc.strerror or exc})") from None
    except Exception as exc:  # whatever the parser trips on, the file is not a readable .xlsx
        raise _not_xlsx(name) from exc
    try:
        preview = _read_sheet(workbook, reference, name, limits)
    finally:
        workbook.close()
    _compare(session, preview)
    return preview


def _source_name(source) -> str:
    raw = source if isinstance(source, str | os.PathLike) else getattr(source, "filename", None)
    raw = raw or getattr(source, "name", None)
    return f"'{Path(os.fspath(raw)).name}'" if isinstance(raw, str | os.PathLike) else "the file"


def _not_xlsx(name: str) -> RegisterFileError:
    subject = name[0].upper() + name[1:] if name == "the file" else name
    return RegisterFileError(
        f"{subject} is not an Excel .xlsx file, or it is damaged: save it as an Excel workbook "
        "(.xlsx) and try again."
    )


def _rows(sheet, name: str, limits: RegisterLimits) -> Iterator[tuple]:
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
        if any(not _blank(value) for value in row):
            filled += 1
            if filled > limits.max_rows + 1:
                raise too_many_rows(limits)
        yield row


def _read_sheet(workbook, reference: _Reference, name: str, limits: RegisterLimits) -> ImportPreview:
    if not workbook.worksheets:
        raise RegisterFileError(f"{name} has no worksheet")
    sheet = workbook.worksheets[0]
    # Some programs write a wrong size into the file; read every row that is there.
    sheet.reset_dimensions()
    rows = _rows(sheet, name, limits)
    header = next(rows, None)
    if header is None:
        raise RegisterFileError(f"the first sheet ('{sheet.title}') is empty")
    positions = _positions(header)
    checker = _RowChecker(reference)
    preview = ImportPreview(fields=tuple(FIELD_OF[c] for c in COLUMNS if c in positions))
    indexed = tuple(positions.items())
    for row_number, row in enumerate(rows, start=2):
        if not row:
            continue
        width = len(row)
        cells = {column: row[index] if index < width else None for column, index in indexed}
        if all(_blank(value) for value in cells.values()):
            continue
        preview.total_rows += 1
        clean, problems = checker.check(row_number, cells)
        if problems:
            preview.errors.append(
                RowError(row_number, _shorten(_text(cells["tax_code"]), 50), "; ".join(problems))
            )
        else:
            preview.valid.append(clean)
    if not preview.total_rows:
        raise RegisterFileError(f"the first sheet ('{sheet.title}') has a header but no data rows")
    return preview


def _positions(header: Sequence) -> dict[str, int]:
    """Where each known column is; extra columns are ignored."""
    if all(_blank(value) for value in header):
        raise RegisterFileError(
            "row 1 of the first sheet is empty: it must hold the column names, as in the template"
        )
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        key = _text(value).lower()
        key = HEADER_ALIASES.get(" ".join(key.split()), key)
        if key in FIELD_OF:
            if key in positions:
                raise RegisterFileError(f"column '{key}' appears twice in the header")
            positions[key] = index
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise RegisterFileError(
            f"missing required column(s): {', '.join(missing)} "
            "(row 1 must hold the column names, as in the template)"
        )
    return positions


@dataclass
class _Reference:
    """Units and sectors, looked up once per import."""

    unit_by_code: dict[str, int]
    #: Casefolded name -> unit id; None when several active units share the name.
    unit_by_name: dict[str, int | None]
    #: Codes and casefolded names of units no longer active.
    inactive: set[str]
    sectors: frozenset[str]

    @classmethod
    def load(cls, session: Session) -> _Reference:
        by_code: dict[str, int] = {}
        by_name: dict[str, int | None] = {}
        inactive: set[str] = set()
        for unit_id, code, name_vi, active in session.execute(
            select(AdminUnit.id, AdminUnit.code, AdminUnit.name_vi, AdminUnit.active)
        ):
            if not active:
                inactive.update((code, _name_key(name_vi)))
                continue
            by_code[code] = unit_id
            key = _name_key(name_vi)
            by_name[key] = None if key in by_name else unit_id
        sectors = frozenset(session.scalars(select(Sector.code)))
        return cls(by_code, by_name, inactive, sectors)

    def unit(self, text: str) -> tuple[int | None, str | None]:
        if not text:
            return None, "unit is empty"
        if text in self.unit_by_code:
            return self.unit_by_code[text], None
        key = _name_key(text)
        if key in self.unit_by_name:
            unit_id = self.unit_by_name[key]
            if unit_id is None:
                return None, f"unit '{_shorten(text)}' names several units: use the unit code"
            return unit_id, None
        if text in self.inactive or key in self.inactive:
            return None, f"unit '{_shorten(text)}' is no longer an active unit of the city"
        return None, f"unit '{_shorten(text)}' is not a commune-level unit of the city"

    def sector_range(self) -> str:
        return f"{min(self.sectors)}-{max(self.sectors)}" if self.sectors else "none loaded"


class _RowChecker:
    """Checks rows one by one and remembers the tax codes seen so far."""

    def __init__(self, reference: _Reference):
        self.reference = reference
        self.seen: dict[str, int] = {}

    def check(self, row_number: int, cells: dict) -> tuple[dict, list[str]]:
        problems: list[str] = []
        clean = dict.fromkeys(FIELDS)

        kind = _kind(cells.get("kind"), cells["tax_code"], problems)
        code, id_type = self._identifier(kind, cells["tax_code"], problems)
        if code is not None:
            key = match_key(id_type, code, kind)
            first = self.seen.setdefault(key, row_number)
            if first != row_number:
                if id_type is IdType.CCCD12:
                    problems.append(
                        _(
                            "the same personal ID as a %(kind)s already appears on row %(row)s",
                            kind=KIND_LABELS[kind][1],
                            row=first,
                        )
                    )
                else:
                    problems.append(f"tax code {code} already appears on row {first}")
        clean["tax_code"] = code
        clean["kind"] = kind
        clean["id_type"] = id_type

        name = _text(cells["name"])
        if not name:
            problems.append("name is empty")
        clean["name"] = name
        if code == EXAMPLE["tax_code"] and name == EXAMPLE["name"]:
            problems.append("this is the template's example row: delete it")

        clean["unit_id"], problem = self.reference.unit(_text(cells["unit"]))
        if problem:
            problems.append(problem)

        sector = _text(cells["sector"]).upper()
        if not sector:
            problems.append("sector is empty")
        elif sector not in self.reference.sectors:
            problems.append(
                f"sector '{_shorten(sector)}' is not a VSIC section letter ({self.reference.sector_range()})"
            )
        clean["sector_code"] = sector or None

        if "ownership" in cells:
            clean["ownership"] = _ownership(cells["ownership"], problems)
        if "employees" in cells:
            clean["employees"] = _employees(cells["employees"], problems)
        for column in ("revenue_bn_vnd", "capital_bn_vnd"):
            if column in cells:
                clean[FIELD_OF[column]] = _vnd(column, cells[column], problems)
        for column in ("contact_name", "contact_email", "contact_phone", "address"):
            if column in cells:
                clean[column] = _text(cells[column]) or None
        email = clean["contact_email"]
        if email:
            email = clean["contact_email"] = email.lower()
            if not _EMAIL.fullmatch(email):
                problems.append(f"contact_email '{_shorten(email)}' is not an e-mail address")
        for column, limit in TEXT_LIMITS.items():
            value = clean[column]
            if value is not None and len(value) > limit:
                problems.append(f"{column} is longer than {limit} characters ({len(value)})")
        return clean, problems

    @staticmethod
    def _identifier(kind, value, problems: list[str]) -> tuple[str | None, IdType | None]:
        text = _text(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and len(text) in (9, 11, 12):
            # A number cell loses the leading zero of a 10- or 13-digit code or of a
            # personal ID; the check digit or the province prefix still guards the result.
            text = "0" + text
        if kind is None:
            return None, None
        try:
            id_type, code = identifiers.normalise(kind, text)
        except identifiers.IdentifierError as exc:
            problems.append(_identifier_problem(kind, text, exc.reason))
            return None, None
        return code, id_type


def N_(text: str) -> str:
    """Marks a message for extraction; it is translated where it is used."""
    return text


#: What each reason the personal ID or the kind can have says (the tax code's own reasons
#: keep tax_code's messages).
_ID_MESSAGES = {
    "province": N_("personal ID '%(value)s' does not start with a province code (e.g. 031 for Hải Phòng)"),
    "century": N_("personal ID '%(value)s': the 4th digit (century and sex) must be 0, 1, 2 or 3"),
    "birth_year": N_(
        "personal ID '%(value)s': digits 5-6 give a birth year too recent for a business's representative"
    ),
    "personal_for_enterprise": N_(
        "'%(value)s' looks like a personal ID: set the kind of business to household or individual"
    ),
    "branch_for_enterprise": N_(
        "'%(value)s' looks like a branch code (13 digits): set the kind of business to branch"
    ),
    "enterprise_for_branch": N_(
        "'%(value)s' looks like an enterprise tax code (10 digits): a branch code has 13, e.g. 0100233488-001"
    ),
    "tax_code_for_person": N_(
        "'%(value)s' is a tax code: a household or individual business is identified by its "
        "representative's 12-digit personal ID"
    ),
}


def _identifier_problem(kind: BusinessKind, text: str, reason: str) -> str:
    value = _shorten(text)
    if reason == "empty":
        return "tax code is empty" if kind not in _PERSONAL else _("personal ID is empty")
    if reason in _ID_MESSAGES:
        return _(_ID_MESSAGES[reason], value=value)
    if kind in _PERSONAL:
        if reason == "length":
            return _("personal ID '%(value)s' must have 12 digits", value=value)
        return _("personal ID '%(value)s' must be 12 digits (0-9)", value=value)
    try:
        tax_codes.normalise(text)
    except tax_codes.TaxCodeError as exc:
        message = str(exc).rstrip(".")
        return f"tax code '{value}': {message[:1].lower()}{message[1:]}"
    return f"tax code '{value}' is not valid"


_PERSONAL = frozenset({BusinessKind.HOUSEHOLD, BusinessKind.INDIVIDUAL})


def match_key(id_type: IdType | str | None, code: str | None, kind: BusinessKind | str | None) -> tuple:
    """What makes a business one business: its tax code, or a personal ID with its kind."""
    if id_type == IdType.CCCD12:
        return ("cccd12", code, BusinessKind(kind))
    return ("mst", code)


def _(text: str, **values) -> str:
    """``text`` in the staff member's language during a request, else English (``_`` so that
    extraction finds the messages)."""
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


def _kind(value, identifier, problems: list[str]) -> BusinessKind | None:
    """The kind of business a row says; empty means enterprise, or branch for a 13-character code."""
    text = " ".join(_text(value).split()).casefold()
    if not text:
        digits = _text(identifier).replace("-", "").replace(" ", "").replace(".", "")
        return BusinessKind.BRANCH if len(digits) == 13 else BusinessKind.ENTERPRISE
    kind = KIND_VALUES.get(text)
    if kind is None:
        choices = ", ".join(f"{vi} ({en})" for vi, en in KIND_LABELS.values())
        problems.append(
            _(
                "kind of business '%(value)s' is not one of %(choices)s",
                value=_shorten(_text(value)),
                choices=choices,
            )
        )
    return kind


def _ownership(value, problems: list[str]) -> Ownership | None:
    text = _text(value)
    if not text:
        return None
    try:
        return Ownership(text.lower())
    except ValueError:
        choices = ", ".join(o.value for o in Ownership)
        problems.append(f"ownership '{_shorten(text)}' is not one of {choices}")
        return None


def _employees(value, problems: list[str]) -> int | None:
    if _blank(value):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        compact = _SPACES.sub("", value)
        if _WHOLE.fullmatch(compact):
            # Python refuses int() of thousands of digits; anything that long is too big.
            number = int(compact) if len(compact) <= 20 else MAX_EMPLOYEES + 1
    if number is None:
        problems.append(f"employees '{_shorten(_text(value))}' is not a whole number")
    elif number < 0:
        problems.append("employees must be 0 or more")
    elif number > MAX_EMPLOYEES:
        problems.append(f"employees is more than {MAX_EMPLOYEES:,}")
    else:
        return number
    return None


def _vnd(column: str, value, problems: list[str]) -> int | None:
    """A figure in billion VND (a number, or text with a decimal point or comma) in VND."""
    if _blank(value):
        return None
    amount: Decimal | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # 12.5, not the binary fraction behind it
    elif isinstance(value, str):
        compact = _SPACES.sub("", value)
        if _DECIMAL.fullmatch(compact):
            amount = Decimal(compact.replace(",", "."))
    if amount is None or not amount.is_finite():
        problems.append(f"{column} '{_shorten(_text(value))}' is not a number (billion VND, e.g. 12.5)")
    elif amount < 0:
        problems.append(f"{column} must be 0 or more")
    elif amount > MAX_BILLIONS:
        problems.append(f"{column} is more than {MAX_BILLIONS:,} billion VND")
    else:
        return int((amount * BILLION).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return None


def _text(value) -> str:
    """A cell as trimmed text in Unicode NFC ('' when empty); whole floats lose the '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    return unicodedata.normalize("NFC", text).strip()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


# ------------------------------------------------------------------------- error report


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
    "read_register",
    "template_workbook",
]
