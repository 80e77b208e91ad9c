"""Sending a mail-out's queued messages through SMTP, one short transaction per step.

For each message, in the order queued:

1. **claim** (one unit): the message goes from ``queued`` to ``sending`` by a conditional
   UPDATE (two deliveries of one mail-out never take the same message); the firm's personal
   link and the message's unsubscribe link are made (survey.invitations.services issues the
   token, only digests are stored) and committed, so that both links work when the mail arrives;
2. **send**: the message goes to the SMTP server, outside any transaction;
3. **record** (one unit): ``sent`` with its time, or ``failed`` with the server's answer
   (a refused message gives the invitation its previous digest back, so that the link of
   an earlier mail keeps working).

A crash between 1 and 3 leaves the message ``sending``: it may have gone, so it is never
sent again; the next delivery of the mail-out marks it failed, saying so, and staff decide.
A crash anywhere else loses nothing: a message is either still queued or its outcome is
committed. Links are in the mail only: never in the database, the logs or the answer.

At most ``per_minute`` messages a minute (``MAIL_PER_MINUTE``): each waits until
60/per_minute seconds after the previous one went.
"""

from __future__ import annotations

import smtplib
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import exists, select, update

from survey import tokens, work
from survey.extensions import db
from survey.invitations import services, templates
from survey.invitations.smtp import connection
from survey.models import (
    Invitation,
    MailMessage,
    MailOptOut,
    MailOut,
    MailStatus,
    Response,
    ResponseState,
)
from survey.models.base import utcnow
from survey.urls import external_url

#: What a message left ``sending`` by an interrupted delivery is marked with.
INTERRUPTED = "interrupted while sending: it may have been delivered, so it was not sent again"
#: Clock and sleep of the pacing (tests replace them).
clock = time.monotonic
sleep = time.sleep


@dataclass
class Claimed:
    message_id: int
    to: str
    email: EmailMessage
    link: services.MailedLink


def _answer(code, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()[:500]


def _settle_interrupted(mailout_id: int) -> int:
    with work.unit(writes=True):
        result = db.session.execute(
            update(MailMessage)
            .where(MailMessage.mailout_id == mailout_id, MailMessage.status == MailStatus.SENDING)
            .values(status=MailStatus.FAILED, answer=INTERRUPTED)
        )
        return result.rowcount or 0


def _skip_reason(message: MailMessage, wave_id: int) -> str | None:
    """Why a queued message must not go now (the firm changed since it was queued)."""
    firm = message.enterprise
    session = db.session
    if session.scalar(select(exists().where(MailOptOut.enterprise_id == firm.id))):
        return "opted_out"
    submitted = exists().where(
        Response.enterprise_id == firm.id,
        Response.wave_id == wave_id,
        Response.state == ResponseState.SUBMITTED,
    )
    if session.scalar(select(submitted)):
        return "submitted"
    address = firm.contact_email or ""
    if "@" not in address or any(c in address for c in "\r\n,;<>"):
        return "no_address"
    return None


def _compose(mailout: MailOut, message: MailMessage, link: str, unsubscribe: str) -> EmailMessage:
    config = current_app.config
    language = message.language if message.language in templates.LANGUAGES else "vi"
    composed = templates.compose(
        mailout.texts,
        language,
        firm=message.enterprise.name,
        link=link,
        closes=templates.closes_text(mailout.wave, language),
        unsubscribe=unsubscribe,
    )
    email = EmailMessage()
    email["Subject"] = composed.subject
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.enterprise.contact_email
    email["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2] or None)
    email["List-Unsubscribe"] = f"<{unsubscribe}>"
    email.set_content(composed.body)
    email["Content-Language"] = language  # after set_content, which drops Content-* headers
    return email


def _claim_next(mailout_id: int) -> Claimed | None:
    """Take the next queued message (step 1), or None when none is left."""
    while True:
        with work.unit(writes=True):
            session = db.session
            message_id = session.scalar(
                select(MailMessage.id)
                .where(MailMessage.mailout_id == mailout_id, MailMessage.status == MailStatus.QUEUED)
                .order_by(MailMessage.id)
                .limit(1)
            )
            if message_id is None:
                return None
            taken = session.execute(
                update(MailMessage)
                .where(MailMessage.id == message_id, MailMessage.status == MailStatus.QUEUED)
                .values(status=MailStatus.SENDING, claimed_at=utcnow())
            )
            if taken.rowcount != 1:
                continue  # another delivery took it first: the next one
            message = session.get(MailMessage, message_id, populate_existing=True)
            mailout = message.mailout
            reason = _skip_reason(message, mailout.wave_id)
            if reason is not None:
                message.status, message.answer = MailStatus.SKIPPED, reason
                continue
            link = services.link_for_mail(
                session, mailout.wave_id, message.enterprise_id, mailout.created_by_id
            )
            unsubscribe_token, message.unsubscribe_hash = tokens.new_token()
            email = _compose(
                mailout,
                message,
                external_url("respondent.invitation", token=link.token),
                external_url("respondent.unsubscribe", token=unsubscribe_token),
            )
            return Claimed(message_id, message.enterprise.contact_email, email, link)


def _release(claimed: Claimed) -> None:
    """Put a claimed message back in the queue: it never reached a server."""
    with work.unit(writes=True):
        message = db.session.get(MailMessage, claimed.message_id)
        message.status, message.claimed_at, message.unsubscribe_hash = MailStatus.QUEUED, None, None
        _restore(claimed, withdraw_new=True)


def _restore(claimed: Claimed, *, withdraw_new: bool) -> None:
    """Give the invitation back the digest an earlier mail's link has.

    A new invitation is withdrawn if the message never left (``withdraw_new``). After a
    refusal it stays, its token known to nobody: the firm is listed with the failure
    beside its link, and staff can reissue it to give the firm by other means.
    """
    invitation = db.session.get(Invitation, claimed.link.invitation.id)
    if invitation is None or invitation.token_hash != tokens.digest(claimed.link.token):
        return  # reissued meanwhile: the staff's link stands
    if claimed.link.previous_digest is not None:
        invitation.token_hash = claimed.link.previous_digest
    elif withdraw_new and invitation.opened_at is None:
        invitation.revoked_at = utcnow()


def _record(claimed: Claimed, answer: str | None) -> None:
    """Step 3: sent, or failed with ``answer``."""
    with work.unit(writes=True):
        message = db.session.get(MailMessage, claimed.message_id)
        if answer is None:
            message.status, message.sent_at = MailStatus.SENT, utcnow()
        else:
            message.status, message.answer = MailStatus.FAILED, answer
            _restore(claimed, withdraw_new=False)


def _send(smtp: smtplib.SMTP, claimed: Claimed) -> tuple[str | None, bool]:
    """(the failure's answer or None, whether the connection is still usable)."""
    try:
        refused = smtp.send_message(claimed.email, to_addrs=[claimed.to])
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        return _answer(code, text), True
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        return _answer(exc.smtp_code, exc.smtp_error), True
    except smtplib.SMTPResponseException as exc:
        return _answer(exc.smtp_code, exc.smtp_error), False
    except (OSError, smtplib.SMTPException) as exc:
        # The exception's kind, never its text: it could quote the message.
        return f"connection lost: {type(exc).__name__}", False
    if refused:
        code, text = next(iter(refused.values()))
        return _answer(code, text), True
    return None, True


def deliver(mailout_id: int, *, per_minute: int | None = None) -> dict[str, int | str]:
    """Send the mail-out's queued messages; what became of them this run.

    Call inside an app context (the job queue's worker, or a test), outside any unit of
    work: every step commits its own. Safe to run again or twice at once: only queued
    messages are taken, each by one delivery. Returns counts of ``sent``, ``failed``,
    ``skipped`` and ``interrupted`` (messages a crashed delivery left), and ``stopped``
    when the run ended early (no mail server, or it could not be reached): the messages
    not sent stay queued for the next run.
    """
    config = current_app.config
    per_minute = per_minute or config["MAIL_PER_MINUTE"]
    interval = 60.0 / per_minute
    outcome: dict[str, int | str] = {"sent": 0, "failed": 0, "skipped": 0}
    outcome["interrupted"] = _settle_interrupted(mailout_id)
    if not config["MAIL_SERVER"]:
        outcome["stopped"] = "MAIL_SERVER is not set"
        return outcome
    if not config["BASE_URL"] and not (current_app.testing or current_app.debug):
        outcome["stopped"] = "BASE_URL is not set"
        return outcome
    skipped_before = _count(mailout_id, MailStatus.SKIPPED)
    last_sent = None
    with ExitStack() as stack:
        smtp = None
        while (claimed := _claim_next(mailout_id)) is not None:
            if last_sent is not None:
                wait = last_sent + interval - clock()
                if wait > 0:
                    sleep(wait)
            if smtp is None:
                try:
                    smtp = stack.enter_context(connection())
                except (OSError, smtplib.SMTPException) as exc:
                    _release(claimed)
                    current_app.logger.warning(
                        "mail-out %s: no SMTP server (%s)", mailout_id, type(exc).__name__
                    )
                    outcome["stopped"] = f"the mail server could not be reached: {type(exc).__name__}"
                    break
            last_sent = clock()
            answer, usable = _send(smtp, claimed)
            _record(claimed, answer)
            outcome["sent" if answer is None else "failed"] += 1
            if answer is not None:
                # The message's number and the server's answer; never the message, which holds the links.
                current_app.logger.warning(
                    "mail-out %s: message %s refused: %s", mailout_id, claimed.message_id, answer
                )
            if not usable:
                _close(stack)
                smtp = None
    outcome["skipped"] = _count(mailout_id, MailStatus.SKIPPED) - skipped_before
    return outcome


def _close(stack: ExitStack) -> None:
    """Drop a connection that broke (its QUIT may fail too)."""
    with suppress(OSError, smtplib.SMTPException):
        stack.close()


def _count(mailout_id: int, status: MailStatus) -> int:
    from sqlalchemy import func

    with work.unit(writes=False):
        return (
            db.session.scalar(
                select(func.count())
                .select_from(MailMessage)
                .where(MailMessage.mailout_id == mailout_id, MailMessage.status == status)
            )
            or 0
        )


def deliver_all(per_minute: int | None = None) -> dict[int, dict]:
    """Deliver every mail-out that has queued messages (a periodic sweep's body)."""
    with work.unit(writes=False):
        ids = list(
            db.session.scalars(
                select(MailMessage.mailout_id).where(MailMessage.status == MailStatus.QUEUED).distinct()
            )
        )
    return {mailout_id: deliver(mailout_id, per_minute=per_minute) for mailout_id in sorted(ids)}


__all__ = ["INTERRUPTED", "deliver", "deliver_all"]
