"""The enterprise register: import from .xlsx with a preview, then one confirmed transaction.

The check and the import run on the job queue (survey/registry/register_jobs.py); these
views keep the upload, queue the work and send the staff member to the task's page.
"""

from __future__ import annotations

from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from survey import files, work
from survey.extensions import db
from survey.i18n import current_language
from survey.jobs import tasks
from survey.models import Enterprise, Role, TaskKind
from survey.registry import importer, uploads
from survey.registry.register_workbooks import template_language
from survey.spreadsheets import XLSX
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm

#: The names the template and the error report download as, by language.
_DOWNLOADS = {
    "vi": ("mau-so-dang-ky.xlsx", "loi-so-dang-ky.xlsx"),
    "en": ("register-template.xlsx", "register-errors.xlsx"),
}


@bp.get("/register")
@requires(Role.ADMIN)
def register_import():
    uploads.forget_old()
    return _register_page()


def _register_page(status: int = 200):
    count = db.session.scalar(select(func.count()).select_from(Enterprise))
    return render_template("staff/register.html", count=count, form=ConfirmForm()), status


@bp.get("/register/template.xlsx")
@requires(Role.ADMIN)
def register_template():
    """The template in the staff member's language (the importer reads either)."""
    language = template_language()
    return send_file(
        BytesIO(importer.template_workbook(db.session, language)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=_DOWNLOADS[language][0],
    )


@bp.post("/register")
@work.writes
@requires(Role.ADMIN)
def register_upload():
    """Keep the file and queue its check (survey/registry/register_jobs.py)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Please choose an .xlsx file."), "error")
        return _register_page(400)
    uploads.forget_old()
    name = uploads.new_name()
    path = uploads.path_of(name)
    display_name = secure_filename(upload.filename) or None
    try:
        with files.create_private(path) as target:
            upload.save(target)
        # Not an .xlsx at all, or a bomb: refused at once, before anything is queued.
        importer.precheck(path, display_name, importer.RegisterLimits.from_config(current_app.config))
        task = tasks.start(
            TaskKind.REGISTER_CHECK,
            current_user,
            upload=name,
            display_name=display_name,
            lang=current_language(),
        )
    except importer.RegisterFileError as exc:
        uploads.discard(name)
        flash(exc.translated(), "error")
        return _register_page(400)
    except BaseException:
        # A file nobody can confirm is not left behind with its personal data.
        uploads.discard(name)
        raise
    return redirect(url_for("staff.task_status", task_id=task.id), 303)


def _pending_upload(upload: str) -> str:
    """``upload`` if it is one of ours still waiting; else 404 with the reason."""
    path = uploads.path_of(upload)
    if path is None:
        abort(404)
    if not path.exists():
        abort(404, description=_("This upload has expired; please upload the file again."))
    return upload


@bp.get("/register/<upload>/errors.xlsx")
@requires(Role.ADMIN)
def register_errors(upload: str):
    """The rows with errors, as the check wrote them beside the upload."""
    report = uploads.error_report_of(_pending_upload(upload))
    if not report.exists():
        abort(404)
    return send_file(
        BytesIO(report.read_bytes()),  # small, and no file handle left to the WSGI server
        mimetype=XLSX,
        as_attachment=True,
        download_name=_DOWNLOADS[template_language()][1],
    )


@bp.post("/register/<upload>/confirm")
@work.writes
@requires(Role.ADMIN)
def register_confirm(upload: str):
    """Queue the import; it reads the file again (the register may have changed since)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _pending_upload(upload)
    task = tasks.start(TaskKind.REGISTER_IMPORT, current_user, upload=upload, lang=current_language())
    return redirect(url_for("staff.task_status", task_id=task.id), 303)
