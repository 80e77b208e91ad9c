"""Changes to staff accounts that must keep one active administrator. Flushes, never commits.

The rule "there is always an active administrator" is a count of *other* rows, which no
constraint on one row can express, and two administrators demoting each other at the
same moment each counted the other and both went ahead: on PostgreSQL that left no
administrator in 7 rounds of 8. So every change that can take an administrator away
first locks the rows of all active administrators (``SELECT … FOR UPDATE``, in id order
so that two such transactions cannot deadlock), and only then counts. The second
transaction waits for the first to commit, and then counts what it left. SQLite renders
no FOR UPDATE; it needs none, because requests that write open their transaction with
``BEGIN IMMEDIATE`` (survey/database.py), which already runs them one at a time.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import audit
from survey.auth import sessions
from survey.models import Role, StaffUser


class AccountRuleError(ValueError):
    """A change the account rules forbid; the message says why, in the user's language."""


def _lock_active_admins(session: Session) -> list[StaffUser]:
    """The active administrators, locked until the transaction ends, and freshly read."""
    return list(
        session.scalars(
            select(StaffUser)
            .where(StaffUser.role == Role.ADMIN, StaffUser.active)
            .order_by(StaffUser.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _takes_last_admin(session: Session, user: StaffUser) -> bool:
    admins = _lock_active_admins(session)
    # Read the account again too: what it was when the page loaded may have changed.
    session.refresh(user)
    return user.role == Role.ADMIN and user.active and not [a for a in admins if a.id != user.id]


def change_role(session: Session, user: StaffUser, role: Role) -> bool:
    """Give ``user`` ``role``; False if it had it already. Never demotes the last active admin."""
    if role != Role.ADMIN and _takes_last_admin(session, user):
        raise AccountRuleError(_("The last active administrator cannot lose the role."))
    if role == user.role:
        return False
    audit.record(session, "user.role", user, before={"role": user.role}, after={"role": role})
    user.role = role
    session.flush()
    return True


def set_active(session: Session, user: StaffUser, active: bool, actor: StaffUser | None) -> bool:
    """Deactivate or reactivate ``user``; False if it was so already.

    Nobody deactivates their own account, and the last active administrator stays.
    """
    if not active and ((actor is not None and actor.id == user.id) or _takes_last_admin(session, user)):
        raise AccountRuleError(_("You cannot deactivate your own account or the last administrator."))
    if user.active == active:
        return False
    audit.record(
        session,
        "user.reactivated" if active else "user.deactivated",
        user,
        before={"active": user.active},
        after={"active": active},
    )
    user.active = active
    # Ends the account's sessions at once (see StaffUser.get_id), and says so in their rows.
    user.session_version += 1
    if not active:
        sessions.end_all(session, user)
    session.flush()
    return True
