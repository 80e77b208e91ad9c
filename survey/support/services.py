"""The catalogue against the survey: the programmes for one firm, and each programme's reach.

``matching_for`` gives the result page the programmes that fit the firm, best first, with
why each fits in the firm's words. ``reach`` counts, for the dashboard, how many of a
wave's counted responses (survey.reports.counted: submitted, not rejected) each
programme fits, from the stored scorecards, in one pass over the wave's rows; and
estimates how many of the register's firms that is, weighted by the rollup's strata.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.frameworks import framework_of
from survey.models import ModuleAnswer, ModuleVersion, Response, ResponsePillarScore, SupportProgramme, Wave
from survey.models.business import is_personal
from survey.models.size_class import SizeClass
from survey.reports.counted import counted_in
from survey.responses import modules as response_modules
from survey.scoring import Scorecard
from survey.scoring.criteria import Text
from survey.statistics import dimensions
from survey.statistics.rollup import DEFAULT_STRATA, register_counts
from survey.support import matching
from survey.support.vocabulary import NEEDS_MODULE, NEEDS_QUESTION


def period(starts_on: date | None, ends_on: date | None) -> str | None:
    """When a programme runs, in words (None: no dates, it runs for as long as it is active)."""
    start = format_date(starts_on, "long") if starts_on else None
    end = format_date(ends_on, "long") if ends_on else None
    if start and end:
        return _("From %(start)s to %(end)s", start=start, end=end)
    if start:
        return _("From %(start)s", start=start)
    if end:
        return _("Until %(end)s", end=end)
    return None


def _value(value):
    return getattr(value, "value", value)


def size_of(size_class, kind) -> str | None:
    """The size a programme's ``sizes`` are compared with: a household or individual
    business is ``household`` even before its size class is derived."""
    if size_class:
        return _value(size_class)
    return SizeClass.HOUSEHOLD.value if kind and is_personal(kind) else None


@dataclass(frozen=True)
class Offer:
    """A programme on the result page, and why it fits, in words."""

    programme: SupportProgramme
    #: Labels of the needs the firm ticked that it serves.
    needs: tuple[Text, ...]
    #: The name of the firm's weakest pillar, when it serves that pillar at its level.
    weakest: Text | None
    #: When it runs, in words (None: no dates).
    period: str | None


def _ticked_needs(response: Response) -> tuple[frozenset[str], dict[str, Text]]:
    """(codes, labels) of the needs the response ticked, as its own module version words them."""
    for carried, answers in response_modules.all_answers(response):
        question = carried.module.question(NEEDS_QUESTION) if carried.module.code == NEEDS_MODULE else None
        if question is not None:
            ticked = answers.get(NEEDS_QUESTION) or []
            return frozenset(ticked), {o.code: o.label for o in question.options}
    return frozenset(), {}


def matching_for(session: Session, response: Response, card: Scorecard, today: date) -> list[Offer]:
    """The programmes that fit the firm of ``response`` (scored ``card``) on ``today``, best first."""
    programmes = session.scalars(select(SupportProgramme).where(SupportProgramme.active.is_(True))).all()
    if not programmes:
        return []
    needs, need_labels = _ticked_needs(response)
    facts = matching.FirmFacts(
        overall_level=card.overall_level,
        pillar_levels={p.code: p.level for p in card.pillars},
        size_class=size_of(response.size_class, response.kind),
        kind=_value(response.kind),
        needs=needs,
        weakest=matching.weakest_pillar((p.code, p) for p in card.pillars),
    )
    found = matching.matches(programmes, facts, today)
    if not found:
        return []
    pillar_names = {p.code: p.name for p in framework_of(response.wave.framework_version).pillars}
    return [
        Offer(
            programme=m.programme,
            # A need it serves is one the firm ticked, so the firm's module version words it.
            needs=tuple(need_labels[code] for code in m.needs if code in need_labels),
            weakest=pillar_names.get(facts.weakest) if m.for_weakest and facts.weakest else None,
            period=period(m.programme.starts_on, m.programme.ends_on),
        )
        for m in found
    ]


@dataclass(frozen=True)
class ProgrammeReach:
    programme: SupportProgramme
    #: Counted responses of the wave the programme fits, and their share of all of them.
    matched: int
    share: float | None
    #: Estimated firms of the register it fits (None: too few responses to estimate).
    estimate: int | None
    #: It has not started yet (listed so that the department can size it beforehand).
    upcoming: bool

    @property
    def period(self) -> str | None:
        """When it runs, in words (in the request's language, so read only when shown)."""
        return period(self.programme.starts_on, self.programme.ends_on)


@dataclass(frozen=True)
class Reach:
    #: Counted responses of the wave (under the dashboard's filters).
    respondents: int
    #: Firms of the register the wave is for, and the share of them in strata with responses.
    register_size: int
    covered: float | None
    #: The strata the estimate is weighted by (survey.statistics.rollup).
    strata: tuple[str, ...]
    rows: tuple[ProgrammeReach, ...]

    def __bool__(self) -> bool:
        return bool(self.rows)


Key = tuple


def _firms(session: Session, wave: Wave, strata: tuple[str, ...], filters: dict | None):
    """(stratum key, facts) of every counted response of ``wave``: one query for the
    scorecards (a row per pillar) and one for the ticked needs, read once each."""
    query, cols = dimensions.columns(
        select(Response.id).select_from(Response).outerjoin(ResponsePillarScore), strata, Response, filters
    )
    rows = session.execute(
        query.with_only_columns(
            Response.id.label("support_response"),
            Response.overall_level.label("support_overall"),
            Response.size_class.label("support_size"),
            Response.kind.label("support_kind"),
            ResponsePillarScore.pillar_code.label("support_pillar"),
            ResponsePillarScore.level.label("support_level"),
            *cols,
        )
        .where(counted_in(wave.id))
        .order_by(Response.id)
    ).all()
    needs: dict[int, set[str]] = defaultdict(set)
    for response_id, option in session.execute(
        select(ModuleAnswer.response_id, ModuleAnswer.option)
        .join(Response, Response.id == ModuleAnswer.response_id)
        .join(ModuleVersion, ModuleVersion.id == ModuleAnswer.module_version_id)
        .where(
            counted_in(wave.id),
            ModuleVersion.code == NEEDS_MODULE,
            ModuleAnswer.question == NEEDS_QUESTION,
        )
    ):
        needs[response_id].add(option)
    firms: dict[int, tuple[Key, dict, list]] = {}
    for row in rows:
        response_id, overall, size, kind, pillar, level, *key = row
        if response_id not in firms:
            firms[response_id] = (tuple(_value(v) for v in key), {}, [overall, size, kind])
        if pillar is not None:
            firms[response_id][1][pillar] = level
    return [
        (
            key,
            matching.FirmFacts(
                overall_level=overall,
                pillar_levels=levels,
                size_class=size_of(size, kind),
                kind=_value(kind),
                needs=frozenset(needs.get(response_id, ())),
            ),
        )
        for response_id, (key, levels, (overall, size, kind)) in firms.items()
    ]


def reach(
    session: Session,
    wave: Wave,
    today: date,
    filters: dict | None = None,
    strata: tuple[str, ...] | list[str] = DEFAULT_STRATA,
    min_group: int = 1,
) -> Reach:
    """How many of ``wave``'s counted responses each active programme that has not ended fits.

    Programmes yet to start are counted too: sizing one is why the department asks. The
    estimate for the register is post-stratified like the headline: in each stratum the
    respondents' share fitting the programme times the register's firms there, summed over
    the strata with responses (``covered`` says how much of the register that is). Below
    ``min_group`` respondents no estimate is made.
    """
    strata = tuple(strata)
    programmes = [
        p
        for p in session.scalars(select(SupportProgramme).where(SupportProgramme.active.is_(True)))
        if p.ends_on is None or today <= p.ends_on
    ]
    if not programmes:
        return Reach(0, 0, None, strata, ())
    firms = _firms(session, wave, strata, filters)
    register = {
        tuple(_value(v) for v in row[:-1]): row[-1]
        for row in register_counts(session, list(strata), filters, wave.business_kinds)
    }
    respondents: dict[Key, int] = defaultdict(int)
    matched: dict[int, dict[Key, int]] = {p.id: defaultdict(int) for p in programmes}
    for key, facts in firms:
        respondents[key] += 1
        for programme in programmes:
            if matching.fits(programme, facts):
                matched[programme.id][key] += 1
    covered_keys = [k for k in respondents if all(v is not None for v in k) and register.get(k)]
    register_size = sum(register.values())
    n = len(firms)
    estimating = n >= min_group and bool(covered_keys)

    def estimate(programme: SupportProgramme) -> int | None:
        if not estimating:
            return None
        counts = matched[programme.id]
        return round(sum(register[k] * counts.get(k, 0) / respondents[k] for k in covered_keys))

    rows = [
        ProgrammeReach(
            programme=p,
            matched=sum(matched[p.id].values()),
            share=sum(matched[p.id].values()) / n if n else None,
            estimate=estimate(p),
            upcoming=p.starts_on is not None and today < p.starts_on,
        )
        for p in programmes
    ]
    rows.sort(key=lambda r: (-r.matched, *matching.name_key(r.programme.name), r.programme.id))
    covered = sum(register[k] for k in covered_keys) / register_size if register_size else None
    return Reach(n, register_size, covered, strata, tuple(rows))
