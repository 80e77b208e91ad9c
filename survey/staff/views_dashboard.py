"""The staff dashboard: the wave's headline, breakdowns, levels, pillars, technologies, trend."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, render_template, request
from sqlalchemy import select

from survey.dashboard import figures
from survey.extensions import db
from survey.models import Role, Wave
from survey.reports import filters as report_filters
from survey.reports import privacy
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.views_responses import selected_wave
from survey.support import services as support
from survey.timezone import LOCAL


@bp.get("/dashboard")
@requires(Role.VIEWER)
def city_dashboard():
    wave = selected_wave()
    try:
        filters = report_filters.parse(request.args, db.session)
    except report_filters.BadFilter as exc:
        abort(400, description=str(exc))
    board = figures.build(
        db.session,
        wave,
        filters,
        privacy.min_group(),
        current_app.config["ROLLUP_STRATA"],
    )
    return render_template(
        "dashboard/staff.html",
        board=board,
        choices=report_filters.choices(db.session),
        # Each programme's reach, under the same filters, weighted by the same strata.
        support_reach=support.reach(
            db.session,
            wave,
            datetime.now(LOCAL).date(),
            filters=filters,
            strata=current_app.config["ROLLUP_STRATA"],
            min_group=privacy.min_group(),
        ),
        waves=db.session.scalars(select(Wave).order_by(Wave.opens_at.desc())).all(),
        sort=request.args.get("sort", "key")
        if request.args.get("sort") in ("key", "n", "engaged")
        else "key",
    )
