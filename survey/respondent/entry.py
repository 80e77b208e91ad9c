"""Staff entering a business's response on the respondent's own pages.

After a phone, paper or in-person interview, an analyst enters the business's answers
through the journey the business itself uses (its views, its checks, its scoring), in
the analyst's own browser session. The staff page (survey/staff/views_entry.py) checks
the business and puts an entry *ticket* in the session: who enters and how. The firm
page, when it creates the response, marks it as entered by staff (who, when, how) if
the ticket is the logged-in analyst's own, and audits it. Nothing else differs: the
response is scored, reviewed and counted like every other.

The ticket is honoured only while the same account is logged in with a role that may
enter responses; a ticket left behind (logged out, account changed) stops the journey
instead of creating a response that would silently pass for the business's own. A
journey the session begins of its own (the start page, a resume or personal link)
drops the ticket.
"""

from __future__ import annotations

from datetime import datetime

from flask import session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from survey import audit, tokens
from survey.models import BusinessKind, Response, Role
from survey.models.response import EntryMethod
from survey.respondent.pages import KIND_KEY, RESPONSE_KEY, TAX_CODE_KEY, TOKEN_KEY, bp, message

ENTRY_KEY = "staff_entry"
#: Who may enter a response for a business (the staff view requires the same).
ENTERS = Role.ANALYST


def begin(kind: BusinessKind, identifier: str, method: EntryMethod) -> None:
    """Start a new response's journey in this session, for staff entering it."""
    session[TAX_CODE_KEY] = identifier
    session[KIND_KEY] = kind.value
    session.pop(RESPONSE_KEY, None)
    # As on the start page: the resume token is drawn now, so a retried firm step is known.
    session[TOKEN_KEY] = tokens.new_token()[0]
    hold(method)


def hold(method: EntryMethod) -> None:
    """Give this session the logged-in analyst's ticket (a new one, or continuing a draft)."""
    session[ENTRY_KEY] = {"by": current_user.id, "method": method.value}


def drop() -> None:
    session.pop(ENTRY_KEY, None)


def ticket() -> dict | None:
    """The session's ticket if it is the logged-in account's and the role still allows it."""
    held = session.get(ENTRY_KEY)
    if not isinstance(held, dict):
        return None
    if not (current_user.is_authenticated and current_user.has_role(ENTERS)):
        return None
    if held.get("by") != current_user.id or held.get("method") not in {m.value for m in EntryMethod}:
        return None
    return held


def stale():
    """A message page when the session holds a ticket that is no longer honoured, else None.

    The journey stops (the ticket and the journey's keys are dropped): going on would
    create a response marked as the business's own.
    """
    if ENTRY_KEY not in session or ticket() is not None:
        return None
    for key in (ENTRY_KEY, TAX_CODE_KEY, KIND_KEY, RESPONSE_KEY, TOKEN_KEY):
        session.pop(key, None)
    return message(
        _("The staff entry has ended"),
        _(
            "You are no longer logged in to the staff workspace as the person who began this "
            "entry. Log in and begin the entry again."
        ),
        403,
    )


def mark(db_session: Session, response: Response, now: datetime) -> bool:
    """Mark a response just created as entered by staff, if the session holds a ticket.

    Returns whether it did; audited as ``response.entered_by_staff`` with the method.
    """
    held = ticket()
    if held is None:
        return False
    response.entered_by_id = held["by"]
    response.entered_at = now
    response.entry_method = EntryMethod(held["method"])
    audit.record(db_session, "response.entered_by_staff", response, method=response.entry_method)
    return True


@bp.context_processor
def _staff_entry() -> dict:
    # Every respondent page says so while staff enter a response (templates/respondent/_progress.html).
    held = ticket() if ENTRY_KEY in session else None
    return {"staff_entry": None if held is None else EntryMethod(held["method"])}
