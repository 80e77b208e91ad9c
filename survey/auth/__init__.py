"""Staff authentication (the login pages themselves come with the staff workspace)."""

from __future__ import annotations

from survey.extensions import db
from survey.models import StaffUser


def load_staff_user(user_id: str) -> StaffUser | None:
    """Flask-Login's user loader: an inactive account is treated as logged out."""
    try:
        raw_id, raw_version = user_id.split(":")
        user = db.session.get(StaffUser, int(raw_id))
    except ValueError:
        return None
    # A changed password or a deactivation ends every existing session of the account.
    if user is None or not user.active or str(user.session_version) != raw_version:
        return None
    return user
