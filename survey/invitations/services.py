"""Personal invitation links: issue, revoke, reissue, follow up. Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from survey import audit, tokens
from survey.exports.cells import identifier
from survey.models import AdminUnit, Enterprise, IdType, Invitation, Response, ResponseState, Sector, Wave
from survey.models.base import utcnow
from survey.reports import filters as report_filters
from survey.responses.resume import shut_out
from survey.spreadsheets import Table, columns, save

STATUSES = ("not_opened", "opened", "draft", "submitted")
#: The report filters an issue offers (survey.reports.filters), on the register's firms.
FILTERS = ("unit", "former_area", "sector")


@dataclass
class IssuedLink:
    invitation: Invitation
    enterprise: Enterprise
    token: str


class AlreadyReplaced(Exception):
    """The link was revoked or replaced already (by someone else, or a second click)."""


def lock_wave(session: Session, wave_id: int) -> None:
    """Serialise issuing and revoking for one wave.

    At most one live link per firm and wave is a unique index; two issues at the same
    moment would both find a firm without a link and the second would fail on it. On
    PostgreSQL the wave's row lock makes the second wait for the first and then see its
    links; SQLite writers are serialised already (``BEGIN IMMEDIATE``).
    """
    session.execute(select(Wave.id).where(Wave.id == wave_id).with_for_update())


def _submitted(wave: Wave):
    """The firms that submitted a response in ``wave``."""
    return select(Response.enterprise_id).where(
        Response.wave_id == wave.id, Response.state == ResponseState.SUBMITTED
    )


def _candidates(wave: Wave, filters: dict, include_submitted: bool):
    """The register firms matching ``filters`` that have no live link in ``wave``.

    Firms that already submitted in the wave are left out unless ``include_submitted``:
    a link mailed to them invites a second answer from a firm that is done.
    """
    live = select(Invitation.enterprise_id).where(
        Invitation.wave_id == wave.id, Invitation.revoked_at.is_(None)
    )
    stmt = select(Enterprise).where(
        Enterprise.id.not_in(live),
        # Only the kinds of business the wave is for: a household wave invites households.
        Enterprise.kind.in_(wave.business_kinds),
        Enterprise.tax_code.is_not(None),  # a personal ID erased for retention: nobody to invite
        *report_filters.conditions(filters, Enterprise),
    )
    if not include_submitted:
        stmt = stmt.where(Enterprise.id.not_in(_submitted(wave)))
    return stmt


@dataclass(frozen=True)
class IssuePreview:
    """What issuing would do, shown before anything is created."""

    #: Links that would be created.
    count: int
    #: Firms that match and have no live link but already submitted: left out unless
    #: included (with ``include_submitted``, they are part of ``count``).
    submitted: int


def preview(session: Session, wave: Wave, filters: dict, include_submitted: bool = False) -> IssuePreview:
    """How many links ``issue`` would create now; reads only."""
    everyone = _candidates(wave, filters, include_submitted=True)
    submitted = everyone.where(Enterprise.id.in_(_submitted(wave)))

    def count(stmt) -> int:
        return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    done = count(submitted)
    total = count(everyone)
    return IssuePreview(count=total if include_submitted else total - done, submitted=done)


def issue(
    session: Session,
    wave: Wave,
    filters: dict,
    actor_id: int | None,
    personal_ids: bool = False,
    include_submitted: bool = False,
) -> list[IssuedLink]:
    """A new link for every register firm matching ``filters`` that has no live one in ``wave``
    (and, unless ``include_submitted``, has not submitted in it already).

    ``personal_ids``: the workbook made of the links shows personal IDs in full (an admin
    asked; ``links_workbook``), which the audit line records.
    """
    lock_wave(session, wave.id)
    stmt = _candidates(wave, filters, include_submitted)
    issued = []
    for firm in session.scalars(stmt.order_by(Enterprise.tax_code)):
        token, digest = tokens.new_token()
        invitation = Invitation(wave_id=wave.id, enterprise=firm, token_hash=digest, created_by_id=actor_id)
        session.add(invitation)
        issued.append(IssuedLink(invitation, firm, token))
    session.flush()
    audit.record(
        session,
        "invitations.issued",
        wave,
        count=len(issued),
        filters=filters,
        include_submitted=include_submitted,
        personal_ids=personal_ids and any(link.enterprise.id_type == IdType.CCCD12 for link in issued),
    )
    return issued


def revoke(session: Session, invitation: Invitation) -> None:
    """Revoke the link and shut out whoever already used it.

    Whoever opened the link holds a session and was shown a resume link; both open the
    firm's response through its resume token, so the token is replaced (nobody learns
    the new one: the firm comes back through a new personal link).
    """
    lock_wave(session, invitation.wave_id)
    session.refresh(invitation)
    if invitation.revoked_at is not None:
        raise AlreadyReplaced
    invitation.revoked_at = utcnow()
    shut_out(session, invitation.wave_id, invitation.enterprise_id)
    audit.record(session, "invitation.revoked", invitation, enterprise_id=invitation.enterprise_id)
    session.flush()


def reissue(session: Session, invitation: Invitation, actor_id: int | None) -> IssuedLink:
    """Revoke ``invitation`` and issue a fresh link to the same firm for the same wave.

    Raises ``AlreadyReplaced`` if the link is no longer live: reissuing it twice would
    otherwise give the firm two live links.
    """
    revoke(session, invitation)
    token, digest = tokens.new_token()
    fresh = Invitation(
        wave_id=invitation.wave_id,
        enterprise_id=invitation.enterprise_id,
        token_hash=digest,
        created_by_id=actor_id,
    )
    session.add(fresh)
    session.flush()
    audit.record(session, "invitation.reissued", fresh, replaces=invitation.id)
    return IssuedLink(fresh, invitation.enterprise, token)


def find_live(session: Session, token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(
        select(Invitation).where(
            Invitation.token_hash == tokens.digest(token), Invitation.revoked_at.is_(None)
        )
    )


def _status_column():
    return case(
        (Response.state == ResponseState.SUBMITTED, "submitted"),
        (Response.state == ResponseState.DRAFT, "draft"),
        (Invitation.opened_at.is_not(None), "opened"),
        else_="not_opened",
    )


def _live_with_response(wave: Wave):
    return _live_with_response_of(wave.id)


def _live_with_response_of(wave_id: int):
    return (
        select(Invitation)
        .outerjoin(
            Response,
            and_(Response.enterprise_id == Invitation.enterprise_id, Response.wave_id == Invitation.wave_id),
        )
        .where(Invitation.wave_id == wave_id, Invitation.revoked_at.is_(None))
    )


def status_counts(session: Session, wave: Wave) -> dict[str, int]:
    status = _status_column()
    stmt = _live_with_response(wave).with_only_columns(status, func.count()).group_by(status)
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(dict(session.execute(stmt).all()))
    return counts


def status_of(session: Session, invitation: Invitation) -> str:
    """Where one link stands (one of STATUSES)."""
    stmt = _live_with_response_of(invitation.wave_id).where(Invitation.id == invitation.id)
    return session.scalar(stmt.with_only_columns(_status_column())) or "not_opened"


def rates(session: Session, wave: Wave, by: str) -> list[dict]:
    """Invited firms and how many submitted, by unit, former area or sector."""
    column = {
        "unit": AdminUnit.name_vi,
        "area": AdminUnit.former_area,
        "sector": Sector.code,
    }[by]
    submitted = func.sum(case((Response.state == ResponseState.SUBMITTED, 1), else_=0))
    stmt = (
        _live_with_response(wave)
        .join(Enterprise, Enterprise.id == Invitation.enterprise_id)
        .outerjoin(AdminUnit, AdminUnit.id == Enterprise.unit_id)
        .outerjoin(Sector, Sector.code == Enterprise.sector_code)
        .with_only_columns(column, func.count(), submitted)
        .group_by(column)
        .order_by(column)
    )
    return [
        {"key": key, "invited": invited, "submitted": int(done or 0), "rate": (done or 0) / invited}
        for key, invited, done in session.execute(stmt)
    ]


def listing(session: Session, wave: Wave, limit: int, offset: int) -> list:
    stmt = (
        _live_with_response(wave)
        .join(Enterprise, Enterprise.id == Invitation.enterprise_id)
        .with_only_columns(
            Invitation.id,
            Enterprise.tax_code,
            Enterprise.name,
            Invitation.created_at,
            _status_column().label("status"),
            Enterprise.id_type,
            Enterprise.id_erased_at,
            Enterprise.id.label("enterprise_id"),
        )
        .order_by(Enterprise.tax_code)
        .limit(limit)
        .offset(offset)
    )
    return session.execute(stmt).all()


def links_workbook(
    links: list[IssuedLink], url_for_token, personal_ids: bool = False, erased: str = "(erased)"
) -> bytes:
    """A mail-merge workbook: firm, tax code, contact, e-mail, personal link.

    A household's personal ID is whole only with ``personal_ids`` (an admin), else masked.
    """
    workbook = Workbook(write_only=True)
    table = Table(
        workbook.create_sheet("Invitations"),
        columns(
            ["tax_code", "name", "contact_name", "contact_email", "contact_phone", "link"],
            [16, 40, 28, 32, 16, 70],
        ),
    )
    for link in links:
        firm = link.enterprise
        table.row(
            [
                identifier(firm.id_type, firm.tax_code, firm.id_erased_at, full=personal_ids, erased=erased),
                firm.name,
                firm.contact_name,
                firm.contact_email,
                firm.contact_phone,
                url_for_token(link.token),
            ]
        )
    table.close()
    return save(workbook)


@dataclass
class MailedLink:
    """A personal link made for one message (survey.invitations.mailer)."""

    invitation: Invitation
    token: str
    #: The digest the invitation had before (None: the invitation is new), to put back if
    #: the message is refused, so that the link of an earlier mail keeps working.
    previous_digest: str | None


def link_for_mail(session: Session, wave_id: int, enterprise_id: int, actor_id: int | None) -> MailedLink:
    """A fresh personal link for the firm's mail, its digest stored, the token returned only.

    The firm's live invitation in the wave, if any, keeps its row (when it was opened, the
    response it took over) and gets a new token: only digests are stored, so an earlier
    link cannot be mailed again, and the newest mail's link is the one that works (an older
    one answers "replaced by a newer one"). Unlike ``reissue`` nobody is shut out: the new
    link goes to the same firm's address. A firm without one gets a new invitation.
    """
    lock_wave(session, wave_id)
    token, digest = tokens.new_token()
    live = session.scalar(
        select(Invitation).where(
            Invitation.wave_id == wave_id,
            Invitation.enterprise_id == enterprise_id,
            Invitation.revoked_at.is_(None),
        )
    )
    if live is not None:
        previous, live.token_hash = live.token_hash, digest
        session.flush()
        return MailedLink(live, token, previous)
    fresh = Invitation(
        wave_id=wave_id, enterprise_id=enterprise_id, token_hash=digest, created_by_id=actor_id
    )
    session.add(fresh)
    session.flush()
    return MailedLink(fresh, token, None)
