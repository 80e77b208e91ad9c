"""Re-scoring a wave under a corrected scoring version (a task on the job queue:
survey/responses/rescoring_jobs.py), and the before/after tables kept."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey import work
from survey.extensions import db
from survey.i18n import current_language
from survey.ids import get_or_404, parse_id
from survey.jobs import tasks
from survey.models import FrameworkVersion, RescoreRun, Role, TaskKind, Wave
from survey.responses import rescoring, rescoring_jobs
from survey.responses.scoring import framework_of
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm


@bp.route("/waves/<int:wave_id>/rescore", methods=["GET", "POST"])
@work.writes
@requires(Role.ADMIN)
def rescore_wave(wave_id: int):
    wave = get_or_404(Wave, wave_id)
    options = rescoring.candidates(db.session, wave)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        target_id = parse_id(request.form.get("version"))
        target = next((v for v in options if v.id == target_id), None)
        if target is None:
            flash(_("Choose a scoring version that re-scores this wave's questions."), "error")
            return _page(wave, options, form), 400
        # One at a time: a second would find the wave already moved and fail.
        task = rescoring_jobs.pending(wave) or tasks.start(
            TaskKind.WAVE_RESCORE, current_user, wave_id=wave.id, version_id=target.id
        )
        return redirect(url_for("staff.task_status", task_id=task.id), 303)
    return _page(wave, options, form)


def _page(wave: Wave, options: list[FrameworkVersion], form: ConfirmForm):
    runs = db.session.scalars(
        select(RescoreRun).filter_by(wave_id=wave.id).order_by(RescoreRun.ran_at.desc())
    ).all()
    return render_template(
        "staff/rescore.html",
        wave=wave,
        options=options,
        form=form,
        runs=runs,
        pending=rescoring_jobs.pending(wave),
    )


@bp.get("/rescore-runs/<int:run_id>")
@requires(Role.VIEWER)
def rescore_run(run_id: int):
    run = get_or_404(RescoreRun, run_id)
    lang = current_language()
    tiers = {t.code: t.name.get(lang) for t in framework_of(run.to_version).tiers}
    return render_template("staff/rescore_run.html", run=run, tier_names=tiers)
