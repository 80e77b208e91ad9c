"""Who may do what: every staff view declares its role here, in one place.

``requires(role)`` logs anonymous users in, refuses lower roles with 403 and sends a
user whose password was reset to change it first. The role is kept on the view so a
test can walk ``app.url_map`` and prove that no staff route was left unguarded.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.exports import cells
from survey.exports.requests import sees_contacts, sees_personal_ids
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
    """Viewers see no personal contact data (the rule: survey.exports.requests.sees_contacts)."""
    return sees_contacts(current_user)


def can_see_personal_ids() -> bool:
    """Only admins see a personal ID in full (the rule: survey.exports.requests.sees_personal_ids)."""
    return sees_personal_ids(current_user)


def shown_identifier(business, public: bool = False) -> str:
    """The Jinja filter ``identifier``: a business's identifier as the current user may see it.

    ``business`` is an Enterprise, a Response (its firm's) or a row with ``tax_code``,
    ``id_type`` and ``id_erased_at``. ``public`` pages (the respondent's own) always mask a
    personal ID, whoever is logged in; an erased one reads "(erased)".
    """
    if business is None:
        return ""
    business = getattr(business, "enterprise", None) or business
    return cells.identifier(
        getattr(business, "id_type", None),
        getattr(business, "tax_code", None),
        getattr(business, "id_erased_at", None),
        full=not public and can_see_personal_ids(),
        erased=_("(erased)"),
    )


#: Keys of audit details that hold codes, numbers and states, never words a person typed.
#: Viewers read only these in a history; every other value (notes, reasons, names staff
#: typed in a correction, and any key added later) is hidden from them.
STRUCTURED_DETAILS = frozenset(
    {
        "review_state",
        "unit_id",
        "sector_code",
        "ownership",
        "employees",
        "revenue_vnd",
        "capital_vnd",
        "count",
        "older_than_days",
        "checked",
        "changed",
        "moved",
        "run",
        "wave_id",
        "contacts",
        "personal_ids",
        "enterprise_id",
        "replaces",
    }
)


def can_read_free_text() -> bool:
    """Internal notes and reasons are for analysts and admins; viewers see that they exist."""
    return current_user.is_authenticated and current_user.has_role(Role.ANALYST)


def visible_details(details: dict) -> dict:
    """An audit event's details as the current user may read them (see STRUCTURED_DETAILS)."""
    if can_read_free_text():
        return details
    hidden = _("(hidden)")

    def redact(values: dict) -> dict:
        shown = {}
        for key, value in values.items():
            if key in ("before", "after") and isinstance(value, dict):
                shown[key] = redact(value)
            elif key in STRUCTURED_DETAILS and not isinstance(value, dict | list):
                shown[key] = value
            else:
                shown[key] = None if value is None else hidden
        return shown

    return redact(details or {})
