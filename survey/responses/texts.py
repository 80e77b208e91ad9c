"""The free-text answers of a wave's unscored modules, as analysts and admins read them.

One list of every text answer of the wave (drafts and rejected responses too, marked, as
in the responses workbook: nothing is hidden from those who may read it), newest
submission first, one question or all, searched without regard to diacritics or case
(survey.responses.folding), paged in SQL. Parameters are checked against their lists
before they reach a query (``BadTextQuery``), as the responses list's are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from math import ceil

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from survey.models import Enterprise, ModuleAnswer, Response, ResponseState, ReviewState, Wave
from survey.modules import Module, module_of
from survey.modules.definition import Question
from survey.responses import folding, pinned

#: The longest search taken (longer ones are cut).
MAX_SEARCH = 100


class BadTextQuery(ValueError):
    """A parameter of the page that is not on its list."""


@dataclass(frozen=True)
class TextQuestion:
    """A text question of a module version the wave's answers belong to.

    ``key`` (``<module>.<question>``) names it in the page's filter: the same key for the
    same question of two versions of a module, so a filter outlives a new version.
    """

    key: str
    version_id: int
    module: Module
    question: Question

    def label(self, lang: str) -> str:
        return f"{self.module.title.get(lang)}: {self.question.text.get(lang)}"


@dataclass(frozen=True)
class TextQuery:
    #: ``TextQuestion.key``, or "" for every question.
    question: str = ""
    q: str = ""
    page: int = 1


@dataclass(frozen=True)
class TextAnswer:
    question: TextQuestion
    text: str
    response_id: int
    firm_name: str | None
    submitted_at: datetime | None
    state: ResponseState
    review_state: ReviewState


@dataclass(frozen=True)
class TextPage:
    rows: list[TextAnswer]
    total: int
    page: int
    pages: int


def text_questions(session: Session, wave: Wave) -> list[TextQuestion]:
    """Every text question of the module versions of ``wave`` (survey.responses.pinned), in
    journey order."""
    return [
        TextQuestion(f"{version.code}.{question.code}", version.id, module, question)
        for version in pinned.versions(session, wave)
        for module in [module_of(version)]
        for question in module.questions
        if question.kind == "text"
    ]


def carries_text(wave: Wave) -> bool:
    """Whether a module ``wave`` carries asks a text question (its page is worth a link)."""
    return any(q.kind == "text" for m in wave.modules for q in module_of(m.module_version).questions)


def parse(args, questions: list[TextQuestion]) -> TextQuery:
    """The page's parameters from the query string; anything off its list is refused."""
    question = args.get("question", "")
    if question and question not in {q.key for q in questions}:
        raise BadTextQuery(f"question={question!r} is not a text question of this wave")
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        raise BadTextQuery("page must be a number") from None
    return TextQuery(question, (args.get("q") or "").strip()[:MAX_SEARCH], page)


def _statement(wave: Wave, query: TextQuery, questions: list[TextQuestion]) -> Select:
    chosen = [q for q in questions if not query.question or q.key == query.question]
    asked = or_(
        *(
            and_(ModuleAnswer.module_version_id == q.version_id, ModuleAnswer.question == q.question.code)
            for q in chosen
        )
    )
    stmt = (
        select(
            ModuleAnswer.module_version_id,
            ModuleAnswer.question,
            ModuleAnswer.text,
            Response.id,
            func.coalesce(Response.firm_name, Enterprise.name),
            Response.submitted_at,
            Response.state,
            Response.review_state,
        )
        .join(Response, Response.id == ModuleAnswer.response_id)
        .join(Enterprise, Enterprise.id == Response.enterprise_id)
        .where(Response.wave_id == wave.id, ModuleAnswer.text.is_not(None), asked)
    )
    if query.q:
        stmt = stmt.where(folding.folded(ModuleAnswer.text).like(folding.like_pattern(query.q), escape="\\"))
    return stmt


def run(
    session: Session, wave: Wave, query: TextQuery, questions: list[TextQuestion], per_page: int
) -> TextPage:
    """One page of the text answers ``query`` asks for (an empty page if the wave has none)."""
    if not questions:
        return TextPage([], 0, 1, 1)
    if query.q:
        folding.prepare(session)
    stmt = _statement(wave, query, questions)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, ceil(total / per_page))
    page = min(query.page, pages)
    # Newest submission first, drafts last; a response's answers in the journey's order.
    position = case(
        *(
            (
                and_(
                    ModuleAnswer.module_version_id == q.version_id, ModuleAnswer.question == q.question.code
                ),
                n,
            )
            for n, q in enumerate(questions)
        ),
        else_=len(questions),
    )
    ordered = stmt.order_by(
        Response.submitted_at.is_(None), Response.submitted_at.desc(), Response.id.desc(), position
    )
    by_pair = {(q.version_id, q.question.code): q for q in questions}
    rows = [
        TextAnswer(by_pair[(version_id, code)], text, response_id, name, submitted, state, review)
        for version_id, code, text, response_id, name, submitted, state, review in session.execute(
            ordered.limit(per_page).offset((page - 1) * per_page)
        )
    ]
    return TextPage(rows, total, page, pages)
