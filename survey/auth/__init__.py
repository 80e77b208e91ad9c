"""Staff authentication (the login pages themselves come with the staff workspace)."""

from __future__ import annotations

from survey.extensions import db
from survey.models import StaffUser


def load_staff_user(user_id: str) -> StaffUser | None:
    """Flask-Login's user loader: an inactive account is treated as logged out."""
    try:
        user = db.session.get(StaffUser, int(user_id))
    except ValueError:
        return None
    return user if user is not None and user.active else None
