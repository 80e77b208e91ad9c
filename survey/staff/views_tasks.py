"""A background task's page: its progress while it runs, then what it found or did.

Register checks and imports and wave re-scorings run on the job queue (survey/jobs/
tasks.py); the page that asked for one sends the staff member here. While the task is
queued or running the page says how far it is (survey.js reloads it when it ends; without
JavaScript, "Check again"). A finished task shows its result: the register preview,
or a message and the page its work belongs to.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.extensions import db
from survey.models import JobState, Role, Task, TaskKind
from survey.registry.register_jobs import CheckSummary
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm


def _own_task(task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    # Someone else's task (its preview names firms) is as good as missing.
    if task is None or task.requested_by_id != current_user.id:
        abort(404)
    if not current_user.has_role(task.required_role):
        abort(403)
    return task


@bp.get("/tasks/<int:task_id>")
@requires(Role.ADMIN)
def task_status(task_id: int):
    task = _own_task(task_id)
    if request.accept_mimetypes.best == "application/json":
        # Polled by survey.js, which reloads the page when the task has finished.
        return {"state": task.state.value, "done": task.done, "total": task.total}
    if task.state is JobState.DONE:
        return _finished(task)
    return render_template("staff/task.html", task=task)


def _finished(task: Task):
    result = task.result or {}
    if task.kind is TaskKind.REGISTER_CHECK:
        summary = CheckSummary.of(task)
        if summary.refused:
            flash(summary.refused, "error")
            return redirect(url_for("staff.register_import"))
        return render_template("staff/register_preview.html", preview=summary, form=ConfirmForm())
    if task.kind is TaskKind.REGISTER_IMPORT:
        if result.get("refused"):
            flash(result["refused"], "error")
        else:
            flash(
                _(
                    "Register imported: %(added)s added, %(updated)s updated, %(unchanged)s unchanged.",
                    added=result["added"],
                    updated=result["updated"],
                    unchanged=result["unchanged"],
                ),
                "success",
            )
        return redirect(url_for("staff.register_import"))
    flash(_("The wave is re-scored: %(n)s responses checked.", n=result["checked"]), "success")
    return redirect(url_for("staff.rescore_run", run_id=result["run"]))
