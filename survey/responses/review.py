"""Review of responses: state transitions (one by one or many verified at once), notes,
profile corrections. Flushes, never commits.

"Review" is the one word for the act; its outcomes are named by ``labels.REVIEW_STATE``
wherever a person reads them, messages included.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from survey import audit, labels
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
#: The most responses one bulk verification takes (a page of the list is 50).
MAX_BULK = 200
CORRECTABLE = ("firm_name", "unit_id", "sector_code", "ownership", "employees", "revenue_vnd", "capital_vnd")


class ReviewError(ValueError):
    """A review action that is not allowed; the message says why."""


class Conflict(Exception):
    """Someone else changed the response after this staff member loaded it.

    ``ids``: which of several responses changed (a bulk verification), else empty.
    """

    def __init__(self, ids: Iterable[int] = ()):
        super().__init__()
        self.ids = list(ids)


def _state_name(state: ReviewState) -> str:
    # In the middle of a sentence: "A response that is awaiting review cannot become …".
    return labels.label(state).lower()


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
                current=_state_name(response.review_state),
                decision=_state_name(decision),
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


def can_verify(response: Response) -> bool:
    """Whether ``response`` may be verified now (submitted, and not verified or rejected)."""
    return (
        response.state == ResponseState.SUBMITTED
        and ReviewState.VERIFIED in TRANSITIONS[response.review_state]
    )


def verify_all(session: Session, seen: list[tuple[Response, str]], actor: StaffUser) -> int:
    """Verify every response of ``seen`` ((response, the version the officer confirmed)).

    All or nothing: if any of them changed since it was shown (its version is not the one
    confirmed), ``Conflict`` names them and nothing is verified, so that nobody verifies
    what someone else has just flagged or corrected. Each verification is audited as a
    single review is (``set_review_state``): one entry per response.
    """
    stale = [response.id for response, version in seen if str(response.version_id) != str(version)]
    if stale:
        raise Conflict(stale)
    for response, _version in seen:
        set_review_state(session, response, ReviewState.VERIFIED, None, actor)
    return len(seen)


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
