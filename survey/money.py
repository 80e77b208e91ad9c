"""Money as people type and read it: billion đồng ("tỷ đồng"), in Vietnamese notation.

Every form that asks for an amount (the respondent's firm page, the staff correction)
shows it in billion đồng and reads it with :func:`parse_amount`; what is stored is whole
đồng (``revenue_vnd``, ``capital_vnd``). Vietnamese notation writes a decimal comma and a
dot between groups of three digits (1.250,5); phones and English habits send a decimal
point (2.5). So the parser reads both, and asks where the two cannot be told apart.

What :func:`parse_amount` accepts, and why:

* **Billions by default**: ``2,5`` and ``2.5`` are 2.5 billion đồng; so is ``2,5 tỷ``
  (or ``tỉ``, ``tỷ đồng``; typed with or without diacritics). ``250 triệu`` is millions.
* **Full amounts in đồng**, recognised by a suffix (``đồng``, ``đ``, ``VND``) or by size:
  a number of a million or more with no unit is đồng (``2500000000``,
  ``2.500.000.000``, ``2 500 000 000 đ``), since no firm has a million billion đồng of
  revenue and none has less than a million đồng. Đồng have no decimals: ``2,5 đồng`` or
  ``10000000,1`` is refused rather than rounded (it is a slip, not an amount).
* **Groups of three** may be separated by spaces, or by dots with a decimal comma, or by
  commas with a decimal point (``1.012,5``, ``1 012,5``, ``1,012.5``); every group after
  the first has exactly three digits (``12 5,5`` is refused).
* **One separator followed by exactly three digits is ambiguous** (``1.500``, ``12,000``):
  it is 1,5 with an English decimal point and 1500 in Vietnamese notation, a factor of a
  thousand either way. It is refused with a question that names both readings, unless
  the unit settles it (``1.500 đồng`` has no decimals, so it is 1500 đồng). A leading zero
  (``0,500``) or any other number of digits after the separator (``1,25``, ``1.2345``) is
  a decimal.
* Only ASCII digits, no sign, no exponent: ``-1``, ``1e3``, ``１２``, ``NaN`` and
  ``1_000`` are refused, and so is anything over ``MAX_VND`` (what the columns and the
  size rules take).

:func:`format_billions` shows a stored amount the same way, so that a prefill reads as
Vietnamese (``1,43``, not ``1.432491253``) and parses back as billions; a form keeps the
exact stored value when the shown text comes back unchanged (``MoneyField``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.widgets import TextInput

from survey.responses.folding import fold

BILLION = 10**9
MILLION = 10**6
#: The most an amount may be: 10 million billion đồng, well inside the 64-bit columns.
MAX_VND = 10**16
#: A bare number this large is whole đồng, not billions (see the module's docstring).
DONG_FROM = 10**6
#: Digits of the largest amount, and more text than any amount needs: refused before
#: Decimal() works on it (a 5000-digit "number" would otherwise be read in full).
_MAX_WHOLE_DIGITS = 17
_MAX_TEXT = 60
_MAX_FRACTION_DIGITS = 12

#: Units after the number, folded (no diacritics, no case), and what one of them is in đồng.
UNITS: dict[str, int] = {
    **dict.fromkeys(
        ["ty", "ti", "ty dong", "ti dong", "ty d", "ti d", "ty vnd", "ti vnd", "billion"], BILLION
    ),
    **dict.fromkeys(["trieu", "tr", "trieu dong", "trieu d", "trieu vnd", "million"], MILLION),
    **dict.fromkeys(["dong", "d", "vnd"], 1),
}
_NUMBER_AND_UNIT = re.compile(r"(?P<number>[0-9](?:[0-9., ]*[0-9])?)\s*(?P<unit>[^0-9]*)")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_MINUS = ("-", "\u2212", "\u2013")

MESSAGES = {
    "format": _l(
        "Type the amount in billion VND, e.g. 2,5 for two and a half billion, or the full "
        "amount followed by đồng, e.g. 2.500.000.000 đồng."
    ),
    "negative": _l("An amount cannot be negative. Type 0 or more, e.g. 2,5."),
    "too_large": _l(
        "That is more than 10.000.000 billion VND. Type the amount in billion VND, e.g. 2,5 "
        "for two and a half billion."
    ),
    "whole_dong": _l(
        "An amount in đồng (a number of a million or more, or one followed by đồng) has no "
        "decimals. Type it whole, e.g. 2.500.000.000 đồng, or in billion VND, e.g. 2,5."
    ),
}
UNIT_WORDS = {BILLION: _l("billion VND"), MILLION: _l("million VND")}


class AmountError(ValueError):
    """What is wrong with a typed amount; ``message`` is what to show beside the field.

    ``reason`` is one of MESSAGES' keys or ``"ambiguous"`` (then ``readings`` holds the
    two ways the number reads), so that callers with their own wording (the register
    import) can say it their way.
    """

    def __init__(
        self, reason: str, typed: str = "", readings: tuple[str, str] | None = None, unit: int = BILLION
    ):
        super().__init__(reason)
        self.reason, self.typed, self.readings, self.unit = reason, typed, readings, unit

    @property
    def message(self) -> str:
        if self.reason == "ambiguous" and self.readings:
            small, large = self.readings
            return gettext(
                "Is “%(typed)s” %(small)s or %(large)s %(unit)s? Type %(small)s or %(large)s, so that "
                "it cannot be misread.",
                typed=self.typed,
                small=small,
                large=large,
                unit=UNIT_WORDS[self.unit],
            )
        return str(MESSAGES[self.reason])


@dataclass(frozen=True)
class _Number:
    whole: str
    fraction: str
    #: One separator then three digits: ``whole + fraction`` is the other reading.
    ambiguous: bool = False


def _groups_ok(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _read_number(text: str) -> _Number:
    """The digits before and after the decimal separator of ``text`` (digits, ``.``, ``,``, spaces)."""
    parts = re.split(r"([., ])", text)
    groups, seps = parts[0::2], parts[1::2]
    if any(not g for g in groups):
        raise AmountError("format")
    if not seps:
        return _Number(groups[0], "")
    kinds = set(seps)
    decimal: str | None = None
    if " " in kinds or kinds == {".", ","}:
        # Spaces, or the other mark, group the thousands; a last dot or comma is the decimal one.
        if seps[-1] in ".," and (" " in kinds or seps.count(seps[-1]) == 1):
            decimal, grouping = seps[-1], seps[:-1]
        else:
            grouping = seps
        if len(set(grouping)) > 1 or decimal in grouping:
            raise AmountError("format")
        if decimal and " " in kinds and len(groups[-1]) == 3:
            # "1 000.000": a million grouped two ways, or a thousand with three decimals.
            raise AmountError("format")
    elif len(seps) > 1:
        grouping = seps  # 2.500.000.000 or 2,500,000,000: all thousands, no decimals
    else:
        before, after = groups
        if len(after) == 3 and len(before) <= 3 and not before.startswith("0"):
            return _Number(before, after, ambiguous=True)
        decimal, grouping = seps[0], []
    whole_groups = groups[: len(grouping) + 1]
    if grouping and not _groups_ok(whole_groups):
        raise AmountError("format")
    return _Number("".join(whole_groups), groups[-1] if decimal else "")


def _vietnamese(whole: str, fraction: str) -> str:
    return whole + (f",{fraction}" if fraction else "")


def parse_amount(raw: str | None) -> int | None:
    """Whole đồng for what a person typed (None if nothing); AmountError if it is not an amount."""
    text = _SPACES.sub(" ", raw or "").strip()
    if not text:
        return None
    if len(text) > _MAX_TEXT:
        raise AmountError("format")
    if text.startswith(_MINUS):
        raise AmountError("negative")
    match = _NUMBER_AND_UNIT.fullmatch(text)
    if not match:
        raise AmountError("format")
    typed, unit_text = match["number"], " ".join((fold(match["unit"]) or "").split())
    if unit_text and unit_text not in UNITS:
        raise AmountError("format")
    number = _read_number(typed)
    unit = UNITS.get(unit_text)
    if number.ambiguous:
        if unit != 1:
            readings = (
                _vietnamese(number.whole, number.fraction.rstrip("0")),
                number.whole + number.fraction,
            )
            raise AmountError("ambiguous", typed, readings, unit or BILLION)
        number = _Number(number.whole + number.fraction, "")
    if len(number.whole.lstrip("0")) > _MAX_WHOLE_DIGITS:
        raise AmountError("too_large")
    if len(number.fraction) > _MAX_FRACTION_DIGITS:
        raise AmountError("format")
    amount = Decimal(f"{number.whole}.{number.fraction or '0'}")
    if unit is None:
        unit = 1 if amount >= DONG_FROM else BILLION
    if unit == 1 and number.fraction.strip("0"):
        raise AmountError("whole_dong")
    vnd = int((amount * unit).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if vnd > MAX_VND:
        raise AmountError("too_large")
    return vnd


def format_billions(vnd: int) -> str:
    """``vnd`` in billion đồng, Vietnamese notation: 1_432_491_253 → "1,43".

    Two decimals, trailing zeros dropped; amounts under 0,1 billion keep two significant
    digits (0,0015), so that nothing above zero shows as 0. Groups of three get dots except
    in a whole number of one to two groups (1500, not "1.500", which the parser would have
    to ask about); from a million billion on the text ends in "tỷ", which parses back as
    billions whatever its size.
    """
    amount = Decimal(vnd) / BILLION
    places = 2
    if 0 < amount < Decimal("0.1"):
        places = min(9, 1 - amount.adjusted())
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{rounded:f}".partition(".")
    fraction = fraction.rstrip("0")
    if len(whole) > 6 or (len(whole) > 3 and fraction):
        whole = f"{int(whole):,}".replace(",", ".")
    text = _vietnamese(whole, fraction)
    return f"{text} tỷ" if rounded >= DONG_FROM else text


class MoneyField(Field):
    """An amount in billion đồng on the page, whole đồng in ``data``.

    The box is shown with the numeric keypad of phones (``inputmode="decimal"``). A
    prefill shows the stored value rounded (``format_billions``); when that text comes
    back unchanged, ``data`` is the stored value itself, so saving a page never rounds an
    amount nobody touched.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_billions(self.data)

    def process_data(self, value) -> None:
        self.data = None if value is None else int(value)

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        text = valuelist[0] if isinstance(valuelist[0], str) else ""
        stored = self.object_data
        if stored is not None and text.strip() == format_billions(int(stored)):
            self.data = int(stored)
            return
        try:
            self.data = parse_amount(text)
        except AmountError as exc:
            self.data = None
            raise ValueError(exc.message) from None
