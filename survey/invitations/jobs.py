"""The mail-outs on the job queue (survey.jobs).

- ``invitations.deliver``: send a mail-out's queued messages (survey.invitations.mailer),
  enqueued by the page that queues a mail-out, and by the sweep below for scheduled
  reminders.
- The worker's sweep (at its start and every minute) queues the reminders that are due
  (``REMINDER_DAYS_BEFORE_CLOSE``) and hands each to ``invitations.deliver``.

A delivery whose worker died leaves its messages queued (never half-sent: the message
being sent is marked interrupted, never resent, by the next delivery); the mail-out's
page lets staff send what is left, and a new delivery of the same mail-out picks it up.
"""

from __future__ import annotations

from survey import jobs
from survey.invitations import mailer, mailouts


@jobs.job("invitations.deliver")
def deliver(mailout_id: int) -> None:
    mailer.deliver(mailout_id)


@jobs.sweeper
def due_reminders() -> None:
    for mailout_id in mailouts.scheduled_reminders():
        jobs.enqueue("invitations.deliver", mailout_id=mailout_id)
