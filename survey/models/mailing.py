"""Invitations and reminders the app mails itself: templates, mail-outs, messages, opt-outs.

A mail-out is one decision by an analyst (or the reminder schedule): a wave, a template and
the firms chosen, each firm a queued message. ``survey.invitations.mailer.deliver`` sends
the queued messages one by one, committing each message's status on its own. No personal
link is stored: the invitation keeps its digest (``Invitation.token_hash``) and a message
the digest of its unsubscribe link.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, str_enum, utcnow
from survey.models.enterprise import Enterprise
from survey.models.staff import StaffUser
from survey.models.wave import Wave


class MailPurpose(StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"


class MailStatus(StrEnum):
    QUEUED = "queued"
    #: Handed to the SMTP server, its answer not yet recorded. A message left here by a
    #: crash is never sent again (it may have gone): the next delivery marks it failed.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    #: Not sent, for a reason found at send time (``answer``: opted_out, submitted, no_address).
    SKIPPED = "skipped"


class MailTemplate(Base):
    """The text of one purpose's mail in both languages, as an admin last saved it.

    Placeholders: ``{firm}``, ``{link}``, ``{closes}``, ``{unsubscribe}``
    (survey.invitations.templates).
    """

    __tablename__ = "mail_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[MailPurpose] = mapped_column(str_enum(MailPurpose), unique=True)
    subject_vi: Mapped[str] = mapped_column(String(200))
    subject_en: Mapped[str] = mapped_column(String(200))
    body_vi: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    #: The department's signature, under the body.
    signature_vi: Mapped[str] = mapped_column(Text)
    signature_en: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    updated_by: Mapped[StaffUser | None] = relationship()


class MailOut(Base):
    """One mail-out: which wave, which template, which filters, who, how many."""

    __tablename__ = "mail_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    purpose: Mapped[MailPurpose] = mapped_column(str_enum(MailPurpose))
    #: The unit, former area and sector filters it was chosen by (survey.reports.filters).
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    #: "manual", or "schedule:<days>" for the reminder sent that many days before closing.
    trigger: Mapped[str] = mapped_column(String(40), default="manual")
    #: The template's texts as confirmed (subject, body, signature by language): what
    #: the firms receive, whatever an admin edits while the messages go out.
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("mail_templates.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    count: Mapped[int] = mapped_column(default=0)

    wave: Mapped[Wave] = relationship()
    created_by: Mapped[StaffUser | None] = relationship()


class MailMessage(Base):
    """One firm's message of a mail-out, and what became of it."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        UniqueConstraint("mailout_id", "enterprise_id"),
        Index("ix_mail_messages_mailout_status", "mailout_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailout_id: Mapped[int] = mapped_column(ForeignKey("mail_outs.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    #: "vi" or "en": the language the firm last answered in, else Vietnamese.
    language: Mapped[str] = mapped_column(String(5), default="vi")
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus), default=MailStatus.QUEUED)
    #: The SMTP server's answer to a refused message (or what went wrong before it answered).
    answer: Mapped[str | None] = mapped_column(String(500))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The digest of the message's unsubscribe link (survey.tokens); the link is only in the mail.
    unsubscribe_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    mailout: Mapped[MailOut] = relationship()
    enterprise: Mapped[Enterprise] = relationship()


class MailOptOut(Base):
    """A firm that asked to receive no more mail: no mail-out or reminder reaches it again."""

    __tablename__ = "mail_opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The message whose unsubscribe link it followed.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("mail_messages.id"))

    enterprise: Mapped[Enterprise] = relationship()
