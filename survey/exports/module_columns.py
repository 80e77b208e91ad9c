"""The unscored modules' answers in the responses workbook: which columns, their cells, the codebook.

Columns come from the module definitions of the versions a wave's responses are pinned to
(``pinned_modules``), never from whatever answers happen to be stored, so a wave's workbook
has the same columns whoever answered what. Per module version, in its order:

- a rating: one integer column (the scale's value);
- a checklist: one 0/1 column per option;
- a text: the text, inert (``survey.exports.cells.text``), and only in workbooks that carry
  personal data (free text may name people): the same rule as the contact columns.

A response not pinned to a version has every cell of that version empty; a pinned one has
0 for each option it did not tick and an empty cell for a question it left unanswered.

Column codes are ``<module>_v<version>_<question>`` (``_<option>`` after a checklist's question,
``-`` of the module code as ``_``): language-neutral like every other header of the Responses
sheet, each explained in both languages in the codebook. The version is part of the code
because a version's questions are its own: two versions never share a column.

Answers are read in bulk, one query per batch of responses (``answers_by_response``), as the
rows are streamed (survey.exports.rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, null, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from survey.exports.batches import in_batch
from survey.exports.cells import text as safe_text
from survey.models import ModuleAnswer, ResponseModule, Wave
from survey.modules import Module, module_of
from survey.responses import pinned
from survey.scoring.criteria import Text

#: Kinds as the codebook names them.
RATING, TICK, TEXT = "rating", "0/1", "text"


@dataclass(frozen=True)
class Pinned:
    """A module version the workbook has columns for: its id and its definition."""

    version_id: int
    module: Module


@dataclass(frozen=True)
class ModuleColumn:
    """One column: its code (the header), codebook kind and labels, and where its value is.

    ``choices`` are the codebook's rows under it: a rating's scale points (value, vi, en).
    """

    code: str
    kind: str
    vi: str
    en: str
    width: float
    version_id: int
    question: str
    option: str | None = None
    choices: tuple[tuple[int, str, str], ...] = ()


def pinned_modules(session: Session, wave: Wave) -> list[Pinned]:
    """The module versions of ``wave``'s workbook: those it carries, in journey order, then
    any other its responses are pinned to (survey.responses.pinned)."""
    return [Pinned(v.id, module_of(v)) for v in pinned.versions(session, wave)]


def answers_by_response(connection: Connection, ids: Sequence[int], *, texts: bool) -> dict[int, dict]:
    """``{response id: {version id: [Row, ...]}}`` for the responses ``ids``, in one query.

    Every pin is there, with an empty list when its page was saved with nothing answered.
    Without ``texts`` the text answers are not even read (they stay in the database).
    """
    joined = and_(
        ModuleAnswer.response_id == ResponseModule.response_id,
        ModuleAnswer.module_version_id == ResponseModule.module_version_id,
    )
    if not texts:
        joined = and_(joined, ModuleAnswer.text.is_(None))
    query = (
        select(
            ResponseModule.response_id,
            ResponseModule.module_version_id,
            ModuleAnswer.question,
            ModuleAnswer.option,
            ModuleAnswer.number,
            ModuleAnswer.text if texts else null(),
        )
        .select_from(ResponseModule)
        .outerjoin(ModuleAnswer, joined)
        .where(in_batch(ResponseModule.response_id, ids))
    )
    found: dict[int, dict] = {}
    for response_id, version_id, question, option, number, text in connection.execute(query):
        rows = found.setdefault(response_id, {}).setdefault(version_id, [])
        if question is not None:  # None: a pin with no answer row
            rows.append((question, option, number, text))
    return found


def _code(module: Module, *parts: str) -> str:
    return "_".join((module.code.replace("-", "_"), f"v{module.version}", *parts))


def _in_both(say: Callable[..., str], **values: Text | str) -> tuple[str, str]:
    """What ``say`` (a gettext call with literal msgid, so that it is extracted) says in
    Vietnamese and in English, each ``Text`` value in the same language: the codebook gives
    every column in both."""
    said = []
    for lang in ("vi", "en"):
        with force_locale(lang):
            said.append(say(**{k: v.get(lang) if isinstance(v, Text) else v for k, v in values.items()}))
    return said[0], said[1]


def _rating(**values: str) -> str:
    return _("%(module)s: %(question)s (a rating from 1 to %(top)s; empty: not answered)", **values)


def _tick(**values: str) -> str:
    return _("%(module)s: %(question)s: %(option)s (1 = ticked, 0 = not ticked)", **values)


def _free_text(**values: str) -> str:
    return _("%(module)s: %(question)s (free text)", **values)


def columns(pinned: Iterable[Pinned], *, texts: bool) -> list[ModuleColumn]:
    """The module columns of the Responses sheet, in order; text columns only with ``texts``."""
    made: list[ModuleColumn] = []
    for p in pinned:
        module = p.module
        for question in module.questions:
            code = _code(module, question.code)
            asked = {"module": module.title, "question": question.text}
            if question.kind == "rating":
                scale = module.scale(question.scale or "")
                vi, en = _in_both(_rating, **asked, top=str(scale.top))
                points = tuple((point.value, point.label.vi, point.label.en) for point in scale.points)
                made.append(
                    ModuleColumn(code, RATING, vi, en, 10, p.version_id, question.code, choices=points)
                )
            elif question.kind == "checklist":
                for option in question.options:
                    vi, en = _in_both(_tick, **asked, option=option.label)
                    ticked = _code(module, question.code, option.code)
                    made.append(
                        ModuleColumn(ticked, TICK, vi, en, 10, p.version_id, question.code, option.code)
                    )
            elif texts:
                vi, en = _in_both(_free_text, **asked)
                made.append(ModuleColumn(code, TEXT, vi, en, 40, p.version_id, question.code))
    return made


class Cells:
    """A response's module cells, in the order of ``columns``, from its ``answers_by_response`` entry."""

    def __init__(self, made: Sequence[ModuleColumn]):
        self._columns = made

    def __call__(self, pins: dict) -> list:
        if not self._columns:
            return []
        answered: dict[int, tuple[dict, set, dict]] = {}
        for version_id, rows in pins.items():
            ratings: dict[str, int] = {}
            ticked: set[tuple[str, str]] = set()
            texts: dict[str, str] = {}
            for question, option, number, text in rows:
                if option:
                    ticked.add((question, option))
                elif number is not None:
                    ratings[question] = number
                elif text is not None:
                    texts[question] = text
            answered[version_id] = (ratings, ticked, texts)
        cells: list = []
        append = cells.append
        for column in self._columns:
            found = answered.get(column.version_id)
            if found is None:  # not pinned: nothing asked, nothing to say
                append(None)
                continue
            ratings, ticked, texts = found
            if column.kind == RATING:
                append(ratings.get(column.question))
            elif column.kind == TICK:
                append(1 if (column.question, column.option) in ticked else 0)
            else:
                append(safe_text(texts.get(column.question)))
        return cells


def check_codes(made: Sequence[ModuleColumn], taken: Iterable[str]) -> None:
    """Refuse module columns whose codes clash with each other or with the sheet's others."""
    seen = set(taken)
    for column in made:
        if column.code in seen:
            raise ValueError(f"module column {column.code!r} clashes with another column of the sheet")
        seen.add(column.code)
