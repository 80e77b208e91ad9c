"""Admin pages for staff accounts: create, change role, deactivate, reset password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey import work
from survey.auth import accounts
from survey.extensions import db
from survey.ids import get_or_404
from survey.models import Role, StaffUser
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm, NewUserForm, RoleForm


def _user(user_id: int) -> StaffUser:
    return get_or_404(StaffUser, user_id)


@bp.get("/users")
@requires(Role.ADMIN)
def users():
    return _users_page(NewUserForm())


def _users_page(new_form: NewUserForm, status: int = 200):
    return render_template(
        "staff/users.html",
        users=db.session.scalars(select(StaffUser).order_by(StaffUser.email)).all(),
        new_form=new_form,
        role_form=RoleForm(),
        confirm=ConfirmForm(),
    ), status


@bp.post("/users")
@work.writes
@requires(Role.ADMIN)
def create_user():
    form = NewUserForm()
    # Refused input comes back with the page and a 400, the form keeping what was typed.
    if not form.validate_on_submit():
        flash(_("Please give a valid e-mail and a role."), "error")
        return _users_page(form, 400)
    try:
        user, password = accounts.create_account(db.session, form.email.data, Role(form.role.data))
    except accounts.AccountExists as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _users_page(form, 409)
    except accounts.AccountRuleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _users_page(form, 400)
    return render_template("staff/password_once.html", user=user, password=password)


@bp.post("/users/<int:user_id>/role")
@work.writes
@requires(Role.ADMIN)
def change_role(user_id: int):
    user = _user(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = accounts.change_role(db.session, user, Role(form.role.data))
    except accounts.AccountRuleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("staff.users"))
    if changed:
        flash(_("Role changed."), "success")
    return redirect(url_for("staff.users"))


@bp.post("/users/<int:user_id>/active")
@work.writes
@requires(Role.ADMIN)
def toggle_active(user_id: int):
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        accounts.set_active(db.session, user, not user.active, current_user._get_current_object())
    except accounts.AccountRuleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("staff.users"))
    return redirect(url_for("staff.users"))


@bp.post("/users/<int:user_id>/reset")
@work.writes
@requires(Role.ADMIN)
def reset_password(user_id: int):
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    password = accounts.reset_password(db.session, user)
    return render_template("staff/password_once.html", user=user, password=password)
