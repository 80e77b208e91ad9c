"""Staff authentication (the login pages themselves come with the staff workspace)."""

from __future__ import annotations

from survey.auth import sessions
from survey.extensions import db
from survey.models import StaffUser


def load_staff_user(user_id: str) -> StaffUser | None:
    """Flask-Login's user loader: the account must be active and its session live on the server."""
    # Nothing else has used the database in this request yet if no transaction is open:
    # then the session's "last seen" may be committed on its own (see sessions.touch).
    own_transaction = not db.session().in_transaction()
    try:
        raw_id, raw_version = user_id.split(":")
        user = db.session.get(StaffUser, int(raw_id))
    except ValueError:
        return None
    # A changed password or a deactivation ends every existing session of the account.
    if user is None or not user.active or str(user.session_version) != raw_version:
        return None
    # Log-out, the idle limit and the absolute limit end this one session.
    row = sessions.live(db.session, user.id)
    if row is None:
        return None
    sessions.touch(db.session, row, own_transaction=own_transaction)
    return user
