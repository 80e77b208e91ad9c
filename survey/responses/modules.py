"""A response's answers to the unscored modules its wave carries. Flushes, never commits.

Saving a module page pins the response to that module version (ResponseModule) and
replaces its rows for it, so a page saved twice stores the second answers only.
"""

from __future__ import annotations

from survey.models import ModuleAnswer, Response, ResponseModule
from survey.models.base import utcnow
from survey.modules import Carried, carried
from survey.modules import answers as module_answers


def answers_of(response: Response, carried_module: Carried) -> dict:
    """The response's answers to one module (empty if its page was never saved)."""
    rows = [
        (a.question, a.option, a.number, a.text)
        for a in response.module_answers
        if a.module_version_id == carried_module.version.id
    ]
    return module_answers.from_rows(carried_module.module, rows)


def all_answers(response: Response) -> list[tuple[Carried, dict]]:
    """Each module of the response's wave with the response's answers to it."""
    return [(c, answers_of(response, c)) for c in carried(response.wave)]


def save(response: Response, carried_module: Carried, answers: dict) -> None:
    """Store ``answers`` to one module in place of what was stored; pins the version."""
    version_id = carried_module.version.id
    for old in [a for a in response.module_answers if a.module_version_id == version_id]:
        response.module_answers.remove(old)
    for question, option, number, text in module_answers.to_rows(carried_module.module, answers):
        response.module_answers.append(
            ModuleAnswer(
                module_version_id=version_id, question=question, option=option, number=number, text=text
            )
        )
    pin = next((p for p in response.module_pins if p.module_version_id == version_id), None)
    if pin is None:
        response.module_pins.append(ResponseModule(module_version_id=version_id, answered_at=utcnow()))
    else:
        pin.answered_at = utcnow()
    response.updated_at = utcnow()


def missing(response: Response) -> list[tuple[Carried, str]]:
    """(module, question code) of every required question not answered yet."""
    return [
        (c, code)
        for c, answers in all_answers(response)
        for code in module_answers.missing(c.module, answers)
    ]
