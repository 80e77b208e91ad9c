"""Unscored modules: question sets a wave carries beside its framework, defined as data.

A module file (YAML) is validated as strictly as a framework file, and it is versioned
the same way: once a version is recorded, its content never changes, and every response
is pinned to the module versions it answered (survey.models.module). Nothing here is
scored; a module's answers are reported as means and shares (survey.statistics.modules).

Three kinds of question:

- ``rating``: one point of a named scale (1..n, DBI's companion forms use 1-5); reported as
  the mean and the share at or above the module's ``high_from`` (4: "4-5");
- ``checklist``: any number of options ticked; reported as each option's share;
- ``text``: free text, read by analysts and admins only.

A rating or a checklist option may name the framework's pillars it concerns and advice
for a firm that rates it high or ticks it: the result page takes them into account.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from survey.scoring.criteria import Text, _Strict
from survey.scoring.definition import canonical_hash

_CODE = r"^[a-z][a-z0-9_]{0,39}$"


class ModuleError(ValueError):
    """A module file or definition that cannot be used; the message names where."""


class ScalePoint(_Strict):
    value: int = Field(ge=1, le=10)
    label: Text


class Scale(_Strict):
    code: str = Field(pattern=_CODE)
    #: What the scale's ends mean, said once above the questions that use it.
    points: tuple[ScalePoint, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _consecutive(self) -> Scale:
        values = [p.value for p in self.points]
        if values != list(range(1, len(values) + 1)):
            raise ValueError(f"scale {self.code}: points must be 1, 2, … in order, not {values}")
        return self

    @property
    def top(self) -> int:
        return self.points[-1].value


class Option(_Strict):
    code: str = Field(pattern=_CODE)
    label: Text
    pillars: tuple[str, ...] = ()
    advice: Text | None = None


class Question(_Strict):
    code: str = Field(pattern=_CODE)
    kind: Literal["rating", "checklist", "text"]
    text: Text
    help: Text | None = None
    #: A rating's scale (a code from the module's ``scales``).
    scale: str | None = None
    #: A checklist's options.
    options: tuple[Option, ...] = ()
    #: A rating must be answered to submit unless this says otherwise; the others need not.
    required: bool | None = None
    #: A text answer's limit in characters.
    max_length: int = Field(default=2000, ge=10, le=10000)
    #: The pillars a rating concerns, and advice for a firm that rates it high.
    pillars: tuple[str, ...] = ()
    advice: Text | None = None

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.kind == "rating" and not self.scale:
            raise ValueError(f"question {self.code}: a rating names its scale")
        if self.kind != "rating" and self.scale:
            raise ValueError(f"question {self.code}: only a rating has a scale")
        if self.kind == "checklist" and not self.options:
            raise ValueError(f"question {self.code}: a checklist needs options")
        if self.kind != "checklist" and self.options:
            raise ValueError(f"question {self.code}: only a checklist has options")
        if self.kind == "text" and (self.pillars or self.advice):
            raise ValueError(f"question {self.code}: a text question carries no pillars or advice")
        duplicates = [c for c, n in Counter(o.code for o in self.options).items() if n > 1]
        if duplicates:
            raise ValueError(f"question {self.code}: option codes used twice: {', '.join(duplicates)}")
        return self

    @property
    def is_required(self) -> bool:
        return self.required if self.required is not None else self.kind == "rating"

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


class Section(_Strict):
    code: str = Field(pattern=_CODE)
    title: Text
    intro: Text | None = None
    questions: tuple[Question, ...] = Field(min_length=1)


class Module(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9-]{1,39}$")
    version: int = Field(ge=1)
    title: Text
    #: What the page says before its questions.
    intro: Text | None = None
    source: Text
    #: "published": the questions are the instrument's own; "project": our wording of a
    #: published structure (the README says which and why).
    wording: Literal["published", "project"]
    scales: tuple[Scale, ...] = ()
    #: A rating at or above this counts as "high" (the share reported beside the mean).
    high_from: int = Field(default=4, ge=1)
    sections: tuple[Section, ...] = Field(min_length=1)
    content_hash: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Module:
        codes = [q.code for s in self.sections for q in s.questions]
        duplicates = [c for c, n in Counter(codes).items() if n > 1]
        if duplicates:
            raise ValueError(f"question codes used twice: {', '.join(duplicates)}")
        sections = [c for c, n in Counter(s.code for s in self.sections).items() if n > 1]
        if sections:
            raise ValueError(f"section codes used twice: {', '.join(sections)}")
        scales = {s.code: s for s in self.scales}
        for question in self.questions:
            if question.kind == "rating":
                scale = scales.get(question.scale or "")
                if scale is None:
                    raise ValueError(f"question {question.code}: no scale {question.scale!r}")
                if not 1 < self.high_from <= scale.top:
                    raise ValueError(f"high_from {self.high_from} is not inside scale {scale.code}")
        return self

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)

    def scale(self, code: str) -> Scale:
        return next(s for s in self.scales if s.code == code)

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"

    def check_pillars(self, pillars: set[str]) -> list[str]:
        """Pillar codes this module names that the framework ``pillars`` does not have."""
        named = {p for q in self.questions for p in q.pillars}
        named |= {p for q in self.questions for o in q.options for p in o.pillars}
        return sorted(named - pillars)


def from_dict(definition: dict[str, Any], where: str = "module") -> Module:
    """A checked module from its definition; every problem names the path of the field."""
    if not isinstance(definition, dict):
        raise ModuleError(f"{where}: a module definition is a mapping")
    try:
        module = Module.model_validate(definition)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(top level)'}: {e['msg']}" for e in error.errors()
        )
        raise ModuleError(f"{where}: {problems}") from None
    return module.model_copy(update={"content_hash": canonical_hash(definition)})


def load_file(path: Path) -> tuple[Module, dict]:
    """(module, definition as read) from a YAML file."""
    try:
        definition = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ModuleError(f"{path}: {error}") from None
    return from_dict(definition, str(path)), definition
