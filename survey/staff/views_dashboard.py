"""The staff dashboard: the wave's headline, breakdowns, levels, pillars, technologies, trend."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from sqlalchemy import select

from survey.dashboard import figures, params
from survey.extensions import db
from survey.models import Role, Wave
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.views_responses import selected_wave


@bp.get("/dashboard")
@requires(Role.VIEWER)
def city_dashboard():
    wave = selected_wave()
    try:
        filters, choices = params.parse(request.args, db.session)
    except params.BadFilter as exc:
        abort(400, description=str(exc))
    board = figures.build(
        db.session,
        wave,
        filters,
        current_app.config["DASHBOARD_MIN_GROUP"],
        current_app.config["ROLLUP_STRATA"],
    )
    return render_template(
        "dashboard/staff.html",
        board=board,
        choices=choices,
        waves=db.session.scalars(select(Wave).order_by(Wave.opens_at.desc())).all(),
        sort=request.args.get("sort", "key")
        if request.args.get("sort") in ("key", "n", "engaged")
        else "key",
    )
