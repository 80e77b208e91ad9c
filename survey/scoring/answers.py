"""Answers in words: what a person reads for a stored answer (review, staff, workbooks).

Pure like the rest of the scoring package; the caller gives the language and the
words for "not answered", so no translation machinery is needed here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from survey.scoring.definition import NOT_APPLICABLE, Criterion, Framework, Kind


def format_number(raw: str, lang: str) -> str:
    """A stored decimal string for reading: 1234567.5 -> "1.234.567,5" in Vietnamese."""
    value = Decimal(raw)
    whole, _, fraction = f"{value:,f}".partition(".")
    fraction = fraction.rstrip("0")
    if lang == "en":
        return whole + (f".{fraction}" if fraction else "")
    return whole.replace(",", ".") + (f",{fraction}" if fraction else "")


def figure_parts(framework: Framework, criterion: Criterion, answers: dict) -> tuple[str | None, str | None]:
    """The reported numerator and denominator (shared or the criterion's own), as stored."""
    answer = answers.get(criterion.code)
    value = answer.get("value") if isinstance(answer, dict) else None
    if criterion.base:
        of = answers.get(criterion.base)
    else:
        of = answer.get("of") if isinstance(answer, dict) else None
    return (value if isinstance(value, str) else None, of if isinstance(of, str) else None)


def describe(
    framework: Framework, criterion: Criterion, answers: dict, lang: str, na_text: str = ""
) -> str | None:
    """The answer to ``criterion`` in words, or None when it is not answered."""
    answer: Any = answers.get(criterion.code)
    if answer is None:
        return None
    if answer == NOT_APPLICABLE and framework.allows_not_applicable:
        return na_text
    if criterion.kind is Kind.FIGURE:
        value, of = figure_parts(framework, criterion, answers)
        if value is None or of is None:
            return None
        unit = criterion.unit.get(lang) if criterion.unit else ""
        share = ""
        if Decimal(of):
            share = f" ({format_number(str(round(Decimal(value) * 100 / Decimal(of), 1)), lang)}%)"
        return f"{format_number(value, lang)} / {format_number(of, lang)} {unit}{share}".strip()
    chosen = answer if isinstance(answer, list) else [answer]
    labels = [o.label.get(lang) for o in criterion.options if o.code in chosen]
    return "; ".join(labels) or None
