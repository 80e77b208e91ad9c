"""Public pages that are not the survey itself: home, language switch, health check, summary."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from survey import frameworks, i18n
from survey.dashboard import download
from survey.extensions import db, limiter
from survey.main import services, summary
from survey.models.base import utcnow
from survey.responses.scoring import framework_of
from survey.scoring import effort
from survey.urls import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    wave = services.current_wave()
    accepting = wave is not None and wave.accepts_answers(utcnow())
    # Every wave taking answers now (one per kind of business), else the next to open.
    waves = services.open_waves() if accepting else [wave] if wave else []
    framework = (
        framework_of(wave.framework_version)
        if wave
        else frameworks.load(current_app.config["DEFAULT_FRAMEWORK"])
    )
    return render_template(
        "main/home.html",
        wave=wave,
        waves=waves,
        stats={w.id: services.wave_counts(w) for w in waves},
        accepting=accepting,
        effort=effort.estimate(framework, i18n.current_language()),
    )


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang not in i18n.supported():
        abort(400)
    session[i18n.SESSION_KEY] = lang
    return redirect(safe_next(request.form.get("next"), url_for("main.home")))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.get("/summary")
@limiter.limit(lambda: current_app.config["RATELIMIT_SUMMARY"])
def public_summary():
    """The anonymous city-level summary: headline and breakdowns, never a small group.

    Its figures are cached until the data behind them changes (survey/main/summary.py).
    """
    if not current_app.config["PUBLIC_SUMMARY"]:
        abort(404)
    wave = services.latest_wave_with_answers()
    if wave is None:
        return render_template("dashboard/public.html", board=None)
    return render_template("dashboard/public.html", board=summary.board(db.session, wave))


@bp.get("/summary/charts/<name>.<any(svg, png):fmt>")
@limiter.limit(lambda: current_app.config["RATELIMIT_SUMMARY"])
def summary_chart(name: str, fmt: str):
    """A chart of the public summary as a file for a report: the summary's own cached
    figures, so its breakdowns and its suppression of small groups, and nothing more."""
    if not current_app.config["PUBLIC_SUMMARY"]:
        abort(404)
    wave = services.latest_wave_with_answers()
    if wave is None:
        abort(404)
    return download.response(summary.board(db.session, wave), name, fmt, "")
