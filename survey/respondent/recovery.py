"""Recovering a lost resume link: a one-time link mailed to the assessment's contact.

The start page says the same for every firm that has begun, whatever the state of its
assessment, and cannot say more: a tax code is public, so what it tells about a firm
it tells anyone. A firm that lost its resume link asks here for a recovery link; it
goes only to the contact e-mail address given in the assessment, works once and for a
day, and opening it takes the response over (a new resume token, every other session
and link shut out). The page answers the same whether or not anything was sent.
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
    session: Session, wave: Wave, tax_code: str, email: str, now: datetime, kind: str = "enterprise"
) -> tuple[Response, str] | None:
    """A new recovery token for the firm's response if ``email`` is its contact address.

    None when there is no such response, the address differs, or a link was sent in
    the last ten minutes (the earlier one still works).
    """
    response = services.existing_response(session, wave, tax_code, kind)
    if response is None or not response.contact_email:
        return None
    if response.contact_email.strip().lower() != email.strip().lower():
        return None
    expires = response.recovery_expires_at
    if expires is not None and expires - LIFETIME + RESEND_AFTER > now:
        return None
    token, token_hash = tokens.new_token()
    response.recovery_token_hash = token_hash
    response.recovery_expires_at = now + LIFETIME
    audit.record(session, "response.recovery_requested", response)
    return response, token


def open_link(session: Session, token: str, now: datetime) -> tuple[Response, str] | None:
    """The response a live recovery token opens, taken over: (response, new resume token)."""
    if not token or len(token) > 100:
        return None
    response = session.scalar(select(Response).filter_by(recovery_token_hash=tokens.digest(token)))
    if response is None or response.recovery_expires_at is None or response.recovery_expires_at <= now:
        return None
    audit.record(session, "response.recovered", response)
    return response, take_over(response)
