"""Operations of the respondent journey. They flush; the view commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session

from survey.models import (
    Enterprise,
    Response,
    ResponsePillarScore,
    ResponseState,
    ReviewState,
    Sector,
    Wave,
)
from survey.respondent import tokens
from survey.responses.scoring import framework_of, profile_of, store_scorecard
from survey.scoring import AnswerProblem, Framework, InvalidAnswers, scorer_for

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


def existing_response(session: Session, wave: Wave, tax_code: str) -> Response | None:
    return session.scalar(
        select(Response)
        .join(Enterprise, Enterprise.id == Response.enterprise_id)
        .where(Enterprise.tax_code == tax_code, Response.wave_id == wave.id)
    )


def register_prefill(session: Session, tax_code: str) -> dict:
    """Non-personal register data for a tax code (name, unit, sector, size), if known."""
    firm = session.scalar(select(Enterprise).filter_by(tax_code=tax_code))
    if firm is None:
        return {}
    return {"firm_name": firm.name, **{k: getattr(firm, k) for k in PREFILL_FIELDS}}


def start_response(
    session: Session, wave: Wave, tax_code: str, profile: dict, language: str, now: datetime, token: str
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
    """
    if not wave.accepts_answers(now):
        raise WaveClosed
    existing = existing_response(session, wave, tax_code)
    if existing is not None:
        if existing.state == ResponseState.DRAFT and existing.resume_token_hash == tokens.digest(token):
            update_profile(existing, profile)
            return existing
        raise AlreadyResponded(existing.state)
    firm = session.scalar(select(Enterprise).filter_by(tax_code=tax_code))
    if firm is None:
        firm = Enterprise(
            tax_code=tax_code,
            name=profile["firm_name"],
            **{k: profile[k] for k in PREFILL_FIELDS},
        )
        session.add(firm)
    response = Response(
        wave=wave,
        enterprise=firm,
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


def open_invitation(
    session: Session, invitation, language: str, now: datetime
) -> tuple[Response, str | None]:
    """The invited firm's response in the wave, created from the register on first use.

    Returns the response and, when it was created now, its new resume token. The
    invitation only ever reaches its own firm's response.
    """
    if invitation.opened_at is None:
        invitation.opened_at = now
    response = session.scalar(
        select(Response).filter_by(enterprise_id=invitation.enterprise_id, wave_id=invitation.wave_id)
    )
    if response is not None:
        return response, None
    wave = invitation.wave
    if not wave.accepts_answers(now):
        raise WaveClosed
    firm = invitation.enterprise
    token, token_hash = tokens.new_token()
    response = Response(
        wave=wave,
        enterprise=firm,
        resume_token_hash=token_hash,
        language=language,
        answers={},
        technologies=[],
        firm_name=firm.name,
        contact_name=firm.contact_name,
        contact_email=firm.contact_email,
        contact_phone=firm.contact_phone,
        **{k: getattr(firm, k) for k in PREFILL_FIELDS},
    )
    session.add(response)
    session.flush()
    return response, token


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


def submit(response: Response, now: datetime) -> bool:
    """Submit and score the response; False if it was already submitted (idempotent)."""
    if response.state == ResponseState.SUBMITTED:
        return False
    if not response.wave.accepts_answers(now):
        raise WaveClosed
    framework = framework_of(response.wave.framework_version)
    try:
        card = scorer_for(framework).score(response.answers, profile_of(response))
    except InvalidAnswers as exc:
        raise Incomplete(exc.problems) from None
    response.state = ResponseState.SUBMITTED
    response.submitted_at = now
    store_scorecard(response, card)
    return True


@dataclass
class PeerComparison:
    n: int
    mean_total: float
    #: Mean percent of each pillar among the peers.
    pillar_means: dict[str, float]


def peer_comparison(session: Session, response: Response, min_group: int) -> PeerComparison | None:
    """How submitted firms of the same sector group and size class did in this wave.

    None unless at least ``min_group`` other firms qualify: fewer would be unstable
    and could reveal individual firms' answers.
    """
    if response.sector_code is None or response.size_class is None:
        return None
    group = session.scalar(select(Sector.size_group).filter_by(code=response.sector_code))
    peers = (
        select(Response.id, Response.total_points)
        .join(Sector, Sector.code == Response.sector_code)
        .where(
            Response.wave_id == response.wave_id,
            Response.state == ResponseState.SUBMITTED,
            Response.review_state != ReviewState.REJECTED,
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
    return PeerComparison(n=n, mean_total=float(mean_total), pillar_means={c: float(v) for c, v in rows})
