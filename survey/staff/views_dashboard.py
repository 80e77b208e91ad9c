"""The staff dashboard: the wave's headline, breakdowns, levels, pillars, technologies, trend;
and each of its charts as a file for a report."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, render_template, request
from sqlalchemy import select

from survey.dashboard import chart_set, download, figures, filter_text
from survey.extensions import db
from survey.models import Role, Wave
from survey.reports import breakdowns as reports
from survey.reports import filters as report_filters
from survey.reports import privacy
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.views_responses import selected_wave
from survey.statistics import rollup as rollups
from survey.support import services as support
from survey.timezone import LOCAL


def _filters() -> dict:
    try:
        return report_filters.parse(request.args, db.session)
    except report_filters.BadFilter as exc:
        abort(400, description=str(exc))


def _sort() -> str:
    value = request.args.get("sort", "key")
    return value if value in chart_set.SORTS else "key"


@bp.get("/dashboard")
@requires(Role.VIEWER)
def city_dashboard():
    wave = selected_wave()
    filters = _filters()
    board = figures.build(
        db.session,
        wave,
        filters,
        privacy.min_group(),
        current_app.config["ROLLUP_STRATA"],
    )
    choices = report_filters.choices(db.session)
    return render_template(
        "dashboard/staff.html",
        board=board,
        choices=choices,
        filter_names=filter_text.names({name: choices[name] for name in filters}),
        # Each programme's reach, under the same filters, weighted by the same strata.
        support_reach=support.reach(
            db.session,
            wave,
            datetime.now(LOCAL).date(),
            filters=filters,
            strata=current_app.config["ROLLUP_STRATA"],
            min_group=privacy.min_group(),
        )
        if not board.empty
        else None,
        waves=db.session.scalars(select(Wave).order_by(Wave.opens_at.desc())).all(),
        sort=_sort(),
    )


@bp.get("/dashboard/charts/<name>.<any(svg, png):fmt>")
@requires(Role.VIEWER)
def dashboard_chart(name: str, fmt: str):
    """One chart of the dashboard as a file, under the page's wave, filters and sort.

    Only what the chart needs is computed: a breakdown's chart asks for that breakdown
    alone, and no chart needs the trend or the modules.
    """
    wave = selected_wave()
    filters = _filters()
    by = chart_set.breakdown_of(name)
    if by is not None and by not in reports.DASHBOARD.shown(filters, rollups.kinds_covered(wave, filters)):
        abort(404)
    board = figures.build(
        db.session,
        wave,
        filters,
        privacy.min_group(),
        current_app.config["ROLLUP_STRATA"],
        breakdowns=(by,) if by else (),
        with_trend=False,
        with_modules=False,
    )
    described = filter_text.described(filters, report_filters.choices(db.session, filters)) if filters else ""
    return download.response(board, name, fmt, described, _sort())
