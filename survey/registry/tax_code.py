"""Vietnamese enterprise tax codes (mã số thuế), checked with python-stdnum."""

from __future__ import annotations

from stdnum.exceptions import ValidationError
from stdnum.vn import mst


class TaxCodeError(ValueError):
    """A tax code that is not valid; the message says why, for the person who typed it.

    ``reason`` is a stable key (empty, format, length, checksum, branch) that forms use
    to show the message in the respondent's language.
    """

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


def normalise(value: str) -> str:
    """Return the canonical form ``0100233488`` or ``0100233488-001``.

    Raises TaxCodeError with a reason: wrong length, non-digits, or a bad check digit.
    """
    if not isinstance(value, str) or not value.strip():
        raise TaxCodeError("empty", "The tax code is empty.")
    if not mst.compact(value).isdigit():
        raise TaxCodeError(*_REASONS["InvalidFormat"])
    try:
        compact = mst.validate(value)
    except ValidationError as exc:
        raise TaxCodeError(*_reason(exc)) from exc
    return mst.format(compact)


_REASONS = {
    "InvalidChecksum": (
        "checksum",
        "The check digit (10th digit) does not match: please re-check the code.",
    ),
    "InvalidLength": (
        "length",
        "A tax code has 10 digits, or 13 with a branch suffix (0100233488-001).",
    ),
    "InvalidFormat": (
        "format",
        "A tax code contains only digits, with an optional -NNN branch suffix.",
    ),
    "InvalidComponent": ("branch", "The branch suffix must be between 001 and 999."),
}


def _reason(exc: ValidationError) -> tuple[str, str]:
    return _REASONS.get(type(exc).__name__, ("format", "The tax code is not valid."))
