"""Reminders: to invited firms that have not submitted, never to those that asked for no
more mail, the least-covered post-stratification cells first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from survey.extensions import db as _db
from survey.invitations import mailer, mailouts
from survey.invitations import services as invitations
from survey.models import MailOptOut, MailOut, MailPurpose
from survey.models.base import utcnow
from tests import factories
from tests.invitations.helpers import firm


def _sector(code: str, submitted: int, open_: int, wave, framework, prefix: str):
    done = [firm(f"{prefix}.done{n}@example.vn", sector_code=code) for n in range(submitted)]
    for each in done:
        factories.response(wave, each, factories.answers_at(framework, 0.5))
    return [firm(f"{prefix}.open{n}@example.vn", sector_code=code) for n in range(open_)]


def test_reminders_skip_submitted_and_opted_out_firms_least_covered_first(
    app, db, wave, inbox, no_pause, framework, monkeypatch
):
    monkeypatch.setitem(app.config, "ROLLUP_STRATA", ["sector"])
    # Manufacturing: 3 of 4 answered (75 %); trade: 1 of 4 (25 %); construction: 0 of 3.
    c_open = _sector("C", 3, 1, wave, framework, "c")
    g_open = _sector("G", 1, 3, wave, framework, "g")
    f_open = _sector("F", 0, 2, wave, framework, "f")
    invitations.issue(db.session, wave, {}, None)
    firm("f.uninvited@example.vn", sector_code="F")  # never invited: no reminder
    db.session.add(MailOptOut(enterprise_id=f_open[1].id))
    db.session.commit()

    rates = mailouts.cell_rates(db.session, wave)
    assert rates[("C",)] == (0.75, 4) and rates[("G",)] == (0.25, 4) and rates[("F",)] == (0.0, 3)

    choice = mailouts.choose(db.session, wave, MailPurpose.REMINDER, {})
    assert choice.count == 5
    assert choice.left_out["submitted"] == 4 and choice.left_out["opted_out"] == 1
    assert choice.left_out["not_invited"] == 1

    mailout_id = mailouts.remind(wave.id)
    assert db.session.get(MailOut, mailout_id).purpose == MailPurpose.REMINDER
    assert mailer.deliver(mailout_id, per_minute=600)["sent"] == 5

    expected = [f_open[0], *sorted(g_open, key=lambda f: f.tax_code), c_open[0]]
    assert inbox.to() == [f.contact_email for f in expected]
    assert all("Nhắc" in str(m["Subject"]) for m in inbox.messages)
    # The link in a reminder works, and the invitation issued before keeps its row.
    live = {i.enterprise_id: i for i in invitations_of(db, wave)}
    assert set(live) >= {f.id for f in expected}


def invitations_of(db, wave):
    from survey.models import Invitation

    return db.session.scalars(
        select(Invitation).where(Invitation.wave_id == wave.id, Invitation.revoked_at.is_(None))
    )


def test_a_reminder_replaces_the_earlier_link_and_the_new_one_works(app, db, wave, inbox, no_pause):
    from tests.invitations.helpers import token_in

    one = firm("one@example.vn")
    db.session.commit()
    mailer.deliver(mailouts.queue(_db.session, wave, MailPurpose.INVITATION, {}, None).id, per_minute=600)
    first = token_in(inbox.messages[0])
    mailout_id = mailouts.remind(wave.id)
    mailer.deliver(mailout_id, per_minute=600)
    second = token_in(inbox.messages[1])
    assert first != second
    assert invitations.find_live(db.session, first) is None
    found = invitations.find_live(db.session, second)
    assert found is not None and found.enterprise_id == one.id


def test_the_schedule_queues_each_reminder_once_and_only_the_nearest(app, db, monkeypatch):
    now = utcnow()
    soon = factories.wave(closes_at=now + timedelta(days=1, hours=12))
    later = factories.wave(closes_at=now + timedelta(days=20))
    db.session.commit()
    due = mailouts.due_reminders(db.session, now, [7, 2])
    assert [(w.id, n) for w, n in due] == [(soon.id, 2)]
    assert later.id not in [w.id for w, _ in due]

    monkeypatch.setitem(app.config, "REMINDER_DAYS_BEFORE_CLOSE", [7, 2])
    ids = mailouts.scheduled_reminders()
    queued = {db.session.get(MailOut, i).wave_id: db.session.get(MailOut, i).trigger for i in ids}
    assert queued.get(soon.id) == "schedule:2"
    # Run again: nothing more for the same wave and day.
    assert soon.id not in {db.session.get(MailOut, i).wave_id for i in mailouts.scheduled_reminders()}


def test_the_schedule_is_off_by_default(app, db):
    assert app.config["REMINDER_DAYS_BEFORE_CLOSE"] == []
    assert mailouts.scheduled_reminders() == []
