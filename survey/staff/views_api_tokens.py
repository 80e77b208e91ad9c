"""API tokens for the city's other systems: administrators create, list and revoke them.

A new token's secret is on the page that answers the creation, once: it is not stored
(only its digest is), so a lost one is revoked and replaced. The rules are
survey.api.credentials'; the form only reads what was typed.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from survey import work
from survey.api import credentials
from survey.extensions import db
from survey.ids import get_or_404
from survey.labels import label
from survey.models import ApiScope, ApiToken, Role
from survey.models.base import utcnow
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm
from survey.timezone import LOCAL

#: A new token's expiry unless the admin chooses another day.
DEFAULT_DAYS = 90


class ApiTokenForm(FlaskForm):
    client = StringField(
        _l("System the token is for"),
        validators=[DataRequired(), Length(max=credentials.CLIENT_MAX)],
    )
    scope = RadioField(
        _l("What it may read"),
        choices=[
            SelectChoice(ApiScope.VIEWER.value, _l("Figures: frameworks, waves, rollups (as a viewer)")),
            SelectChoice(
                ApiScope.ANALYST.value, _l("Figures and the responses with their contacts (as an analyst)")
            ),
        ],
        default=ApiScope.VIEWER.value,
        validators=[InputRequired()],
    )
    expires_on = DateField(_l("Valid until"), validators=[InputRequired()])


def _today():
    return utcnow().astimezone(LOCAL).date()


def _page(form: ApiTokenForm, status: int = 200, secret: str | None = None, created: ApiToken | None = None):
    return render_template(
        "staff/api_tokens.html",
        form=form,
        tokens=credentials.listed(db.session),
        confirm=ConfirmForm(),
        now=utcnow(),
        secret=secret,
        created=created,
        scope_label=lambda scope: label(Role(scope.value)),
        max_days=credentials.MAX_DAYS,
    ), status


@bp.get("/api-tokens")
@requires(Role.ADMIN)
def api_tokens():
    form = ApiTokenForm(expires_on=_today() + timedelta(days=DEFAULT_DAYS))
    return _page(form)


@bp.post("/api-tokens")
@work.writes
@requires(Role.ADMIN)
def create_api_token():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        token, secret = credentials.create(
            db.session, form.client.data, form.scope.data, form.expires_on.data, current_user
        )
    except credentials.TokenRefused as exc:
        db.session.rollback()
        for name, message in exc.problems.items():
            getattr(form, name).errors.append(message)
        return _page(form, 400)
    # Shown on this answer only (no redirect: the secret must not pass through the session).
    fresh = ApiTokenForm(formdata=None, expires_on=_today() + timedelta(days=DEFAULT_DAYS))
    return _page(fresh, 200, secret=secret, created=token)


@bp.post("/api-tokens/<int:token_id>/revoke")
@work.writes
@requires(Role.ADMIN)
def revoke_api_token(token_id: int):
    token = get_or_404(ApiToken, token_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if credentials.revoke(db.session, token, current_user):
        flash(_("Token revoked: %(client)s can no longer use it.", client=token.client), "success")
    return redirect(url_for("staff.api_tokens"))
