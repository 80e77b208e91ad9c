"""Checking one register row: the rules a register file's rows and the edit form share.

``RowChecker.check`` takes a row's cells by column (survey.registry.register_format) and
returns the cleaned values by Enterprise attribute and every problem, each with the
column it belongs to, so the import can list them on the row and the edit form beside
its fields. The messages are in the staff member's language during a request and in
English elsewhere (the command line, the logs); a column is named as its header reads
in the file (or as the form labels it), so the person finds it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask import has_request_context
from flask_babel import format_decimal, get_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import money
from survey.models import AdminUnit, Ownership, Sector
from survey.models.business import BusinessKind, IdType
from survey.registry import identifiers
from survey.registry.register_format import (
    EXAMPLE,
    FIELD_OF,
    FIELDS,
    KIND_LABELS,
    KIND_VALUES,
    MONEY_COLUMNS,
    OWNERSHIP_LABELS,
    OWNERSHIP_VALUES,
    key,
)

#: Column lengths of the enterprises table.
TEXT_LIMITS = {"name": 300, "contact_name": 120, "contact_email": 254, "contact_phone": 30, "address": 300}
MAX_EMPLOYEES = 1_000_000

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
#: A whole number: ASCII digits, groups of three parted by spaces allowed (1 200, not "1 2").
_WHOLE = re.compile(r"[+-]?(?:[0-9]+|[0-9]{1,3}(?: [0-9]{3})+)")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
#: "C – Công nghiệp chế biến, chế tạo": a sector as the template's drop-down offers it.
_SECTOR_WITH_NAME = re.compile(r"([A-Za-z])\s*[–—-]\s*(.+)", re.S)
_PERSONAL = frozenset({BusinessKind.HOUSEHOLD, BusinessKind.INDIVIDUAL})

#: A problem: (the column it is about, the message).
Problem = tuple[str, str]


def N_(text: str) -> str:
    """Marks a message for extraction; it is translated where it is used."""
    return text


def _(text: str, **values) -> str:
    """``text`` in the staff member's language during a request, else English (``_`` so that
    extraction finds the messages)."""
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


def count(number: int) -> str:
    """A number as the reader writes it: 1,000,000 in English, 1.000.000 in Vietnamese."""
    return format_decimal(number) if has_request_context() else f"{number:,}"


def text_of(value) -> str:
    """A cell as trimmed text in Unicode NFC ('' when empty); whole floats lose the '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    return unicodedata.normalize("NFC", text).strip()


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


@dataclass
class Reference:
    """Units and sectors, looked up once per import (or per edit)."""

    unit_by_code: dict[str, int]
    #: Casefolded name -> unit id; None when several active units share the name.
    unit_by_name: dict[str, int | None]
    #: Codes and casefolded names of units no longer active.
    inactive: set[str]
    #: Section letter -> the ``key`` of its Vietnamese and English names.
    sectors: dict[str, tuple[str, str]]

    @classmethod
    def load(cls, session: Session) -> Reference:
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
            name = _name_key(name_vi)
            by_name[name] = None if name in by_name else unit_id
        sectors = {
            code: (key(name_vi), key(name_en))
            for code, name_vi, name_en in session.execute(select(Sector.code, Sector.name_vi, Sector.name_en))
        }
        return cls(by_code, by_name, inactive, sectors)

    def sector_range(self) -> str:
        return f"{min(self.sectors)}-{max(self.sectors)}" if self.sectors else "-"


#: What each reason the identifier can have says.
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
_TAX_CODE_MESSAGES = {
    "checksum": N_(
        "tax code '%(value)s': the check digit (10th digit) does not match: please re-check the code"
    ),
    "length": N_(
        "tax code '%(value)s': a tax code has 10 digits, or 13 with a branch suffix (0100233488-001)"
    ),
    "format": N_(
        "tax code '%(value)s': a tax code contains only digits, with an optional -NNN branch suffix"
    ),
    "branch": N_("tax code '%(value)s': the branch suffix must be between 001 and 999"),
}
_PERSONAL_ID_MESSAGES = {
    "length": N_("personal ID '%(value)s' must have 12 digits"),
    "format": N_("personal ID '%(value)s' must be 12 digits (0-9)"),
}
#: What each reason an amount can have says (survey.money), in the register's words.
_AMOUNT_MESSAGES = {
    "format": N_(
        "%(column)s '%(value)s' is not an amount: type it in billion đồng, e.g. 12,5 "
        "(or the full amount followed by đồng, e.g. 12.500.000.000 đồng)"
    ),
    "negative": N_("%(column)s must be 0 or more"),
    "too_large": N_("%(column)s is more than 10.000.000 billion đồng"),
    "whole_dong": N_(
        "%(column)s '%(value)s' is an amount in đồng (a million or more, or followed by đồng), "
        "which has no decimals: type it whole, or in billion đồng, e.g. 12,5"
    ),
}


def _identifier_problem(kind: BusinessKind, text: str, reason: str) -> str:
    value = shorten(text)
    personal = kind in _PERSONAL
    if reason == "empty":
        return _("personal ID is empty") if personal else _("tax code is empty")
    if reason in _ID_MESSAGES:
        return _(_ID_MESSAGES[reason], value=value)
    table = _PERSONAL_ID_MESSAGES if personal else _TAX_CODE_MESSAGES
    if reason in table:
        return _(table[reason], value=value)
    if personal:
        return _("personal ID '%(value)s' is not valid", value=value)
    return _("tax code '%(value)s' is not valid", value=value)


def match_key(id_type: IdType | str | None, code: str | None, kind: BusinessKind | str | None) -> tuple:
    """What makes a business one business: its tax code, or a personal ID with its kind."""
    if id_type == IdType.CCCD12:
        return ("cccd12", code, BusinessKind(kind))
    return ("mst", code)


def _choices(labels: dict) -> str:
    """The listed values as a person reads them: during a request, in the staff member's
    language and without codes (what the template's drop-down offers); elsewhere (the logs,
    the command line) the Vietnamese with each code."""
    if has_request_context():
        index = 1 if str(get_locale() or "vi") == "en" else 0
        return ", ".join(f"'{names[index]}'" for names in labels.values())
    return ", ".join(f"'{vi}' ({getattr(value, 'value', value)})" for value, (vi, _en) in labels.items())


class RowChecker:
    """Checks rows one by one and remembers the identifiers seen so far.

    ``labels`` names each column as the person sees it (the file's header, the form's
    label); a column without one is named by its code.
    """

    def __init__(self, reference: Reference, labels: dict[str, str] | None = None):
        self.reference = reference
        self.labels = labels or {}
        self.seen: dict[tuple, int] = {}

    def _name(self, column: str) -> str:
        return self.labels.get(column) or column

    def check(self, row_number: int, cells: dict) -> tuple[dict, list[Problem]]:
        """(cleaned values by Enterprise attribute, problems) of one row's ``cells``."""
        problems: list[Problem] = []
        clean = dict.fromkeys(FIELDS)

        kind = self._kind(cells.get("kind"), cells["tax_code"], problems)
        code, id_type = self._identifier(kind, cells["tax_code"], problems)
        if code is not None:
            seen = match_key(id_type, code, kind)
            first = self.seen.setdefault(seen, row_number)
            if first != row_number:
                problems.append(("tax_code", self._repeated(kind, id_type, code, first)))
        clean["tax_code"] = code
        clean["kind"] = kind
        clean["id_type"] = id_type

        name = text_of(cells["name"])
        if not name:
            problems.append(("name", _("%(column)s is empty", column=self._name("name"))))
        clean["name"] = name
        if code == EXAMPLE["tax_code"] and name == EXAMPLE["name"]:
            problems.append(("name", _("this is the template's example row: delete it")))

        clean["unit_id"] = self._unit(text_of(cells["unit"]), problems)
        clean["sector_code"] = self._sector(text_of(cells["sector"]), problems)
        if "ownership" in cells:
            clean["ownership"] = self._ownership(cells["ownership"], problems)
        if "employees" in cells:
            clean["employees"] = self._employees(cells["employees"], problems)
        for column in MONEY_COLUMNS:
            if column in cells:
                clean[FIELD_OF[column]] = self._amount(column, cells[column], problems)
        for column in ("contact_name", "contact_email", "contact_phone", "address"):
            if column in cells:
                clean[column] = text_of(cells[column]) or None
        email = clean["contact_email"]
        if email:
            email = clean["contact_email"] = email.lower()
            if not _EMAIL.fullmatch(email):
                problems.append(
                    (
                        "contact_email",
                        _(
                            "%(column)s '%(value)s' is not an e-mail address",
                            column=self._name("contact_email"),
                            value=shorten(email),
                        ),
                    )
                )
        for column, limit in TEXT_LIMITS.items():
            value = clean[column]
            if value is not None and len(value) > limit:
                problems.append(
                    (
                        column,
                        _(
                            "%(column)s is longer than %(limit)s characters (%(length)s)",
                            column=self._name(column),
                            limit=limit,
                            length=len(value),
                        ),
                    )
                )
        return clean, problems

    @staticmethod
    def _repeated(kind: BusinessKind, id_type: IdType, code: str, first: int) -> str:
        if id_type is IdType.CCCD12:
            if kind is BusinessKind.HOUSEHOLD:
                return _(
                    "the same personal ID as a household business already appears on row %(row)s", row=first
                )
            return _(
                "the same personal ID as an individual business already appears on row %(row)s", row=first
            )
        return _("tax code %(code)s already appears on row %(row)s", code=code, row=first)

    def _kind(self, value, identifier, problems: list[Problem]) -> BusinessKind | None:
        """The kind of business a row says; empty means enterprise, or branch for a 13-character code."""
        text = text_of(value)
        if not text:
            digits = text_of(identifier).replace("-", "").replace(" ", "").replace(".", "")
            return BusinessKind.BRANCH if len(digits) == 13 else BusinessKind.ENTERPRISE
        kind = KIND_VALUES.get(key(text))
        if kind is None:
            problems.append(
                (
                    "kind",
                    _(
                        "kind of business '%(value)s' is not one of %(choices)s",
                        value=shorten(text),
                        choices=_choices(KIND_LABELS),
                    ),
                )
            )
        return kind

    @staticmethod
    def _identifier(kind, value, problems: list[Problem]) -> tuple[str | None, IdType | None]:
        text = text_of(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and len(text) in (9, 11, 12):
            # A number cell loses the leading zero of a 10- or 13-digit code or of a
            # personal ID; the check digit or the province prefix still guards the result.
            text = "0" + text
        if kind is None:
            return None, None
        try:
            id_type, code = identifiers.normalise(kind, text)
        except identifiers.IdentifierError as exc:
            problems.append(("tax_code", _identifier_problem(kind, text, exc.reason)))
            return None, None
        return code, id_type

    def _unit(self, text: str, problems: list[Problem]) -> int | None:
        reference, column = self.reference, self._name("unit")
        if not text:
            problems.append(("unit", _("%(column)s is empty", column=column)))
            return None
        if text in reference.unit_by_code:
            return reference.unit_by_code[text]
        name, value = _name_key(text), shorten(text)
        if name in reference.unit_by_name:
            unit_id = reference.unit_by_name[name]
            if unit_id is None:
                problems.append(
                    (
                        "unit",
                        _(
                            "%(column)s '%(value)s' names several units: use the unit code",
                            column=column,
                            value=value,
                        ),
                    )
                )
            return unit_id
        if text in reference.inactive or name in reference.inactive:
            message = _(
                "%(column)s '%(value)s' is no longer an active unit of the city", column=column, value=value
            )
        else:
            message = _(
                "%(column)s '%(value)s' is not a commune-level unit of the city", column=column, value=value
            )
        problems.append(("unit", message))
        return None

    def _sector(self, text: str, problems: list[Problem]) -> str | None:
        """A section letter, alone or as the drop-down writes it ("C – its name")."""
        column, sectors = self._name("sector"), self.reference.sectors
        if not text:
            problems.append(("sector", _("%(column)s is empty", column=column)))
            return None
        letter, name = text, None
        written = _SECTOR_WITH_NAME.fullmatch(text)
        if written is not None:
            letter, name = written.groups()
        letter = letter.upper()
        if letter not in sectors:
            problems.append(
                (
                    "sector",
                    _(
                        "%(column)s '%(value)s' is not a VSIC section letter (%(range)s)",
                        column=column,
                        value=shorten(text),
                        range=self.reference.sector_range(),
                    ),
                )
            )
            return letter or None
        if name is not None and key(name) not in sectors[letter]:
            # "C – Xây dựng": the letter and the name disagree; which was meant?
            problems.append(
                (
                    "sector",
                    _(
                        "%(column)s '%(value)s': the name is not that of section %(letter)s; "
                        "choose the sector from the list, or write its letter alone",
                        column=column,
                        value=shorten(text),
                        letter=letter,
                    ),
                )
            )
        return letter

    def _ownership(self, value, problems: list[Problem]) -> Ownership | None:
        text = text_of(value)
        if not text:
            return None
        ownership = OWNERSHIP_VALUES.get(key(text))
        if ownership is None:
            problems.append(
                (
                    "ownership",
                    _(
                        "%(column)s '%(value)s' is not one of %(choices)s",
                        column=self._name("ownership"),
                        value=shorten(text),
                        choices=_choices(OWNERSHIP_LABELS),
                    ),
                )
            )
        return ownership

    def _employees(self, value, problems: list[Problem]) -> int | None:
        column = self._name("employees")
        if blank(value):
            return None
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str):
            spaced = _SPACES.sub(" ", value).strip()
            compact = spaced.replace(" ", "")
            if _WHOLE.fullmatch(spaced):
                # Python refuses int() of thousands of digits; anything that long is too big.
                number = int(compact) if len(compact) <= 20 else MAX_EMPLOYEES + 1
        if number is None:
            message = _(
                "%(column)s '%(value)s' is not a whole number", column=column, value=shorten(text_of(value))
            )
        elif number < 0:
            message = _("%(column)s must be 0 or more", column=column)
        elif number > MAX_EMPLOYEES:
            message = _("%(column)s is more than %(max)s", column=column, max=count(MAX_EMPLOYEES))
        else:
            return number
        problems.append(("employees", message))
        return None

    def _amount(self, column: str, value, problems: list[Problem]) -> int | None:
        """An amount in billion đồng as whole đồng, read by the one money parser (survey.money)."""
        try:
            return amount_of(value)
        except money.AmountError as exc:
            name, typed = self._name(column), shorten(text_of(value))
            if exc.reason == "ambiguous" and exc.readings:
                small, large = exc.readings
                message = _(
                    "%(column)s '%(value)s' can be read as %(small)s or as %(large)s billion đồng: "
                    "type the one you mean",
                    column=name,
                    value=typed,
                    small=small,
                    large=large,
                )
            else:
                message = _(
                    _AMOUNT_MESSAGES.get(exc.reason, _AMOUNT_MESSAGES["format"]), column=name, value=typed
                )
            problems.append((column, message))
            return None


def amount_of(value) -> int | None:
    """A cell's amount as whole đồng: text as survey.money reads it; a number cell (never
    ambiguous: Excel holds 1.5 as one and a half) by the same rules of unit and size."""
    if blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise money.AmountError("format")
    if isinstance(value, str):
        return money.parse_amount(value)
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not amount.is_finite():
        raise money.AmountError("format")
    if amount < 0:
        raise money.AmountError("negative")
    dong = amount >= money.DONG_FROM  # as the parser takes a bare number this large
    if dong and amount != amount.to_integral_value():
        raise money.AmountError("whole_dong")
    vnd = int((amount if dong else amount * money.BILLION).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if vnd > money.MAX_VND:
        raise money.AmountError("too_large")
    return vnd
