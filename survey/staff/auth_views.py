"""Staff log-in, log-out and password change."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from survey import audit
from survey.extensions import db, limiter
from survey.models import StaffUser
from survey.models.base import utcnow
from survey.staff.forms import ChangePasswordForm, LoginForm
from survey.urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _failed(response) -> bool:
    return response.status_code == 401


def _account_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
# Failed attempts only, per client address and per account: a password guesser is slowed
# down whichever of the two it varies.
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(StaffUser).filter_by(email=email))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            user.last_login_at = utcnow()
            audit.record(db.session, "login", user, actor_id=user.id)
            db.session.commit()
            return redirect(safe_next(form.next.data, url_for("staff.dashboard")))
        audit.record(
            db.session,
            "login.failed",
            object_type="staff_users",
            object_id=user.id if user else None,
            email=email,
        )
        db.session.commit()
        form.password.errors.append(_("Wrong e-mail or password, or the account is deactivated."))
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    audit.record(db.session, "logout", current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(email=user.email)
    if form.validate_on_submit():
        if not user.check_password(form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            user.set_password(form.new.data)
            user.must_change_password = False
            audit.record(db.session, "password.changed", user)
            db.session.commit()
            # The session version changed with the password: log in again on this session.
            login_user(user)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("staff.dashboard"))
    return render_template("staff/password.html", form=form), 400 if form.errors else 200
