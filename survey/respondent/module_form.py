"""The page of one unscored module: a field per question, built from the module definition.

Checked as strictly as the framework's pages: only the module's own scale points and
options reach the database, a value sent twice is refused, and "Save and continue" asks
for every required rating while "Save and finish later" keeps a partial page.
"""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField

from survey.modules import Module
from survey.modules.definition import Question
from survey.respondent.forms import MultiCheckboxField


def module_field(code: str) -> str:
    """A question's form field; the prefix keeps codes clear of csrf_token and action."""
    return f"m_{code}"


class ModuleForm(FlaskForm):
    module: Module
    lang: str

    @classmethod
    def for_module(cls, module: Module, lang: str) -> type[ModuleForm]:
        attrs: dict = {"module": module, "lang": lang}
        for question in module.questions:
            attrs[module_field(question.code)] = _field(module, question, lang)
        return type(f"ModuleForm_{module.code.replace('-', '_')}", (cls,), attrs)

    @classmethod
    def initial(cls, answers: dict) -> dict:
        data = {}
        for question in cls.module.questions:
            value = answers.get(question.code)
            if value is not None:
                data[module_field(question.code)] = str(value) if question.kind == "rating" else value
        return data

    def field_of(self, question: Question):
        return self[module_field(question.code)]

    def check(self, complete: bool) -> bool:
        ok = self.validate()
        for question in self.module.questions:
            field = self.field_of(question)
            sent = request.form.getlist(field.name)
            if question.kind != "checklist" and len(sent) > 1:
                field.errors.append(_l("The same answer was sent twice."))
            elif question.kind == "rating":
                points = {str(p.value) for p in self.module.scale(question.scale).points}
                if field.data and field.data not in points:
                    field.errors.append(_l("Not one of the answers offered."))
                elif complete and question.is_required and not field.data:
                    field.errors.append(_l("Please choose an answer."))
            elif question.kind == "checklist":
                codes = {o.code for o in question.options}
                chosen = field.data or []
                if any(code not in codes for code in chosen):
                    field.errors.append(_l("Not one of the answers offered."))
                elif len(set(chosen)) != len(chosen):
                    field.errors.append(_l("The same answer was sent twice."))
                elif complete and question.is_required and not chosen:
                    field.errors.append(_l("Please tick at least one answer."))
            else:
                text = (field.data or "").strip()
                if len(text) > question.max_length:
                    field.errors.append(_l("Please keep this to %(n)s characters.", n=question.max_length))
                elif "\x00" in text:
                    field.errors.append(_l("This text holds characters that cannot be stored."))
                elif complete and question.is_required and not text:
                    field.errors.append(_l("Please write an answer."))
        return ok and not any(f.errors for f in self if f.name != "csrf_token")

    def answers(self) -> dict:
        result: dict = {}
        for question in self.module.questions:
            value = self.field_of(question).data
            if question.kind == "rating":
                result[question.code] = int(value) if value else None
            elif question.kind == "checklist":
                result[question.code] = list(value or [])
            else:
                result[question.code] = (value or "").strip() or None
        return result


def _field(module: Module, question: Question, lang: str):
    label = question.text.get(lang)
    if question.kind == "rating":
        # validate_choice off: check() says what is wrong in the reader's words.
        choices = [SelectChoice(str(p.value), p.label.get(lang)) for p in module.scale(question.scale).points]
        return RadioField(label, choices=choices, validate_choice=False)
    if question.kind == "checklist":
        choices = [SelectChoice(o.code, o.label.get(lang)) for o in question.options]
        return MultiCheckboxField(label, choices=choices, validate_choice=False)
    return TextAreaField(label, render_kw={"maxlength": question.max_length, "rows": 4})
