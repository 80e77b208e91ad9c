"""Review of responses: state transitions, notes, profile corrections. Flushes, never commits."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from survey import audit
from survey.models import Response, ResponseNote, ResponseState, ReviewState, StaffUser
from survey.models.base import utcnow
from survey.responses.scoring import score_response

#: Where each review state may go. Anything can be reopened (back to pending) with a reason.
TRANSITIONS: dict[ReviewState, set[ReviewState]] = {
    ReviewState.PENDING: {ReviewState.VERIFIED, ReviewState.FLAGGED, ReviewState.REJECTED},
    ReviewState.FLAGGED: {ReviewState.VERIFIED, ReviewState.REJECTED, ReviewState.PENDING},
    ReviewState.VERIFIED: {ReviewState.PENDING},
    ReviewState.REJECTED: {ReviewState.PENDING},
}
NEEDS_REASON = {ReviewState.REJECTED, ReviewState.PENDING}
#: The states as the reasons for a refusal name them.
STATE_NAMES = {
    ReviewState.PENDING: _l("pending"),
    ReviewState.VERIFIED: _l("verified"),
    ReviewState.FLAGGED: _l("flagged"),
    ReviewState.REJECTED: _l("rejected"),
}
CORRECTABLE = ("firm_name", "unit_id", "sector_code", "ownership", "employees", "revenue_vnd", "capital_vnd")


class ReviewError(ValueError):
    """A review action that is not allowed; the message says why."""


class Conflict(Exception):
    """Someone else changed the response after this staff member loaded it."""


def check_version(response: Response, seen_version: str | int | None) -> None:
    if str(response.version_id) != str(seen_version):
        raise Conflict


def set_review_state(
    session: Session, response: Response, decision: ReviewState, reason: str | None, actor: StaffUser
) -> None:
    if response.state != ResponseState.SUBMITTED:
        raise ReviewError(_("Only submitted responses can be reviewed."))
    if decision not in TRANSITIONS[response.review_state]:
        raise ReviewError(
            _(
                "A response that is %(current)s cannot become %(decision)s.",
                current=STATE_NAMES[response.review_state],
                decision=STATE_NAMES[decision],
            )
        )
    reason = (reason or "").strip() or None
    if decision in NEEDS_REASON and not reason:
        raise ReviewError(_("A reason is required."))
    before = {"review_state": response.review_state, "review_reason": response.review_reason}
    response.review_state = decision
    response.review_reason = reason
    response.reviewed_at = utcnow()
    response.reviewed_by_id = actor.id
    audit.record(
        session,
        "response.reopened" if decision is ReviewState.PENDING else f"response.{decision.value}",
        response,
        before=before,
        after={"review_state": decision, "review_reason": reason},
    )
    session.flush()


def add_note(session: Session, response: Response, text: str, actor: StaffUser) -> ResponseNote:
    note = ResponseNote(response_id=response.id, author_id=actor.id, text=text.strip())
    session.add(note)
    audit.record(session, "response.note", response, note=text.strip())
    session.flush()
    return note


def correct_profile(session: Session, response: Response, values: dict, reason: str) -> bool:
    """Correct the firm's profile on its behalf; rescored, audited. False if nothing changed."""
    for field in CORRECTABLE:
        setattr(response, field, values.get(field))
    before, after = audit.changes(response, CORRECTABLE)
    if not after:
        return False
    session.flush()  # derives the size class again
    after["size_class"] = response.size_class
    if response.state == ResponseState.SUBMITTED:
        score_response(response)
    audit.record(session, "response.corrected", response, before=before, after=after, reason=reason.strip())
    session.flush()
    return True
