"""The identifier each kind of business uses, checked and normalised in one place.

An enterprise or a cooperative gives its 10-digit tax code, a branch its 13-character code,
a household or individual business its representative's 12-digit personal ID (see
survey.models.business). A number of the wrong shape for the chosen kind gets its own
reason, so the page can say what was probably meant ("this looks like a branch code").
"""

from __future__ import annotations

from datetime import date

from survey.models.business import BusinessKind, IdType, id_type_of
from survey.registry import personal_id, tax_code

#: Every reason a form may have to show: the tax code's, the personal ID's, and the
#: mismatches between the kind chosen and the number typed.
MISMATCHES = (
    "personal_for_enterprise",
    "branch_for_enterprise",
    "enterprise_for_branch",
    "tax_code_for_person",
)


class IdentifierError(ValueError):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def _digits(value: str) -> str:
    return personal_id.compact(value).replace("-", "")


def normalise(kind: BusinessKind | str, value: str, today: date | None = None) -> tuple[IdType, str]:
    """(identifier type, normalised value) for a business of ``kind``; raises IdentifierError."""
    id_type = id_type_of(kind)
    digits = _digits(value or "")
    if not digits:
        raise IdentifierError("empty")
    if id_type is IdType.CCCD12:
        if len(digits) in (10, 13) and digits.isdigit():
            # A tax code of the household's own (issued before July 2025) or an enterprise's.
            raise IdentifierError("tax_code_for_person")
        try:
            return id_type, personal_id.normalise(value, today)
        except personal_id.PersonalIdError as exc:
            raise IdentifierError(exc.reason) from None
    if digits.isdigit() and len(digits) == 12:
        raise IdentifierError("personal_for_enterprise")
    if id_type is IdType.MST10 and digits.isdigit() and len(digits) == 13:
        raise IdentifierError("branch_for_enterprise")
    if id_type is IdType.MST13 and digits.isdigit() and len(digits) == 10:
        raise IdentifierError("enterprise_for_branch")
    try:
        normalised = tax_code.normalise(value)
    except tax_code.TaxCodeError as exc:
        raise IdentifierError(exc.reason) from None
    return id_type, normalised


def mask(id_type: IdType | str | None, value: str | None) -> str:
    """What those who may not see a personal ID see; a tax code is public and shown whole."""
    if id_type == IdType.CCCD12:
        return personal_id.mask(value)
    return value or ""
