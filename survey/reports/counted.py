"""Which responses count in the city's figures: one SQL expression for every query that counts.

A response counts once it is submitted (a draft may still change) and as long as review
has not rejected it (a rejected response is known to be wrong: a duplicate, a test, a
firm outside the survey). Flagged and pending ones count: a flag asks a question, it is
no verdict. The rollup, the dashboards and workbooks built on it, the public summary's
cache stamp and the respondent's peer comparison all use :func:`counted`, so a rejected
response can never count in one figure and not in another.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_

from survey.models import Response, ResponseState, ReviewState


def counted() -> ColumnElement[bool]:
    """The condition on ``responses`` of a response that counts, in any wave."""
    return and_(Response.state == ResponseState.SUBMITTED, Response.review_state != ReviewState.REJECTED)


def counted_in(wave_id: int) -> ColumnElement[bool]:
    """The responses of wave ``wave_id`` that count."""
    return and_(Response.wave_id == wave_id, counted())
