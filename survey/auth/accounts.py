"""Staff accounts: every change to one, for the staff pages and the command line alike.

Creating an account (the e-mail normalised, the password policy, the audit line),
resetting and changing a password, changing a role and (de)activating live here, so that
``/staff/users`` and ``flask create-user`` cannot drift apart. Flushes, never commits.

The changes must keep one active administrator.
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
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey import audit
from survey.auth import sessions
from survey.auth.passwords import generate_password, password_problem, reuse_problem
from survey.models import Role, StaffUser


class AccountRuleError(ValueError):
    """A change the account rules forbid; the message says why, in the user's language."""


class AccountExists(AccountRuleError):
    """There is an account with this e-mail already."""


class WrongPassword(AccountRuleError):
    """The current password given with a change is not the account's."""


def normal_email(email: str) -> str:
    """The form an account's e-mail is stored, looked up and logged in with."""
    return email.strip().lower()


def _check_email(email: str) -> None:
    local, _at, domain = email.rpartition("@")
    if not local or "." not in domain or any(c.isspace() for c in email):
        raise AccountRuleError(_("“%(email)s” is not an email address.", email=email))


def create_account(
    session: Session, email: str, role: Role, password: str | None = None
) -> tuple[StaffUser, str]:
    """A new account and its password; audited as ``user.created``.

    Without ``password`` one is generated, to be shown once and changed at the first
    log-in (the staff page); a chosen one (the command line) must pass the password rules.
    """
    email = normal_email(email)
    _check_email(email)
    if session.scalar(select(StaffUser.id).filter_by(email=email)) is not None:
        raise AccountExists(_("An account for %(email)s already exists.", email=email))
    chosen = password is not None
    if password is None:
        password = generate_password()
    elif problem := password_problem(password, email):
        raise AccountRuleError(problem)
    user = StaffUser(email=email, role=Role(role), must_change_password=not chosen)
    user.set_password(password)
    session.add(user)
    try:
        session.flush()  # another request may have created it since the look-up
    except IntegrityError:
        raise AccountExists(_("An account for %(email)s already exists.", email=email)) from None
    audit.record(session, "user.created", user, after={"email": email, "role": user.role})
    return user, password


def reset_password(session: Session, user: StaffUser) -> str:
    """Give ``user`` a generated password, to be changed at the next log-in; returns it.

    The account's sessions end: the new password changes its session version, and their
    rows say so.
    """
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    sessions.end_all(session, user)
    audit.record(session, "user.password_reset", user)
    session.flush()
    return password


def change_password(session: Session, user: StaffUser, current: str, new: str) -> None:
    """The account's own change: the current password first, never the same one again.

    Ends the account's other sessions (this one goes on: the caller logs in again).
    """
    if not user.check_password(current):
        raise WrongPassword(_("The current password is not right."))
    if problem := reuse_problem(user, new) or password_problem(new, user.email):
        raise AccountRuleError(problem)
    user.set_password(new)
    user.must_change_password = False
    # The new version ends the other sessions already; their rows say so too.
    sessions.end_all(session, user, keep_current=True)
    audit.record(session, "password.changed", user)
    session.flush()


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
