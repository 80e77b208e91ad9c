"""A lost resume link: a one-time link mailed to the assessment's contact, never shown.

The start page says the same for every firm that has begun, whatever the state of its
assessment, and cannot say more: a tax code is public, so what it tells about a firm
it tells anyone. A firm that lost its resume link asks here ("send my link again") with
its kind and identifier; the link goes only to the contact e-mail address given in the
assessment (an address typed with the request must be that one), works once and for a
day, and opening it takes the response over (a new resume token, every other session and
link shut out). The page answers the same whether or not anything was sent.

Why a new token and not the resume link itself: only digests of tokens are stored
(survey.tokens), so the resume link cannot be mailed again; the recovery link is drawn
fresh, and opening it rotates the resume token (the firm's old resume link stops
working, which the mail says). Staff may send the same link from a response's page
(``send_from_staff``), without the ten-minute wait: they act on the firm's request.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import audit, tokens
from survey.models import Response, Wave
from survey.respondent import services
from survey.responses.resume import take_over

LIFETIME = timedelta(hours=24)
#: One recovery mail per response in this time, so nobody can flood a firm's inbox.
RESEND_AFTER = timedelta(minutes=10)


def request_link(
    session: Session,
    wave: Wave,
    tax_code: str,
    email: str | None,
    now: datetime,
    kind: str = "enterprise",
) -> tuple[Response, str] | None:
    """A new recovery token for the business's response, to mail to its contact address.

    None when there is no such response or it has no contact address, when ``email`` is
    given and is not that address, or when a link was sent in the last ten minutes (the
    earlier one still works).
    """
    response = services.existing_response(session, wave, tax_code, kind)
    if response is None or not response.contact_email:
        return None
    if email and response.contact_email.strip().lower() != email.strip().lower():
        return None
    expires = response.recovery_expires_at
    if expires is not None and expires - LIFETIME + RESEND_AFTER > now:
        return None
    return response, _issue(session, response, now, "response.recovery_requested")


def send_from_staff(session: Session, response: Response, now: datetime) -> str | None:
    """A new recovery token for staff to mail to the response's contact; None without one.

    Audited as ``response.link_sent``; the earlier recovery link, if any, stops working.
    """
    if not response.contact_email:
        return None
    return _issue(session, response, now, "response.link_sent")


def _issue(session: Session, response: Response, now: datetime, action: str) -> str:
    token, token_hash = tokens.new_token()
    response.recovery_token_hash = token_hash
    response.recovery_expires_at = now + LIFETIME
    audit.record(session, action, response)
    return token


def open_link(session: Session, token: str, now: datetime) -> tuple[Response, str] | None:
    """The response a live recovery token opens, taken over: (response, new resume token)."""
    if not token or len(token) > 100:
        return None
    response = session.scalar(select(Response).filter_by(recovery_token_hash=tokens.digest(token)))
    if response is None or response.recovery_expires_at is None or response.recovery_expires_at <= now:
        return None
    audit.record(session, "response.recovered", response)
    return response, take_over(response)
