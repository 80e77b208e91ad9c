"""Admin pages for staff accounts: create, change role, deactivate, reset password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from survey import audit
from survey.auth.passwords import generate_password
from survey.extensions import db
from survey.ids import get_or_404
from survey.models import Role, StaffUser
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm, NewUserForm, RoleForm


def _user(user_id: int) -> StaffUser:
    return get_or_404(StaffUser, user_id)


def _other_active_admins(user: StaffUser) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(StaffUser)
        .where(StaffUser.role == Role.ADMIN, StaffUser.active, StaffUser.id != user.id)
    )


@bp.get("/users")
@requires(Role.ADMIN)
def users():
    return _users_page(NewUserForm())


def _users_page(new_form: NewUserForm, status: int = 200):
    accounts = db.session.scalars(select(StaffUser).order_by(StaffUser.email)).all()
    return render_template(
        "staff/users.html",
        users=accounts,
        new_form=new_form,
        role_form=RoleForm(),
        confirm=ConfirmForm(),
    ), status


@bp.post("/users")
@requires(Role.ADMIN)
def create_user():
    form = NewUserForm()
    # Refused input comes back with the page and a 400, the form keeping what was typed.
    if not form.validate_on_submit():
        flash(_("Please give a valid e-mail and a role."), "error")
        return _users_page(form, 400)
    email = form.email.data.strip().lower()
    if db.session.scalar(select(StaffUser).filter_by(email=email)):
        flash(_("An account for %(email)s already exists.", email=email), "error")
        return _users_page(form, 409)
    password = generate_password()
    user = StaffUser(email=email, role=Role(form.role.data), must_change_password=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(db.session, "user.created", user, after={"email": email, "role": user.role})
    db.session.commit()
    return render_template("staff/password_once.html", user=user, password=password)


@bp.post("/users/<int:user_id>/role")
@requires(Role.ADMIN)
def change_role(user_id: int):
    user = _user(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    new_role = Role(form.role.data)
    if user.role == Role.ADMIN and new_role != Role.ADMIN and not _other_active_admins(user):
        flash(_("The last active administrator cannot lose the role."), "error")
        return redirect(url_for("staff.users"))
    if new_role != user.role:
        audit.record(db.session, "user.role", user, before={"role": user.role}, after={"role": new_role})
        user.role = new_role
        db.session.commit()
        flash(_("Role changed."), "success")
    return redirect(url_for("staff.users"))


@bp.post("/users/<int:user_id>/active")
@requires(Role.ADMIN)
def toggle_active(user_id: int):
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.active and (
        user.id == current_user.id or (user.role == Role.ADMIN and not _other_active_admins(user))
    ):
        flash(_("You cannot deactivate your own account or the last administrator."), "error")
        return redirect(url_for("staff.users"))
    audit.record(
        db.session, "user.deactivated" if user.active else "user.reactivated", user,
        before={"active": user.active}, after={"active": not user.active},
    )  # fmt: skip
    user.active = not user.active
    # Ends the account's sessions at once (see StaffUser.get_id).
    user.session_version += 1
    db.session.commit()
    return redirect(url_for("staff.users"))


@bp.post("/users/<int:user_id>/reset")
@requires(Role.ADMIN)
def reset_password(user_id: int):
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    audit.record(db.session, "user.password_reset", user)
    db.session.commit()
    return render_template("staff/password_once.html", user=user, password=password)
