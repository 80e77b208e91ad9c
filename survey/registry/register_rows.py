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
from functools import partial

from flask import has_request_context
from flask_babel import format_decimal, get_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.vn import mst

from survey import money
from survey.models import AdminUnit, Sector
from survey.models.business import BusinessKind, IdType, id_type_of
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
    REQUIRED,
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
    if type(value) is str:  # most cells, with no other test
        return unicodedata.normalize("NFC", value).strip()
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


#: The kinds of business a 10-digit tax code identifies (survey.models.business).
_TEN_DIGIT_KINDS = frozenset(kind for kind in BusinessKind if id_type_of(kind) is IdType.MST10)
#: The distinct cells of a column whose outcome a checker remembers. A column of codes
#: and words (units, sectors, ownership) holds a few values on thousands of rows; one of
#: amounts may hold a new value on every row, and is no longer remembered past this.
MEMO_SIZE = 4096

#: What a cell comes to: its cleaned value and what is wrong with it (None when nothing).
Outcome = tuple[object, str | None]


def _plain_tax_code(kind: BusinessKind, text: str) -> bool:
    """Whether ``text`` is a 10-digit tax code as most files write it (ASCII digits, no
    separator) whose check digit matches, for a kind it identifies: then
    identifiers.normalise would return it unchanged, and the long way (separators,
    Unicode digits, python-stdnum's clean-up) is not needed. Any other text takes it."""
    return (
        kind in _TEN_DIGIT_KINDS
        and len(text) == 10
        and text.isascii()
        and text.isdigit()
        and text[2:9] != "0000000"  # refused by stdnum's validate: the long way says why
        and mst.calc_check_digit(text) == text[9]
    )


class RowChecker:
    """Checks rows one by one and remembers the identifiers seen so far.

    ``labels`` names each column as the person sees it (the file's header, the form's
    label); a column without one is named by its code.

    The same cells come back on row after row (a unit, a sector, an ownership), so what
    a cell of a column comes to is worked out once per distinct cell (``_outcome``): its
    messages cannot change during one checker's life (one import or edit, in one
    language).
    """

    def __init__(self, reference: Reference, labels: dict[str, str] | None = None):
        self.reference = reference
        self.labels = labels or {}
        self.seen: dict[tuple, int] = {}
        self._checks = {
            "kind": self._kind_named,
            "unit": self._unit,
            "sector": self._sector,
            "ownership": self._ownership,
            "employees": self._employees,
            **{column: partial(self._amount, column) for column in MONEY_COLUMNS},
        }
        self._memos: dict[str, dict] = {column: {} for column in self._checks}

    def _name(self, column: str) -> str:
        return self.labels.get(column) or column

    def _outcome(self, column: str, value) -> Outcome:
        """What ``value`` in ``column`` comes to, remembered by the cell's type and value
        (1, 1.0 and True are equal keys of a dict, but not the same cell)."""
        memo = self._memos[column]
        key = value if type(value) is str else (type(value), value)
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key: no reader gives one
            return self._checks[column](value)
        outcome = self._checks[column](value)
        if len(memo) < MEMO_SIZE:
            memo[key] = outcome
        return outcome

    def check(self, row_number: int, cells: dict) -> tuple[dict, list[Problem]]:
        """(cleaned values by Enterprise attribute, problems) of one row's ``cells``."""
        problems: list[Problem] = []
        clean = dict.fromkeys(FIELDS)

        identifier = cells["tax_code"]
        typed = text_of(identifier)
        kind = self._kind(cells.get("kind"), typed, problems)
        code, id_type = self._identifier(kind, identifier, typed, problems)
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

        outcome = self._outcome
        for column in _CHECKED:
            if column in cells or column in REQUIRED:
                clean[FIELD_OF[column]], problem = outcome(column, cells[column])
                if problem is not None:
                    problems.append((column, problem))
        for column in _TEXTS:
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

    def _kind(self, value, identifier: str, problems: list[Problem]) -> BusinessKind | None:
        """The kind of business a row says; empty means enterprise, or branch for a
        13-character code (``identifier``: the code's cell as text)."""
        kind, problem = self._outcome("kind", value)
        if problem is not None:
            problems.append(("kind", problem))
            return None
        if kind is None:
            digits = identifier.replace("-", "").replace(" ", "").replace(".", "")
            return BusinessKind.BRANCH if len(digits) == 13 else BusinessKind.ENTERPRISE
        return kind

    @staticmethod
    def _kind_named(value) -> Outcome:
        """The kind a kind cell names (None for an empty cell, without a problem)."""
        text = text_of(value)
        if not text:
            return None, None
        kind = KIND_VALUES.get(key(text))
        if kind is None:
            return None, _(
                "kind of business '%(value)s' is not one of %(choices)s",
                value=shorten(text),
                choices=_choices(KIND_LABELS),
            )
        return kind, None

    @staticmethod
    def _identifier(kind, value, text: str, problems: list[Problem]) -> tuple[str | None, IdType | None]:
        """The normalised identifier of the cell ``value`` (``text``: the cell as text)."""
        if isinstance(value, int | float) and not isinstance(value, bool) and len(text) in (9, 11, 12):
            # A number cell loses the leading zero of a 10- or 13-digit code or of a
            # personal ID; the check digit or the province prefix still guards the result.
            text = "0" + text
        if kind is None:
            return None, None
        if _plain_tax_code(kind, text):
            return text, IdType.MST10
        try:
            id_type, code = identifiers.normalise(kind, text)
        except identifiers.IdentifierError as exc:
            problems.append(("tax_code", _identifier_problem(kind, text, exc.reason)))
            return None, None
        return code, id_type

    def _unit(self, value) -> Outcome:
        reference, column, text = self.reference, self._name("unit"), text_of(value)
        if not text:
            return None, _("%(column)s is empty", column=column)
        if text in reference.unit_by_code:
            return reference.unit_by_code[text], None
        name, shown = _name_key(text), shorten(text)
        if name in reference.unit_by_name:
            unit_id = reference.unit_by_name[name]
            if unit_id is None:
                return None, _(
                    "%(column)s '%(value)s' names several units: use the unit code",
                    column=column,
                    value=shown,
                )
            return unit_id, None
        if text in reference.inactive or name in reference.inactive:
            return None, _(
                "%(column)s '%(value)s' is no longer an active unit of the city", column=column, value=shown
            )
        return None, _(
            "%(column)s '%(value)s' is not a commune-level unit of the city", column=column, value=shown
        )

    def _sector(self, value) -> Outcome:
        """A section letter, alone or as the drop-down writes it ("C – its name")."""
        column, sectors, text = self._name("sector"), self.reference.sectors, text_of(value)
        if not text:
            return None, _("%(column)s is empty", column=column)
        letter, name = text, None
        written = _SECTOR_WITH_NAME.fullmatch(text)
        if written is not None:
            letter, name = written.groups()
        letter = letter.upper()
        if letter not in sectors:
            return letter or None, _(
                "%(column)s '%(value)s' is not a VSIC section letter (%(range)s)",
                column=column,
                value=shorten(text),
                range=self.reference.sector_range(),
            )
        if name is not None and key(name) not in sectors[letter]:
            # "C – Xây dựng": the letter and the name disagree; which was meant?
            return letter, _(
                "%(column)s '%(value)s': the name is not that of section %(letter)s; "
                "choose the sector from the list, or write its letter alone",
                column=column,
                value=shorten(text),
                letter=letter,
            )
        return letter, None

    def _ownership(self, value) -> Outcome:
        text = text_of(value)
        if not text:
            return None, None
        ownership = OWNERSHIP_VALUES.get(key(text))
        if ownership is None:
            return None, _(
                "%(column)s '%(value)s' is not one of %(choices)s",
                column=self._name("ownership"),
                value=shorten(text),
                choices=_choices(OWNERSHIP_LABELS),
            )
        return ownership, None

    def _employees(self, value) -> Outcome:
        column = self._name("employees")
        if blank(value):
            return None, None
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
            return number, None
        return None, message

    def _amount(self, column: str, value) -> Outcome:
        """An amount in billion đồng as whole đồng, read by the one money parser (survey.money)."""
        try:
            return amount_of(value), None
        except money.AmountError as exc:
            name, typed = self._name(column), shorten(text_of(value))
            if exc.reason == "ambiguous" and exc.readings:
                small, large = exc.readings
                return None, _(
                    "%(column)s '%(value)s' can be read as %(small)s or as %(large)s billion đồng: "
                    "type the one you mean",
                    column=name,
                    value=typed,
                    small=small,
                    large=large,
                )
            return None, _(
                _AMOUNT_MESSAGES.get(exc.reason, _AMOUNT_MESSAGES["format"]), column=name, value=typed
            )


#: The columns whose cells are checked one by one (``RowChecker._outcome``), in the order
#: their problems are listed; those not REQUIRED only when the row has them.
_CHECKED = ("unit", "sector", "ownership", "employees", *MONEY_COLUMNS)
_TEXTS = ("contact_name", "contact_email", "contact_phone", "address")


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
