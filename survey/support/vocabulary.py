"""The codes a programme may name, and the words staff and firms read for them.

Pillars and levels come from the framework versions the app has recorded (the newest
version's names first: a programme is kept across waves, and versions share pillar
codes); needs from the needs checklist of the barriers-and-needs module as recorded (the
packaged file when none is recorded yet); size classes and kinds of business are the
app's own. Codes are stored; only labels are ever shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import frameworks, i18n, modules
from survey.i18n import current_language
from survey.models import BusinessKind, FrameworkVersion, ModuleVersion, SizeClass
from survey.modules import ModuleError, module_of
from survey.scoring.criteria import Text

#: The module and checklist question whose options are the needs a programme serves.
NEEDS_MODULE = "barriers-needs"
NEEDS_QUESTION = "needs"

LISTS = ("pillars", "levels", "sizes", "kinds", "needs")


@dataclass(frozen=True)
class Vocabulary:
    """Every code each list of a programme may hold, with its label, in display order."""

    pillars: tuple[tuple[str, Text], ...]
    levels: tuple[tuple[int, Text], ...]
    needs: tuple[tuple[str, Text], ...]

    @property
    def sizes(self) -> tuple[str, ...]:
        return tuple(s.value for s in SizeClass)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k.value for k in BusinessKind)

    def codes(self, name: str) -> tuple:
        """The codes list ``name`` (one of ``LISTS``) may hold."""
        if name in ("sizes", "kinds"):
            return getattr(self, name)
        return tuple(code for code, _ in getattr(self, name))

    def label(self, name: str, code) -> str:
        """The label of ``code`` in list ``name``, in the current language."""
        lang = current_language()
        if name == "sizes":
            return i18n.size_class_label(code)
        if name == "kinds":
            return i18n.kind_label(code)
        text = dict(getattr(self, name)).get(code)
        if text is None:
            return str(code)
        if name == "levels":
            return f"{code} – {text.get(lang)}"
        return text.get(lang)

    def choices(self, name: str) -> list[tuple]:
        """(code, label) of every code list ``name`` may hold, for a form."""
        return [(code, self.label(name, code)) for code in self.codes(name)]

    def labels(self, name: str, codes) -> list[str]:
        """The labels of the stored ``codes``, in display order (unknown codes last)."""
        known = self.codes(name)
        ordered = [c for c in known if c in codes] + [c for c in codes if c not in known]
        return [self.label(name, c) for c in ordered]


def _framework_terms(session: Session) -> tuple[dict[str, Text], dict[int, Text]]:
    pillars: dict[str, Text] = {}
    levels: dict[int, Text] = {}
    recorded = session.scalars(
        select(FrameworkVersion).order_by(FrameworkVersion.version.desc(), FrameworkVersion.id.desc())
    ).all()
    defined = [frameworks.framework_of(v) for v in recorded] or [
        frameworks.load(code, version) for code, version, _ in reversed(frameworks.files())
    ]
    for framework in defined:
        for pillar in framework.pillars:
            pillars.setdefault(pillar.code, pillar.name)
        for level in framework.levels:
            levels.setdefault(level.level, level.name)
    return pillars, dict(sorted(levels.items()))


def _needs(session: Session) -> dict[str, Text]:
    recorded = session.scalars(
        select(ModuleVersion).filter_by(code=NEEDS_MODULE).order_by(ModuleVersion.version.desc())
    ).all()
    try:
        defined = [module_of(v) for v in recorded] or [modules.load(NEEDS_MODULE)]
    except ModuleError:
        return {}
    needs: dict[str, Text] = {}
    for module in defined:
        question = module.question(NEEDS_QUESTION)
        for option in question.options if question else ():
            needs.setdefault(option.code, option.label)
    return needs


def vocabulary(session: Session) -> Vocabulary:
    pillars, levels = _framework_terms(session)
    return Vocabulary(
        pillars=tuple(pillars.items()), levels=tuple(levels.items()), needs=tuple(_needs(session).items())
    )
