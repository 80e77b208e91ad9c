"""Who holds a response: its resume token, and taking it away. Flushes nothing itself.

A respondent's session and resume link open a response only while they carry the
response's current resume token (survey.respondent.services.holds). Drawing a new one
therefore ends every other session and link at once; the firm's personal link (an
invitation, survey.invitations) and a recovery link do that, and revoking an invitation
does it without telling anyone the new token.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import tokens
from survey.models import Response


def take_over(response: Response) -> str:
    """Give the response a new resume token and return it.

    A respondent's session holds the token it was opened with and is honoured only
    while the token is the response's (see ``holds``), so this ends every other
    session and resume link at once.
    """
    token, token_hash = tokens.new_token()
    response.resume_token_hash = token_hash
    response.recovery_token_hash = None
    response.recovery_expires_at = None
    return token


def shut_out(session: Session, wave_id: int, enterprise_id: int) -> bool:
    """End every session and resume link of the firm's response in the wave, if any.

    Nobody learns the new token: the firm comes back through its (new) personal link.
    """
    response = session.scalar(select(Response).filter_by(enterprise_id=enterprise_id, wave_id=wave_id))
    if response is None:
        return False
    take_over(response)
    return True
