"""Excel exports from the dashboard: requested here, built by survey.exports.jobs."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey import audit, work
from survey.exports import jobs
from survey.extensions import db
from survey.ids import get_or_404, parse_id
from survey.models import ExportJob, JobState, Role, Wave
from survey.reports import filters as report_filters
from survey.staff.access import can_see_contacts, requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.post("/exports")
@work.writes
@requires(Role.VIEWER)
def request_export():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    kind = request.form.get("kind", "")
    if kind not in ("responses", "summary"):
        abort(400, description="kind must be responses or summary")
    # Viewers see no personal data, so they may have the summary only.
    if kind == "responses" and not current_user.has_role(Role.ANALYST):
        abort(403)
    wave_id = parse_id(request.form.get("wave"))
    wave = db.session.get(Wave, wave_id) if wave_id else None
    if wave is None:
        abort(400, description="unknown wave")
    try:
        filters = report_filters.parse(request.form, db.session)
    except report_filters.BadFilter as exc:
        abort(400, description=str(exc))
    labels = request.form.get("labels", "codes")
    lang = request.form.get("lang", "vi")
    if labels not in ("codes", "labels") or lang not in ("vi", "en"):
        abort(400, description="labels must be codes or labels, lang vi or en")
    jobs.forget_old()
    if not jobs.has_room(db.session, current_user._get_current_object()):
        flash(
            _(
                "You already have %(count)d exports in preparation. Please wait until one is "
                "ready before you ask for another.",
                count=current_app.config["EXPORT_MAX_PENDING_PER_USER"],
            ),
            "error",
        )
        return _exports_page(429)
    job = ExportJob(
        kind=kind,
        wave_id=wave.id,
        params={"filters": filters, "labels": labels, "lang": lang, "contacts": can_see_contacts()},
        requested_by_id=current_user.id,
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        db.session, f"export.{kind}", job, wave_id=wave.id, filters=filters, contacts=can_see_contacts()
    )
    job_id = job.id
    work.after_commit(lambda: jobs.start(job_id))
    return redirect(url_for("staff.export_status", job_id=job_id), 303)


def _own_job(job_id: int) -> ExportJob:
    job = get_or_404(ExportJob, job_id)
    # A job's file may hold personal data: only who asked for it (or an admin) sees it.
    if job.requested_by_id != current_user.id and not current_user.has_role(Role.ADMIN):
        abort(404)
    return job


@bp.get("/exports/<int:job_id>")
@requires(Role.VIEWER)
def export_status(job_id: int):
    job = _own_job(job_id)
    if request.accept_mimetypes.best == "application/json":
        # Polled by survey.js, which reloads the page when the job has finished.
        return {"state": job.state.value, "rows_done": job.rows_done, "rows_total": job.rows_total}
    return render_template(
        "staff/export.html", job=job, running=job.state in (JobState.QUEUED, JobState.RUNNING)
    )


@bp.get("/exports/<int:job_id>/download")
@work.writes
@requires(Role.VIEWER)
def export_download(job_id: int):
    job = _own_job(job_id)
    # Checked at download, not only at the request: an analyst made a viewer since then
    # must not take away the contact data the role no longer shows.
    if not current_user.has_role(job.required_role):
        abort(403)
    if job.state != JobState.DONE or not job.file_name:
        abort(404)
    path = jobs.folder() / job.file_name
    if not path.exists():
        abort(404, description=_("The file has expired; please export again."))
    audit.record(db.session, "export.downloaded", job)
    name = f"{job.kind}-wave-{job.wave_id}-{job.created_at:%Y%m%d-%H%M}.xlsx"
    return send_file(path, mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/exports")
@requires(Role.VIEWER)
def my_exports():
    return _exports_page()


def _exports_page(status: int = 200):
    mine = db.session.scalars(
        select(ExportJob).filter_by(requested_by_id=current_user.id).order_by(ExportJob.id.desc()).limit(20)
    ).all()
    return render_template("staff/exports.html", jobs=mine), status
