"""Mail-outs: choosing the firms, queueing one message each, reminders in coverage order.

An invitation mail-out chooses the register firms of the wave by the invitation page's
filters (unit, former area, sector) and leaves out the firms that submitted already, those
that asked for no more mail, those without an e-mail address and those already mailed an
invitation in the wave. A reminder goes to the firms invited in the wave (a live link) that
have not submitted, with the same exclusions, and is queued **least-covered strata first**:
the post-stratification cells (``ROLLUP_STRATA``) whose share of the register that
answered is lowest come first, so that a mail-out cut short, or a firm's slow answer, still
spends the reminders where they reduce the bias of the estimate most.

Queueing writes the mail-out, its messages (all ``queued``) and the audit line in the
caller's unit; ``survey.invitations.mailer.deliver`` sends them afterwards. Flushes, never
commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from flask import current_app
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from survey import audit
from survey.invitations import services, templates
from survey.models import (
    Enterprise,
    Invitation,
    MailMessage,
    MailOptOut,
    MailOut,
    MailPurpose,
    MailStatus,
    Response,
    ResponseState,
    Wave,
    WaveState,
)
from survey.models.base import utcnow
from survey.reports import filters as report_filters
from survey.statistics import dimensions
from survey.statistics.rollup import register_counts, respondent_counts
from survey.timezone import LOCAL

#: Message statuses still to be sent.
PENDING = (MailStatus.QUEUED, MailStatus.SENDING)


class CountChanged(Exception):
    """The firms chosen changed since the analyst confirmed their number."""

    def __init__(self, now: int):
        super().__init__(now)
        self.now = now


def _plain(value):
    return value.value if isinstance(value, Enum) else value


def opted_out():
    return select(MailOptOut.enterprise_id)


def _submitted(wave_id: int):
    return select(Response.enterprise_id).where(
        Response.wave_id == wave_id, Response.state == ResponseState.SUBMITTED
    )


def _has_address():
    return and_(Enterprise.contact_email.is_not(None), Enterprise.contact_email != "")


def _mailed(wave_id: int, purpose: MailPurpose):
    """Firms with a message of ``purpose`` in the wave that went or is still to go."""
    return (
        select(MailMessage.enterprise_id)
        .join(MailOut, MailOut.id == MailMessage.mailout_id)
        .where(
            MailOut.wave_id == wave_id,
            MailOut.purpose == purpose,
            MailMessage.status.in_([*PENDING, MailStatus.SENT]),
        )
    )


def _invited(wave_id: int):
    return select(Invitation.enterprise_id).where(
        Invitation.wave_id == wave_id, Invitation.revoked_at.is_(None)
    )


def _pending(wave_id: int):
    """Firms with a message of the wave (either purpose) not yet sent: one at a time."""
    return (
        select(MailMessage.enterprise_id)
        .join(MailOut, MailOut.id == MailMessage.mailout_id)
        .where(MailOut.wave_id == wave_id, MailMessage.status.in_(PENDING))
    )


def _base(wave: Wave, filters: dict):
    """The register firms of the wave's kinds matching ``filters``."""
    return select(Enterprise.id).where(
        Enterprise.kind.in_(wave.business_kinds),
        Enterprise.tax_code.is_not(None),
        *report_filters.conditions(filters, Enterprise),
    )


#: Why a firm matching the filters is left out, in the order the rules apply.
REASONS = ("submitted", "opted_out", "no_address", "already_mailed", "not_invited")


def _rules(wave: Wave, purpose: MailPurpose) -> list[tuple[str, object]]:
    """(reason, the condition a firm must meet not to be left out for it)."""
    rules = [
        ("submitted", Enterprise.id.not_in(_submitted(wave.id))),
        ("opted_out", Enterprise.id.not_in(opted_out())),
        ("no_address", _has_address()),
    ]
    if purpose == MailPurpose.INVITATION:
        rules.append(("already_mailed", Enterprise.id.not_in(_mailed(wave.id, MailPurpose.INVITATION))))
    else:
        rules.append(("already_mailed", Enterprise.id.not_in(_pending(wave.id))))
        rules.append(("not_invited", Enterprise.id.in_(_invited(wave.id))))
    return rules


def chosen(wave: Wave, purpose: MailPurpose, filters: dict):
    """SELECT of the ids of the firms a mail-out of ``purpose`` would mail now."""
    return _base(wave, filters).where(*(condition for _, condition in _rules(wave, purpose)))


@dataclass(frozen=True)
class Choice:
    """What queueing would do now, shown before anything is queued."""

    count: int
    #: Firms matching the filters left out, by reason (each counted under its first reason).
    left_out: dict[str, int]
    #: A firm the preview fills in (the first to be mailed), or None.
    sample: Enterprise | None


def _count(session: Session, stmt) -> int:
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def choose(session: Session, wave: Wave, purpose: MailPurpose, filters: dict) -> Choice:
    """How many firms a mail-out would reach and why the others are left out; reads only."""
    stmt = _base(wave, filters)
    left_out = {}
    for reason, condition in _rules(wave, purpose):
        left_out[reason] = _count(session, stmt.where(~condition))
        stmt = stmt.where(condition)
    ids = _ordered(session, wave, purpose, stmt, limit=1)
    sample = session.get(Enterprise, ids[0]) if ids else None
    return Choice(count=_count(session, stmt), left_out=left_out, sample=sample)


def cell_rates(
    session: Session, wave: Wave, strata: list[str] | None = None
) -> dict[tuple, tuple[float, int]]:
    """Each post-stratification cell's (response rate, register firms) in ``wave``.

    The register is the part of it the wave is for (its kinds of business); respondents
    are the responses that count (survey.reports.counted), as in the population estimates.
    """
    strata = list(strata or current_app.config["ROLLUP_STRATA"])
    register = {
        tuple(_plain(v) for v in row[:-1]): row[-1]
        for row in register_counts(session, strata, kinds=wave.business_kinds)
    }
    answered: dict[tuple, int] = defaultdict(int)
    for row in respondent_counts(session, wave, strata):
        answered[tuple(_plain(v) for v in row[: len(strata)])] += row[-1]
    return {cell: (answered.get(cell, 0) / n if n else 0.0, n) for cell, n in register.items()}


def coverage_order(session: Session, wave: Wave, ids_stmt, strata: list[str] | None = None) -> list[int]:
    """The ids of ``ids_stmt`` (a SELECT of firm ids), least-covered cell first.

    Within a cell of equal rate, the larger cell first (it weighs more in the estimate),
    then by identifier, so that the order is the same every time.
    """
    strata = list(strata or current_app.config["ROLLUP_STRATA"])
    rates = cell_rates(session, wave, strata)
    query, cols = dimensions.columns(select(Enterprise.id).select_from(Enterprise), strata, Enterprise)
    rows = session.execute(
        query.with_only_columns(Enterprise.id, Enterprise.tax_code, *cols).where(Enterprise.id.in_(ids_stmt))
    ).all()

    def key(row):
        rate, size = rates.get(tuple(_plain(v) for v in row[2:]), (0.0, 0))
        return (rate, -size, row.tax_code or "", row.id)

    return [row.id for row in sorted(rows, key=key)]


def _ordered(
    session: Session, wave: Wave, purpose: MailPurpose, ids_stmt, limit: int | None = None
) -> list[int]:
    if purpose == MailPurpose.REMINDER:
        ordered = coverage_order(session, wave, ids_stmt)
        return ordered[:limit] if limit else ordered
    stmt = (
        select(Enterprise.id)
        .where(Enterprise.id.in_(ids_stmt))
        .order_by(Enterprise.tax_code, Enterprise.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _languages(session: Session, ids: list[int]) -> dict[int, str]:
    """The language each firm last answered in (any wave), where it is known."""
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Response.enterprise_id, Response.language)
            .where(Response.enterprise_id.in_(ids[start : start + 500]), Response.language.is_not(None))
            .order_by(Response.created_at)
        )
        for firm_id, language in rows:
            if language in templates.LANGUAGES:
                found[firm_id] = language
    return found


def queue(
    session: Session,
    wave: Wave,
    purpose: MailPurpose | str,
    filters: dict,
    actor_id: int | None,
    *,
    expected: int | None = None,
    trigger: str = "manual",
) -> MailOut:
    """A mail-out of ``purpose`` with one queued message per firm chosen, and its audit line.

    ``expected``: the count the analyst confirmed; CountChanged if the firms changed since.
    The messages are queued in the order they will be sent (reminders: least-covered first).
    """
    purpose = MailPurpose(purpose)
    services.lock_wave(session, wave.id)
    ids = _ordered(session, wave, purpose, chosen(wave, purpose, filters))
    if expected is not None and expected != len(ids):
        raise CountChanged(len(ids))
    template = templates.stored(session, templates.get(session, purpose))
    mailout = MailOut(
        wave_id=wave.id,
        purpose=purpose,
        filters=filters,
        trigger=trigger,
        created_by_id=actor_id,
        count=len(ids),
        texts=templates.texts_of(template),
        template_id=template.id,
    )
    session.add(mailout)
    session.flush()
    languages = _languages(session, ids)
    session.add_all(
        MailMessage(mailout_id=mailout.id, enterprise_id=firm_id, language=languages.get(firm_id, "vi"))
        for firm_id in ids
    )
    session.flush()
    audit.record(
        session,
        "mailout.reminders" if purpose == MailPurpose.REMINDER else "mailout.invitations",
        mailout,
        actor_id=actor_id,
        wave_id=wave.id,
        count=len(ids),
        filters=filters,
        mail_template=template.id,
        subject=template.subject_vi,
        trigger=None if trigger == "manual" else trigger,
    )
    return mailout


def remind(wave_id: int, filters: dict | None = None, actor_id: int | None = None) -> int:
    """Queue a reminder mail-out for ``wave_id`` in its own unit; its id (a job's body)."""
    from survey import work
    from survey.extensions import db

    with work.unit(writes=True):
        wave = db.session.get(Wave, wave_id)
        return queue(db.session, wave, MailPurpose.REMINDER, filters or {}, actor_id).id


def due_reminders(session: Session, now: datetime, days: list[int]) -> list[tuple[Wave, int]]:
    """(open wave, days before closing) whose scheduled reminder is due and not yet queued.

    A reminder for N days is due from N days before the wave closes until it closes; each
    is queued once (``MailOut.trigger`` "schedule:N"), and only the nearest one due, so a
    schedule switched on late does not send several at once.
    """
    due = []
    waves = session.scalars(select(Wave).where(Wave.state == WaveState.OPEN, Wave.closes_at > now))
    for wave in waves:
        left = wave.closes_at - now
        reached = sorted(n for n in days if left <= timedelta(days=n))
        if not reached:
            continue
        nearest = reached[0]
        done = session.scalar(
            select(exists().where(MailOut.wave_id == wave.id, MailOut.trigger == f"schedule:{nearest}"))
        )
        if not done:
            due.append((wave, nearest))
    return due


def scheduled_reminders() -> list[int]:
    """The periodic job: queue every due reminder (REMINDER_DAYS_BEFORE_CLOSE); their ids.

    Each mail-out is then sent by ``deliver`` (the caller's job queue chains it).
    """
    from survey import work
    from survey.extensions import db

    days = list(current_app.config["REMINDER_DAYS_BEFORE_CLOSE"])
    if not days:
        return []
    queued = []
    with work.unit(writes=True):
        for wave, n in due_reminders(db.session, utcnow(), days):
            queued.append(queue(db.session, wave, MailPurpose.REMINDER, {}, None, trigger=f"schedule:{n}").id)
    return queued


def opt_out(session: Session, message: MailMessage) -> bool:
    """Record that the message's firm wants no more mail; False if it had said so already."""
    if session.scalar(select(exists().where(MailOptOut.enterprise_id == message.enterprise_id))):
        return False
    session.add(MailOptOut(enterprise_id=message.enterprise_id, message_id=message.id))
    session.flush()
    audit.record(
        session,
        "mail.opted_out",
        object_type="enterprises",
        object_id=message.enterprise_id,
        mailout=message.mailout_id,
    )
    return True


def find_by_unsubscribe(session: Session, token: str) -> MailMessage | None:
    from survey import tokens

    if not token or len(token) > 100:
        return None
    return session.scalar(select(MailMessage).where(MailMessage.unsubscribe_hash == tokens.digest(token)))


# What the invitations page shows.


def message_counts(session: Session, wave: Wave) -> dict[str, int]:
    """Messages of the wave's mail-outs by status."""
    rows = session.execute(
        select(MailMessage.status, func.count())
        .join(MailOut, MailOut.id == MailMessage.mailout_id)
        .where(MailOut.wave_id == wave.id)
        .group_by(MailMessage.status)
    )
    counts = {status.value: 0 for status in MailStatus}
    counts.update({_plain(status): n for status, n in rows})
    counts["opted_out"] = (
        session.scalar(
            select(func.count())
            .select_from(MailOptOut)
            .where(
                MailOptOut.enterprise_id.in_(
                    select(Invitation.enterprise_id).where(Invitation.wave_id == wave.id)
                )
            )
        )
        or 0
    )
    return counts


def last_messages(session: Session, wave: Wave, enterprise_ids: list[int]) -> dict[int, MailMessage]:
    """Each firm's latest message in the wave (for the status column of the links)."""
    if not enterprise_ids:
        return {}
    rows = session.scalars(
        select(MailMessage)
        .join(MailOut, MailOut.id == MailMessage.mailout_id)
        .where(MailOut.wave_id == wave.id, MailMessage.enterprise_id.in_(enterprise_ids))
        .order_by(MailMessage.id)
    )
    return {message.enterprise_id: message for message in rows}


def opted_out_among(session: Session, enterprise_ids: list[int]) -> set[int]:
    if not enterprise_ids:
        return set()
    return set(
        session.scalars(select(MailOptOut.enterprise_id).where(MailOptOut.enterprise_id.in_(enterprise_ids)))
    )


def mailouts(session: Session, wave: Wave) -> list[tuple[MailOut, dict[str, int]]]:
    """The wave's mail-outs, newest first, each with its messages by status."""
    outs = list(
        session.scalars(select(MailOut).where(MailOut.wave_id == wave.id).order_by(MailOut.id.desc()))
    )
    counts: dict[int, dict[str, int]] = {out.id: {s.value: 0 for s in MailStatus} for out in outs}
    if outs:
        rows = session.execute(
            select(MailMessage.mailout_id, MailMessage.status, func.count())
            .where(MailMessage.mailout_id.in_(list(counts)))
            .group_by(MailMessage.mailout_id, MailMessage.status)
        )
        for mailout_id, status, n in rows:
            counts[mailout_id][_plain(status)] = n
    return [(out, counts[out.id]) for out in outs]


def messages_of(session: Session, mailout: MailOut, limit: int, offset: int) -> list:
    """One mail-out's messages with each firm's standing in the wave, in sending order."""
    status = services._status_column()
    stmt = (
        select(
            MailMessage.id,
            MailMessage.status.label("mail_status"),
            MailMessage.answer,
            MailMessage.sent_at,
            MailMessage.language,
            Enterprise.id.label("enterprise_id"),
            Enterprise.tax_code,
            Enterprise.name,
            Enterprise.id_type,
            Enterprise.id_erased_at,
            Invitation.id.label("invitation_id"),
            status.label("status"),
        )
        .join(Enterprise, Enterprise.id == MailMessage.enterprise_id)
        .outerjoin(
            Invitation,
            and_(
                Invitation.enterprise_id == MailMessage.enterprise_id,
                Invitation.wave_id == mailout.wave_id,
                Invitation.revoked_at.is_(None),
            ),
        )
        .outerjoin(
            Response,
            and_(Response.enterprise_id == MailMessage.enterprise_id, Response.wave_id == mailout.wave_id),
        )
        .where(MailMessage.mailout_id == mailout.id)
        .order_by(MailMessage.id)
        .limit(limit)
        .offset(offset)
    )
    return session.execute(stmt).all()


def submissions_per_day(session: Session, wave: Wave) -> list[tuple[date, int]]:
    """Submitted responses of the wave by local day (Asia/Ho_Chi_Minh), oldest first."""
    days: dict[date, int] = defaultdict(int)
    stmt = select(Response.submitted_at).where(
        Response.wave_id == wave.id,
        Response.state == ResponseState.SUBMITTED,
        Response.submitted_at.is_not(None),
    )
    for (moment,) in session.execute(stmt):
        days[moment.astimezone(LOCAL).date()] += 1
    return sorted(days.items())


__all__ = [
    "REASONS",
    "Choice",
    "CountChanged",
    "cell_rates",
    "choose",
    "chosen",
    "coverage_order",
    "due_reminders",
    "find_by_unsubscribe",
    "last_messages",
    "mailouts",
    "message_counts",
    "messages_of",
    "opt_out",
    "opted_out_among",
    "queue",
    "remind",
    "scheduled_reminders",
    "submissions_per_day",
]
