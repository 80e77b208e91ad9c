"""The staff home page."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from survey.extensions import db
from survey.main.services import wave_counts
from survey.models import Role, Wave
from survey.staff.access import requires
from survey.staff.blueprint import bp


@bp.get("/")
@requires(Role.VIEWER)
def dashboard():
    waves = db.session.scalars(select(Wave).order_by(Wave.opens_at.desc())).all()
    return render_template("staff/home.html", waves=[(w, wave_counts(w)) for w in waves])
