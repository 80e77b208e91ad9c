"""Checking and importing a register upload as tasks on the job queue.

The web server only stores the upload (UPLOAD_DIR) and queues a check; a worker reads
and checks every row (survey.registry.importer.read_register), writes the report of the
rows with errors beside the upload, and records the preview's counts and first errors
as the task's result. Confirming queues an import, which reads the file again (the
register may have changed since the preview) and writes it in one unit with its audit.
A file that cannot be read as a register at all is a result too ("refused", with the
reason in the staff member's language), not a failure: only a bug fails a task.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext

from survey import work
from survey.extensions import db
from survey.files import create_private
from survey.jobs import tasks
from survey.models import Task, TaskKind
from survey.registry import importer, uploads
from survey.registry import register_import as imports

#: How many rows with errors the preview page lists (all are in the report).
ERRORS_SHOWN = 200


@dataclass(frozen=True)
class CheckSummary:
    """What the preview page shows of a check: counts and the first rows with errors."""

    upload: str
    total_rows: int = 0
    valid: int = 0
    error_count: int = 0
    to_add: int = 0
    to_update: int = 0
    unchanged: int = 0
    #: (Excel row, tax code, message) of the first ERRORS_SHOWN rows with errors.
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    refused: str | None = None

    @classmethod
    def of(cls, task: Task) -> CheckSummary:
        found = dict(task.result or {})
        found["errors"] = [tuple(e) for e in found.get("errors", ())]
        return cls(**found)


def _limits() -> importer.RegisterLimits:
    return importer.RegisterLimits.from_config(current_app.config)


def _read(task: Task) -> importer.ImportPreview | str:
    """The upload's preview, or the reason it is refused (the file is then deleted)."""
    name = task.params["upload"]
    path = uploads.path_of(name)
    if path is None or not path.exists():
        return gettext("This upload has expired; please upload the file again.")
    try:
        return importer.read_register(
            path, db.session, display_name=task.params.get("display_name"), limits=_limits()
        )
    except importer.RegisterFileError as exc:
        uploads.discard(name)
        return exc.translated()


@tasks.runs(TaskKind.REGISTER_CHECK, writes=False)
def check(task: Task) -> dict:
    try:
        return _check(task)
    except Exception:
        # A check that breaks leaves no file nobody can confirm, with its personal data.
        uploads.discard(task.params["upload"])
        raise


def _check(task: Task) -> dict:
    name = task.params["upload"]
    with tasks.in_language(task.params.get("lang", "vi")):
        preview = _read(task)
        if isinstance(preview, str):
            return {"upload": name, "refused": preview}
        if preview.errors:
            report = uploads.error_report_of(name)
            report.unlink(missing_ok=True)  # an earlier attempt's, if its worker died
            with create_private(report) as target:
                target.write(importer.error_report(preview.errors, preview.header))
    return {
        "upload": name,
        "total_rows": preview.total_rows,
        "valid": len(preview.valid),
        "error_count": len(preview.errors),
        "to_add": preview.to_add,
        "to_update": preview.to_update,
        "unchanged": preview.unchanged,
        "errors": [[e.row_number, e.tax_code, e.message] for e in preview.errors[:ERRORS_SHOWN]],
    }


@tasks.runs(TaskKind.REGISTER_IMPORT, writes=True)
def import_(task: Task) -> dict:
    name = task.params["upload"]
    with tasks.in_language(task.params.get("lang", "vi")):
        preview = _read(task)
    if isinstance(preview, str):
        return {"refused": preview}
    result = imports.confirm(db.session, preview)
    # The file and its report hold firms' contacts: gone once the import has committed.
    work.after_commit(lambda: uploads.discard(name))
    return {"added": result.added, "updated": result.updated, "unchanged": result.unchanged}
