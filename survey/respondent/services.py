"""Operations of the respondent journey. They flush; the view commits once."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Float, cast, func, or_, select
from sqlalchemy.orm import Session

from survey import audit, tokens
from survey.models import (
    BusinessKind,
    Enterprise,
    IdType,
    Response,
    ResponsePillarScore,
    ResponseState,
    Sector,
    Wave,
)
from survey.models.business import id_type_of, is_personal
from survey.reports.counted import counted_in
from survey.responses.resume import take_over
from survey.responses.scoring import profile_of
from survey.scoring import AnswerProblem, Framework, scorer_for
from survey.timezone import LOCAL

#: Profile fields a respondent fills in, kept on the response as its snapshot.
PROFILE_FIELDS = (
    "firm_name",
    "unit_id",
    "sector_code",
    "ownership",
    "employees",
    "revenue_vnd",
    "capital_vnd",
    "contact_name",
    "contact_email",
    "contact_phone",
)
#: What the register may prefill for anybody who types a tax code: nothing personal.
PREFILL_FIELDS = ("unit_id", "sector_code", "ownership", "employees", "revenue_vnd", "capital_vnd")


class AlreadyResponded(Exception):
    """The firm already has a response in this wave (``state`` says which kind)."""

    def __init__(self, state: ResponseState):
        self.state = state
        super().__init__(state.value)


class WaveClosed(Exception):
    """The wave does not accept answers now."""


class Incomplete(Exception):
    def __init__(self, problems: list[AnswerProblem]):
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


def business_match(kind: BusinessKind | str, identifier: str):
    """The condition that finds one business: a tax code is one business whatever kind it
    is filed as; a personal ID with the kind (one person may run a household business and
    also trade as an individual)."""
    if is_personal(kind):
        return (Enterprise.tax_code == identifier) & (Enterprise.kind == BusinessKind(kind))
    return (Enterprise.tax_code == identifier) & (Enterprise.id_type != IdType.CCCD12)


def find_business(session: Session, kind: BusinessKind | str, identifier: str) -> Enterprise | None:
    return session.scalar(select(Enterprise).where(business_match(kind, identifier)))


def existing_response(
    session: Session, wave: Wave, identifier: str, kind: BusinessKind | str = BusinessKind.ENTERPRISE
) -> Response | None:
    """The business's response in ``wave``, or in any other wave taking answers now: a
    business answers one wave at a time, whatever kind it was filed as."""
    now = datetime.now(UTC)
    open_now = select(Wave.id).where(Wave.accepts_answers(now))
    return session.scalars(
        select(Response)
        .join(Enterprise, Enterprise.id == Response.enterprise_id)
        .where(
            business_match(kind, identifier), or_(Response.wave_id == wave.id, Response.wave_id.in_(open_now))
        )
        .order_by(Response.wave_id != wave.id)
    ).first()


def register_prefill(
    session: Session, identifier: str, kind: BusinessKind | str = BusinessKind.ENTERPRISE
) -> dict:
    """Non-personal register data for a tax code (name, unit, sector, size), if known.

    Nothing for a personal ID: a household business's name, place and revenue tied to a
    person's number are that person's data, and whoever types the number is not known to
    be them (the business's personal link prefills instead).
    """
    if is_personal(kind):
        return {}
    firm = find_business(session, kind, identifier)
    if firm is None:
        return {}
    return {"firm_name": firm.name, **{k: getattr(firm, k) for k in PREFILL_FIELDS}}


def start_response(
    session: Session,
    wave: Wave,
    tax_code: str,
    profile: dict,
    language: str,
    now: datetime,
    token: str,
    kind: BusinessKind | str = BusinessKind.ENTERPRISE,
) -> Response:
    """Create the firm's draft for ``wave``, reachable with the resume ``token``.

    The token is drawn when the respondent starts and kept in their session, so a
    retried request (the answer to the first was lost, say the server restarted) finds
    the draft it made and carries on, instead of being told the firm already began.
    Anyone else starting for the same firm is refused.

    A firm new to the register is added to it from what the respondent typed; an
    existing register entry is left as staff maintain it (the response keeps its own
    snapshot). The unique constraint on (enterprise, wave) is the last word: a
    concurrent start for the same firm fails on flush, and the caller reports it.
    ``kind`` is what the respondent said the business is; the identifier was checked for
    it (survey.registry.identifiers), and the wave must be for it.
    """
    kind = BusinessKind(kind)
    if not wave.accepts_answers(now) or not wave.serves(kind):
        raise WaveClosed
    existing = existing_response(session, wave, tax_code, kind)
    if existing is not None:
        if existing.state == ResponseState.DRAFT and existing.resume_token_hash == tokens.digest(token):
            update_profile(existing, profile)
            return existing
        raise AlreadyResponded(existing.state)
    firm = find_business(session, kind, tax_code)
    if firm is None:
        firm = Enterprise(
            tax_code=tax_code,
            id_type=id_type_of(kind),
            kind=kind,
            name=profile["firm_name"],
            **{k: profile[k] for k in PREFILL_FIELDS},
        )
        session.add(firm)
    response = Response(
        wave=wave,
        enterprise=firm,
        kind=kind,
        resume_token_hash=tokens.digest(token),
        consent_at=now,
        language=language,
        answers={},
        technologies=[],
    )
    update_profile(response, profile)
    session.add(response)
    session.flush()
    return response


class TakeOverChoice(Exception):
    """The firm's draft was begun without its personal link: the firm must choose
    whether to keep what was typed or start afresh (see ``open_invitation``)."""

    def __init__(self, response: Response):
        self.response = response
        super().__init__(response.id)


#: What the firm opening its link may do with a draft begun without the link.
KEEP, AFRESH = "keep", "afresh"


def open_invitation(
    session: Session, invitation, language: str, now: datetime, choice: str | None = None
) -> tuple[Response, str, bool]:
    """Open the invited firm's response in the wave, taking it over for the firm.

    Returns the response, its new resume token and whether the response was begun (or
    submitted) without the link. The link is the firm's key: every opening draws a new
    resume token, so every other session and every resume link shown before stop
    working. The invitation only ever reaches its own firm's response.

    Anyone may type a register firm's (public) tax code on the start page, so a draft
    begun there may be a stranger's. It does not silently become the firm's: the first
    opening through the link raises ``TakeOverChoice`` until the firm chooses ``KEEP``
    (its answers and profile stay, and the firm checks them) or ``AFRESH`` (answers
    and profile go back to the register's). A submitted response cannot be undone by a
    link; it is taken over and reported as begun without the link, so the page can say
    so and the audit log records it.
    """
    if invitation.opened_at is None:
        invitation.opened_at = now
    response = session.scalar(
        select(Response).filter_by(enterprise_id=invitation.enterprise_id, wave_id=invitation.wave_id)
    )
    if response is None:
        if not invitation.wave.accepts_answers(now):
            raise WaveClosed
        token, token_hash = tokens.new_token()
        response = Response(
            wave=invitation.wave,
            enterprise=invitation.enterprise,
            kind=invitation.enterprise.kind,
            invitation_id=invitation.id,
            resume_token_hash=token_hash,
            language=language,
            answers={},
            technologies=[],
        )
        _prefill_from_register(response, invitation.enterprise)
        session.add(response)
        session.flush()
        return response, token, False
    stranger = response.invitation_id is None
    if stranger and response.state == ResponseState.DRAFT:
        if choice not in (KEEP, AFRESH):
            raise TakeOverChoice(response)
        if choice == AFRESH:
            response.answers = {}
            response.technologies = []
            _prefill_from_register(response, invitation.enterprise)
        # The firm agrees to the privacy notice itself, on the firm page.
        response.consent_at = None
    if stranger:
        audit.record(
            session,
            "response.taken_over",
            response,
            invitation_id=invitation.id,
            state=response.state,
            choice=choice,
        )
    response.invitation_id = invitation.id
    return response, take_over(response), stranger


def _prefill_from_register(response: Response, firm: Enterprise) -> None:
    response.firm_name = firm.name
    for field in ("contact_name", "contact_email", "contact_phone", *PREFILL_FIELDS):
        setattr(response, field, getattr(firm, field))


def holds(response: Response, token: str | None) -> bool:
    """Whether a session's resume ``token`` still opens ``response``."""
    if not token or not response.resume_token_hash:
        return False
    return hmac.compare_digest(response.resume_token_hash, tokens.digest(token))


def editable(response: Response, now: datetime) -> bool:
    """Whether the respondent may still change the response (profile or answers).

    A submitted response is final (staff may reopen it); a draft is read-only once
    its wave takes no answers, so what the department counts at the close is what was
    there at the close.
    """
    return response.state == ResponseState.DRAFT and response.wave.accepts_answers(now)


def update_profile(response: Response, profile: dict) -> None:
    for field in PROFILE_FIELDS:
        setattr(response, field, profile.get(field))


def find_by_token(session: Session, token: str) -> Response | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(select(Response).filter_by(resume_token_hash=tokens.digest(token)))


def save_answers(response: Response, codes: list[str], answers: dict) -> None:
    """Replace the answers to ``codes`` (one page) and keep the rest.

    A new dict is assigned, not the old one mutated, so the JSON column is written.
    """
    merged = {k: v for k, v in response.answers.items() if k not in codes}
    merged.update({k: v for k, v in answers.items() if k in codes and v not in (None, [], "")})
    response.answers = merged


def save_technologies(response: Response, codes: list[str]) -> None:
    response.technologies = list(codes)


def missing(framework: Framework, response: Response) -> list[AnswerProblem]:
    return scorer_for(framework).validate(response.answers, profile_of(response))


@dataclass
class PeerComparison:
    n: int
    #: Whole points: see ``peer_comparison`` for why nothing finer is shown.
    mean_total: int
    #: Mean percent of each pillar among the peers, to the nearest PEER_PERCENT_STEP.
    pillar_means: dict[str, int]


#: Pillar means are shown to the nearest 5 percent.
PEER_PERCENT_STEP = 5


def peer_cutoff(now: datetime) -> datetime:
    """The start of today in Hải Phòng: peers count from the day after they submitted."""
    local = now.astimezone(LOCAL)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def peer_comparison(
    session: Session, response: Response, min_group: int, cutoff: datetime
) -> PeerComparison | None:
    """How submitted firms of the same sector group and size class did in this wave.

    None unless at least ``min_group`` other firms qualify: fewer would be unstable
    and could reveal individual firms' answers.

    The averages must not give one firm's scores away by differencing: watching the
    mean of 6 peers become the mean of 7 when one firm submits once gave that firm's
    total within 0.1 point. So peers count only from the day after they submitted
    (``cutoff``, the start of today: the comparison changes once a day, in a batch,
    not with each submission), and the figures are coarsened (the total to whole
    points, pillars to 5 %), which leaves a difference of two days' figures many
    points wide even when a single firm joined the group that day.
    """
    if response.sector_code is None or response.size_class is None:
        return None
    group = session.scalar(select(Sector.size_group).filter_by(code=response.sector_code))
    peers = (
        select(Response.id, Response.total_points)
        .join(Sector, Sector.code == Response.sector_code)
        .where(
            counted_in(response.wave_id),  # rejected ones never, as in every figure
            Response.submitted_at < cutoff,
            Response.size_class == response.size_class,
            Sector.size_group == group,
            Response.id != response.id,
        )
        .subquery()
    )
    n, mean_total = session.execute(select(func.count(), func.avg(peers.c.total_points))).one()
    if n < min_group:
        return None
    percent = cast(ResponsePillarScore.points, Float) * 100.0 / cast(ResponsePillarScore.max_points, Float)
    rows = session.execute(
        select(ResponsePillarScore.pillar_code, func.avg(percent))
        .join(peers, peers.c.id == ResponsePillarScore.response_id)
        .group_by(ResponsePillarScore.pillar_code)
    ).all()
    step = PEER_PERCENT_STEP
    return PeerComparison(
        n=n,
        mean_total=round(float(mean_total)),
        pillar_means={code: step * round(float(value) / step) for code, value in rows},
    )
