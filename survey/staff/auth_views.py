"""Staff log-in, log-out and password change."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import TooManyRequests

from survey import audit, work
from survey.auth import accounts, sessions, throttle
from survey.auth.login import authenticate
from survey.extensions import db
from survey.models.base import utcnow
from survey.staff.forms import ChangePasswordForm, LoginForm
from survey.urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/staff")
# At start-up: say so when the log-in throttle cannot hold across workers.
bp.record_once(lambda state: throttle.warn_if_counting_per_process(state.app))


@bp.route("/login", methods=["GET", "POST"])
@work.writes
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        # Counted before the password is checked, so that a burst cannot overshoot the
        # limits (see survey/auth/throttle.py for who is counted).
        counts = throttle.Counts.of(email, request.remote_addr)
        wait = counts.take()
        if wait is not None:
            raise TooManyRequests(retry_after=wait)
        user, account = authenticate(db.session, email, form.password.data)
        if user is not None:
            counts.forgive()
            sessions.forget_old(db.session, user)
            login_user(user)
            sessions.begin(db.session, user)
            user.last_login_at = utcnow()
            audit.record(db.session, "login", user, actor_id=user.id)
            return redirect(safe_next(form.next.data, url_for("staff.dashboard")))
        audit.record(
            db.session,
            "login.failed",
            object_type="staff_users",
            object_id=account.id if account else None,
            email=email,
        )
        form.password.errors.append(_("Wrong e-mail or password, or the account is deactivated."))
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@work.writes
@login_required
def logout():
    audit.record(db.session, "logout", current_user._get_current_object())
    # Ended on the server: the cookie, if someone kept a copy, opens nothing any more.
    sessions.end(db.session)
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@work.writes
@login_required
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(email=user.email)
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session, user, form.current.data, form.new.data)
        except accounts.WrongPassword as exc:
            form.current.errors.append(str(exc))
        except accounts.AccountRuleError as exc:
            form.new.errors.append(str(exc))
        else:
            # The session version changed with the password: log in again on this session.
            login_user(user)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("staff.dashboard"))
    return render_template("staff/password.html", form=form), 400 if form.errors else 200
