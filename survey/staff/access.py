"""Who may do what: every staff view declares its role here, in one place.

``requires(role)`` logs anonymous users in, refuses lower roles with 403 and sends a
user whose password was reset to change it first. The role is kept on the view so a
test can walk ``app.url_map`` and prove that no staff route was left unguarded.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from survey.extensions import login_manager
from survey.models import Role


def requires(role: Role):
    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.must_change_password and request.endpoint != "auth.change_password":
                return redirect(url_for("auth.change_password"))
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_role = role
        return guarded

    return decorator


def can_see_contacts() -> bool:
    """Viewers see no personal contact data."""
    return current_user.is_authenticated and current_user.has_role(Role.ANALYST)
