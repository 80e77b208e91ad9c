"""The audit trail: who did what to which object, with before and after values.

Only ``record`` writes audit events, and nothing in the application updates or deletes
them. It adds to the session; the caller's single commit makes the change and its
record atomic, so there is never an action without its entry or an entry without
its action.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from survey.models import AuditEvent


def _plain(value):
    """JSON-safe copies of the values we record."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def record(
    session: Session,
    action: str,
    obj=None,
    *,
    object_type: str | None = None,
    object_id=None,
    before: dict | None = None,
    after: dict | None = None,
    actor_id: int | None = None,
    **details,
) -> AuditEvent:
    """Add an audit event for ``action`` on ``obj`` (or the given type and id)."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    if actor_id is None and has_request_context() and current_user and current_user.is_authenticated:
        actor_id = current_user.id
    payload = {k: _plain(v) for k, v in details.items() if v is not None}
    if before is not None:
        payload["before"] = _plain(before)
    if after is not None:
        payload["after"] = _plain(after)
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=payload,
        client_address=request.remote_addr if has_request_context() else None,
    )
    session.add(event)
    return event


def changes(obj, fields) -> tuple[dict, dict]:
    """(before, after) of ``fields`` that changed on ``obj`` since it was loaded."""
    from sqlalchemy import inspect

    state = inspect(obj)
    before, after = {}, {}
    for name in fields:
        history = state.attrs[name].history
        if history.has_changes():
            before[name] = history.deleted[0] if history.deleted else None
            after[name] = history.added[0] if history.added else None
    return before, after
