"""A module's answers as the pages and reports read them, and as the rows that store them.

Answers are ``{question code: value}``: a rating's int, a checklist's list of option codes
(in the module's order), a text's stripped string. Unanswered questions are absent.
"""

from __future__ import annotations

from collections.abc import Iterable

from survey.modules.definition import Module

#: (question, option, number, text): one ModuleAnswer row.
Row = tuple[str, str, int | None, str | None]


def to_rows(module: Module, answers: dict) -> list[Row]:
    """The rows storing ``answers``; anything the module does not ask is left out."""
    rows: list[Row] = []
    for question in module.questions:
        value = answers.get(question.code)
        if value is None or value == "" or value == []:
            continue
        if question.kind == "rating":
            rows.append((question.code, "", int(value), None))
        elif question.kind == "checklist":
            ticked = set(value)
            rows.extend((question.code, o.code, None, None) for o in question.options if o.code in ticked)
        else:
            text = str(value).strip()
            if text:
                rows.append((question.code, "", None, text[: question.max_length]))
    return rows


def from_rows(module: Module, rows: Iterable[Row]) -> dict:
    """``answers`` back from stored rows (rows of questions the module lacks are ignored)."""
    answers: dict = {}
    ticked: dict[str, set[str]] = {}
    for question, option, number, text in rows:
        asked = module.question(question)
        if asked is None:
            continue
        if asked.kind == "rating" and number is not None:
            answers[question] = number
        elif asked.kind == "checklist" and option:
            ticked.setdefault(question, set()).add(option)
        elif asked.kind == "text" and text:
            answers[question] = text
    for question, options in ticked.items():
        answers[question] = [o.code for o in module.question(question).options if o.code in options]
    return answers


def missing(module: Module, answers: dict) -> list[str]:
    """Codes of the required questions ``answers`` leaves unanswered, in the module's order."""
    return [q.code for q in module.questions if q.is_required and answers.get(q.code) in (None, "", [])]


def high(module: Module, answers: dict) -> list[str]:
    """The ratings answered at or above the module's ``high_from`` (e.g. barriers rated 4-5)."""
    return [
        q.code
        for q in module.questions
        if q.kind == "rating" and isinstance(answers.get(q.code), int) and answers[q.code] >= module.high_from
    ]


def ticked(module: Module, answers: dict) -> list[tuple[str, str]]:
    """(question, option) of every ticked checklist option, in the module's order."""
    return [(q.code, o) for q in module.questions if q.kind == "checklist" for o in answers.get(q.code, [])]
