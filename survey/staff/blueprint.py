"""The staff blueprint; its views live in the views_* modules of this package."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from survey.extensions import login_manager
from survey.staff.access import shown_identifier

bp = Blueprint("staff", __name__, url_prefix="/staff")
#: ``{{ firm | identifier }}`` on every page, staff's and the respondent's (``public=True``).
bp.add_app_template_filter(shown_identifier, "identifier")


@bp.before_request
def _logged_in_only():
    # Defence in depth: each view also declares its role with ``requires``.
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None
