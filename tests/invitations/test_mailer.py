"""Mail-outs against a real SMTP server: one message per firm with its own link in its
language, refusals recorded with the server's answer, nothing sent twice, links never stored."""

from __future__ import annotations

from sqlalchemy import select

from survey import tokens
from survey.extensions import db as _db
from survey.invitations import mailer, mailouts
from survey.invitations import services as invitations
from survey.models import AuditEvent, Invitation, MailMessage, MailOptOut, MailPurpose, MailStatus
from tests import factories
from tests.invitations.helpers import UNSUBSCRIBE, firm, token_in


def _queue(wave, purpose=MailPurpose.INVITATION, filters=None):
    mailout = mailouts.queue(_db.session, wave, purpose, filters or {}, None)
    _db.session.commit()
    return mailout.id


def _messages(mailout_id):
    return {
        m.enterprise_id: m
        for m in _db.session.scalars(select(MailMessage).where(MailMessage.mailout_id == mailout_id))
    }


def test_a_mailout_sends_each_firm_its_own_link_in_its_language(app, db, wave, inbox, no_pause, framework):
    lan = firm("lan@example.vn", name="Công ty TNHH Lan")
    hoa = firm("hoa@example.vn", name="Hoa Export JSC")
    # Hoa answered an earlier wave in English: its mail is in English.
    factories.response(factories.wave(), hoa, language="en")
    done = firm("done@example.vn")
    factories.response(wave, done, factories.answers_at(framework, 0.5))
    firm(None, name="Không có thư")
    quiet = firm("quiet@example.vn")
    db.session.add(MailOptOut(enterprise_id=quiet.id))
    db.session.commit()

    choice = mailouts.choose(db.session, wave, MailPurpose.INVITATION, {})
    assert choice.count == 2
    assert choice.left_out["submitted"] == 1
    assert choice.left_out["opted_out"] == 1
    assert choice.left_out["no_address"] == 1

    mailout_id = _queue(wave)
    outcome = mailer.deliver(mailout_id, per_minute=600)
    assert outcome["sent"] == 2 and outcome["failed"] == 0

    assert sorted(inbox.to()) == ["hoa@example.vn", "lan@example.vn"]
    by_address = {str(m["To"]): m for m in inbox.messages}
    vi, en = by_address["lan@example.vn"], by_address["hoa@example.vn"]
    assert "Công ty TNHH Lan" in vi["Subject"] and "Mời" in vi["Subject"]
    assert vi["Content-Language"] == "vi" and "Kính gửi Công ty TNHH Lan" in vi.get_content()
    assert en["Content-Language"] == "en" and "Dear Hoa Export JSC" in en.get_content()
    assert "The survey closes on" in en.get_content()

    # Each link opens that firm's own invitation, and only the digest is stored.
    for message, owner in ((vi, lan), (en, hoa)):
        token = token_in(message)
        invitation = invitations.find_live(db.session, token)
        assert invitation is not None and invitation.enterprise_id == owner.id
        assert invitation.token_hash == tokens.digest(token)
        unsubscribe = token_in(message, UNSUBSCRIBE)
        assert str(message["List-Unsubscribe"]).endswith(f"/unsubscribe/{unsubscribe}>")
        # Never in the database: neither the messages, nor the audit trail.
        stored = [str(e.details) for e in db.session.scalars(select(AuditEvent))]
        stored += [str(m.__dict__) for m in db.session.scalars(select(MailMessage))]
        assert not any(token in text or unsubscribe in text for text in stored)

    messages = _messages(mailout_id)
    assert {messages[lan.id].status, messages[hoa.id].status} == {MailStatus.SENT}
    assert messages[lan.id].sent_at is not None and messages[hoa.id].language == "en"

    # Delivering again sends nothing more.
    assert mailer.deliver(mailout_id, per_minute=600)["sent"] == 0
    assert len(inbox.messages) == 2
    # And a second invitation mail-out finds nobody left to invite.
    assert mailouts.choose(db.session, wave, MailPurpose.INVITATION, {}).count == 0


def test_a_refused_recipient_is_marked_failed_with_the_servers_answer(app, db, wave, inbox, no_pause, caplog):
    good = firm("good@example.vn")
    bad = firm("nobody@example.vn")
    after = firm("after@example.vn")
    inbox.refuse.add("nobody@example.vn")
    db.session.commit()

    mailout_id = _queue(wave)
    outcome = mailer.deliver(mailout_id, per_minute=600)
    assert outcome == {"sent": 2, "failed": 1, "skipped": 0, "interrupted": 0}
    assert sorted(inbox.to()) == ["after@example.vn", "good@example.vn"]

    messages = _messages(mailout_id)
    failed = messages[bad.id]
    assert failed.status == MailStatus.FAILED and failed.sent_at is None
    assert failed.answer.startswith("550 5.1.1") and "User unknown" in failed.answer
    assert messages[good.id].status == messages[after.id].status == MailStatus.SENT
    # Nobody holds the refused firm's new link (it was in the refused message only); staff
    # see the failure beside it and can reissue it.
    (kept,) = db.session.scalars(
        select(Invitation).where(Invitation.enterprise_id == bad.id, Invitation.revoked_at.is_(None))
    ).all()
    assert kept.opened_at is None
    # The log names the refusal, never a link.
    assert "550 5.1.1" in caplog.text
    assert "/i/" not in caplog.text and "/unsubscribe/" not in caplog.text


def test_a_message_a_crash_left_sending_is_never_sent_again(app, db, wave, inbox, no_pause):
    first, second = firm("a@example.vn"), firm("b@example.vn")
    db.session.commit()
    mailout_id = _queue(wave)
    # A delivery claimed the first message, handed it to the server and died before recording.
    messages = _messages(mailout_id)
    messages[first.id].status = MailStatus.SENDING
    db.session.commit()

    outcome = mailer.deliver(mailout_id, per_minute=600)
    assert outcome["interrupted"] == 1 and outcome["sent"] == 1
    assert inbox.to() == ["b@example.vn"]
    db.session.expire_all()
    messages = _messages(mailout_id)
    assert messages[first.id].status == MailStatus.FAILED
    assert messages[first.id].answer == mailer.INTERRUPTED
    assert messages[second.id].status == MailStatus.SENT


def test_an_unreachable_server_leaves_the_messages_queued(app, db, wave, inbox, no_pause, monkeypatch):
    firm("a@example.vn")
    db.session.commit()
    mailout_id = _queue(wave)
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    outcome = mailer.deliver(mailout_id, per_minute=600)
    assert outcome["sent"] == 0 and "could not be reached" in outcome["stopped"]
    db.session.expire_all()
    (message,) = _messages(mailout_id).values()
    assert message.status == MailStatus.QUEUED and message.unsubscribe_hash is None
    # No link was left behind for a message that never went.
    assert db.session.scalars(select(Invitation).where(Invitation.revoked_at.is_(None))).all() == []


def test_at_most_per_minute_messages_a_minute(app, db, wave, inbox, no_pause, monkeypatch):
    for n in range(3):
        firm(f"f{n}@example.vn")
    db.session.commit()
    now = [1000.0]
    monkeypatch.setattr(mailer, "clock", lambda: now[0])
    mailer.deliver(_queue(wave), per_minute=30)
    assert len(inbox.messages) == 3
    # Three messages at 30 a minute: two waits of two seconds (the clock stood still).
    assert no_pause == [2.0, 2.0]


def test_a_firm_that_opts_out_after_queueing_is_skipped_at_send_time(app, db, wave, inbox, no_pause):
    keep, leave = firm("keep@example.vn"), firm("leave@example.vn")
    db.session.commit()
    mailout_id = _queue(wave)
    db.session.add(MailOptOut(enterprise_id=leave.id))
    db.session.commit()
    outcome = mailer.deliver(mailout_id, per_minute=600)
    assert outcome["sent"] == 1 and outcome["skipped"] == 1
    assert inbox.to() == ["keep@example.vn"]
    skipped = _messages(mailout_id)[leave.id]
    assert skipped.status == MailStatus.SKIPPED and skipped.answer == "opted_out"
    assert keep.id in _messages(mailout_id)


def test_the_mailout_is_audited(app, db, wave, inbox, no_pause, as_role):
    from survey.models import Role

    user = as_role(Role.ANALYST)
    firm("a@example.vn", sector_code="G")
    firm("b@example.vn", sector_code="C")
    db.session.commit()
    mailout = mailouts.queue(db.session, wave, MailPurpose.INVITATION, {"sector": "G"}, user.id)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mailout.invitations")).one()
    assert (
        event.actor_id == user.id and event.object_type == "mail_outs" and event.object_id == str(mailout.id)
    )
    assert event.details["count"] == 1 and event.details["filters"] == {"sector": "G"}
    assert event.details["mail_template"] == mailout.template_id and "{firm}" in event.details["subject"]
