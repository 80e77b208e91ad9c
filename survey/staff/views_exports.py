"""Excel exports from the dashboard: requested here, built by survey.exports.jobs."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey import audit, work
from survey.exports import jobs
from survey.exports import requests as export_requests
from survey.extensions import db
from survey.ids import get_or_404, parse_id
from survey.models import ExportJob, JobState, Role, Wave
from survey.reports import filters as report_filters
from survey.spreadsheets import XLSX
from survey.staff.access import can_see_personal_ids, requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm


@bp.post("/exports")
@work.writes
@requires(Role.VIEWER)
def request_export():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    kind = request.form.get("kind", "")
    try:
        export_requests.check_kind(user, kind)  # before the rest of the form is read
    except export_requests.NotAllowed:
        abort(403)
    except export_requests.RequestRefused as exc:
        abort(400, description=str(exc))
    wave_id = parse_id(request.form.get("wave"))
    wave = db.session.get(Wave, wave_id) if wave_id else None
    if wave is None:
        abort(400, description="unknown wave")
    try:
        filters = report_filters.parse(request.form, db.session)
    except report_filters.BadFilter as exc:
        abort(400, description=str(exc))
    try:
        job = export_requests.request_export(
            db.session,
            user,
            kind,
            wave,
            filters,
            labels=request.form.get("labels", "codes"),
            lang=request.form.get("lang", "vi"),
        )
    except export_requests.TooMany as exc:
        flash(str(exc), "error")
        return _exports_page(429)
    except export_requests.RequestRefused as exc:
        abort(exc.status, description=str(exc))
    return redirect(url_for("staff.export_status", job_id=job.id), 303)


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
    # Likewise a file with personal IDs in full is an admin's only (an admin made analyst since).
    personal_ids = bool((job.params or {}).get("personal_ids"))
    if personal_ids and not can_see_personal_ids():
        abort(403)
    if job.state != JobState.DONE or not job.file_name:
        abort(404)
    path = jobs.folder() / job.file_name
    if not path.exists():
        abort(404, description=_("The file has expired; please export again."))
    audit.record(db.session, "export.downloaded", job, personal_ids=personal_ids)
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
