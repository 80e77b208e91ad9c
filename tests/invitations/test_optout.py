"""The unsubscribe link of every mail: a public page that asks, a POST (CSRF) that confirms,
and a firm that opted out is never mailed again."""

from __future__ import annotations

from sqlalchemy import select

from survey.invitations import mailer, mailouts
from survey.invitations import services as invitations
from survey.models import AuditEvent, MailOptOut, MailPurpose
from tests.invitations.helpers import UNSUBSCRIBE, firm, token_in


def test_unsubscribing_asks_then_stops_every_later_mail(app, client, db, wave, inbox, no_pause):
    leaving = firm("leaving@example.vn", name="Công ty Rời Đi")
    staying = firm("staying@example.vn")
    db.session.commit()
    mailer.deliver(mailouts.queue(db.session, wave, MailPurpose.INVITATION, {}, None).id, per_minute=600)
    message = next(m for m in inbox.messages if str(m["To"]) == "leaving@example.vn")
    token = token_in(message, UNSUBSCRIBE)
    path = f"/unsubscribe/{token}"

    page = client.get(path)
    assert page.status_code == 200 and "Công ty Rời Đi" in page.get_data(as_text=True)
    assert db.session.scalars(select(MailOptOut)).all() == []  # a GET changes nothing

    assert client.post(path, data={}).status_code == 400  # no CSRF token
    assert db.session.scalars(select(MailOptOut)).all() == []

    done = client.post(path, data={"csrf_token": client.csrf_token(path)})
    assert done.status_code == 200 and 'data-testid="unsubscribed"' in done.get_data(as_text=True)
    (opted,) = db.session.scalars(select(MailOptOut)).all()
    assert opted.enterprise_id == leaving.id
    assert db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "mail.opted_out")
    ).one().object_id == str(leaving.id)
    # Twice is harmless.
    assert client.post(path, data={"csrf_token": client.csrf_token(path)}).status_code == 200
    assert len(db.session.scalars(select(MailOptOut)).all()) == 1

    # Reminders (and any new mail-out) leave the firm out; the other firm is reminded.
    choice = mailouts.choose(db.session, wave, MailPurpose.REMINDER, {})
    assert choice.count == 1 and choice.left_out["opted_out"] == 1
    before = len(inbox.messages)
    mailer.deliver(mailouts.remind(wave.id), per_minute=600)
    assert [str(m["To"]) for m in inbox.messages[before:]] == ["staying@example.vn"]
    assert staying.id != leaving.id
    # Its personal link still works: opting out of mail is not leaving the survey.
    assert invitations.find_live(db.session, token_in(message)) is not None


def test_a_wrong_unsubscribe_link_is_not_found(client, db):
    assert client.get("/unsubscribe/not-a-real-token").status_code == 404
    token = client.csrf_token("/")
    assert client.post("/unsubscribe/not-a-real-token", data={"csrf_token": token}).status_code == 404
