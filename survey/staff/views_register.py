"""The enterprise register: import from .xlsx with a preview, then one confirmed transaction."""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from io import BytesIO
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from survey import files, work
from survey.extensions import db
from survey.models import Enterprise, Role
from survey.registry import importer
from survey.registry import register_import as imports
from survey.registry.register_workbooks import template_language
from survey.spreadsheets import XLSX
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm

_UPLOAD = re.compile(r"^[0-9a-f]{32}$")
#: The names the template and the error report download as, by language.
_DOWNLOADS = {
    "vi": ("mau-so-dang-ky.xlsx", "loi-so-dang-ky.xlsx"),
    "en": ("register-template.xlsx", "register-errors.xlsx"),
}


def _uploads() -> Path:
    # Uploads hold firms' contacts: the folders are the app user's alone (0700).
    files.private_folder(current_app.instance_path)
    return files.private_folder(Path(current_app.instance_path) / "uploads")


def _forget_old_uploads(max_age: float = 24 * 3600) -> None:
    """Previews that were never confirmed are not kept for ever (they hold personal data).

    This also sweeps up the file of an upload whose worker was killed mid-check (a
    refused or failed check deletes its own file at once).
    """
    cutoff = time.time() - max_age
    for path in _uploads().glob("*.xlsx"):
        with contextlib.suppress(FileNotFoundError):  # another worker swept it first
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)


def _limits() -> importer.RegisterLimits:
    return importer.RegisterLimits.from_config(current_app.config)


def _message(exc: importer.RegisterFileError) -> str:
    """The refusal in the staff member's language (``str(exc)`` is the English of the logs)."""
    return exc.translated()


def _upload_path(upload: str) -> Path:
    # Only names we generated: no path can be smuggled in through the URL.
    if not _UPLOAD.match(upload):
        abort(404)
    path = _uploads() / f"{upload}.xlsx"
    if not path.exists():
        abort(404, description=_("This upload has expired; please upload the file again."))
    return path


def _read_pending(path: Path) -> importer.ImportPreview | None:
    """Read a checked upload again; None (the file deleted, the reason flashed) if it no
    longer passes, e.g. because the limits were lowered in between."""
    try:
        return importer.read_register(path, db.session, limits=_limits())
    except importer.RegisterFileError as exc:
        path.unlink(missing_ok=True)
        flash(_message(exc), "error")
        return None


@bp.get("/register")
@requires(Role.ADMIN)
def register_import():
    _forget_old_uploads()
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
@requires(Role.ADMIN)
def register_upload():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    # A refused file comes back with the upload page, its message and a 400.
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Please choose an .xlsx file."), "error")
        return _register_page(400)
    _forget_old_uploads()
    name = secrets.token_hex(16)
    path = _uploads() / f"{name}.xlsx"
    try:
        with files.create_private(path) as target:
            upload.save(target)
        preview = importer.read_register(
            path, db.session, display_name=secure_filename(upload.filename) or None, limits=_limits()
        )
    except importer.RegisterFileError as exc:
        path.unlink(missing_ok=True)
        flash(_message(exc), "error")
        return _register_page(400)
    except BaseException:
        # Whatever else stops the check (a bug, the worker's timeout raising SystemExit),
        # a file nobody can confirm is not left behind with its personal data.
        path.unlink(missing_ok=True)
        raise
    return render_template("staff/register_preview.html", preview=preview, upload=name, form=ConfirmForm())


@bp.get("/register/<upload>/errors.xlsx")
@requires(Role.ADMIN)
def register_errors(upload: str):
    preview = _read_pending(_upload_path(upload))
    if preview is None:
        return _register_page(400)
    return send_file(
        BytesIO(importer.error_report(preview.errors, preview.header)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=_DOWNLOADS[template_language()][1],
    )


@bp.post("/register/<upload>/confirm")
@work.writes
@requires(Role.ADMIN)
def register_confirm(upload: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    path = _upload_path(upload)
    # Read again rather than trust anything kept from the preview: the register may have
    # changed in between, and the counts must describe what is written now.
    preview = _read_pending(path)
    if preview is None:
        return _register_page(400)
    result = imports.confirm(db.session, preview, path)
    flash(
        _(
            "Register imported: %(added)s added, %(updated)s updated, %(unchanged)s unchanged.",
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
        "success",
    )
    return redirect(url_for("staff.register_import"))
