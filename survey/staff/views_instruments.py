"""Instruments staff load themselves: upload a workbook as a draft, compare it with the
version it follows, preview it as a respondent sees it, simulate its scoring, publish or
delete it; and download any version as a workbook. Admins only: a published version is
what every later wave may score firms by.
"""

from __future__ import annotations

from io import BytesIO
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from werkzeug.utils import secure_filename
from wtforms import Form, IntegerField
from wtforms.validators import NumberRange, Optional

from survey import work
from survey.extensions import db
from survey.i18n import current_language
from survey.ids import get_or_404
from survey.instruments import FRAMEWORK, MODULE, WorkbookInvalid, diff, drafts, simulate, workbook_bytes
from survey.models import FrameworkVersion, InstrumentDraft, ModuleVersion, Role
from survey.respondent.forms import AnswersForm, TechnologyForm
from survey.respondent.module_form import ModuleForm
from survey.scoring import InvalidAnswers, scorer_for
from survey.spreadsheets import XLSX
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm

#: The largest workbook accepted: an instrument is a few hundred rows.
MAX_BYTES = 2 * 1024 * 1024
#: Where the preview keeps what the admin typed: in their own session, never in the database.
PREVIEW_KEY = "instrument_preview"


class SimulateForm(Form):
    """A GET form (it changes nothing): how many answer sets, and the random seed."""

    count = IntegerField(default=200, validators=[Optional(), NumberRange(1, simulate.MOST)])
    seed = IntegerField(default=1, validators=[Optional(), NumberRange(0, 2**31 - 1)])


def _page(status: int = 200, problems=None):
    versions = {
        FRAMEWORK: db.session.scalars(
            db.select(FrameworkVersion).order_by(FrameworkVersion.code, FrameworkVersion.version.desc())
        ).all(),
        MODULE: db.session.scalars(
            db.select(ModuleVersion).order_by(ModuleVersion.code, ModuleVersion.version.desc())
        ).all(),
    }
    pending = db.session.scalars(db.select(InstrumentDraft).order_by(InstrumentDraft.created_at.desc())).all()
    return render_template(
        "staff/instruments.html", versions=versions, drafts=pending, problems=problems, form=ConfirmForm()
    ), status


@bp.get("/instruments")
@requires(Role.ADMIN)
def instruments():
    return _page()


@bp.post("/instruments")
@work.writes
@requires(Role.ADMIN)
def instrument_upload():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Please choose an .xlsx file."), "error")
        return _page(400)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        flash(_("This file is larger than an instrument can be (2 MB)."), "error")
        return _page(400)
    try:
        draft = drafts.import_workbook(db.session, data, secure_filename(upload.filename) or "workbook.xlsx")
    except WorkbookInvalid as exc:
        return _page(400, problems=exc.problems)
    except drafts.DraftRefused as exc:
        flash(str(exc), "error")
        return _page(400)
    flash(_("%(label)s is loaded as a draft. Check it, then publish it.", label=draft.label), "success")
    return redirect(url_for("staff.instrument_draft", draft_id=draft.id))


def _recorded(kind: str, version_id: int):
    model = {FRAMEWORK: FrameworkVersion, MODULE: ModuleVersion}.get(kind) or abort(404)
    return get_or_404(model, version_id)


def _workbook(kind: str, holder, name: str):
    return send_file(
        BytesIO(workbook_bytes(kind, holder.definition)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{name}.xlsx",
    )


@bp.get("/instruments/<kind>/<int:version_id>.xlsx")
@requires(Role.ADMIN)
def instrument_export(kind: str, version_id: int):
    version = _recorded(kind, version_id)
    return _workbook(kind, version, f"{version.code}.v{version.version}")


def _draft(draft_id: int) -> InstrumentDraft:
    return get_or_404(InstrumentDraft, draft_id)


@bp.get("/instruments/drafts/<int:draft_id>")
@requires(Role.ADMIN)
def instrument_draft(draft_id: int):
    draft = _draft(draft_id)
    held = drafts.instrument(draft)
    earlier = drafts.follows(db.session, draft)
    changes = diff.between(drafts.instrument(earlier), held) if earlier is not None else None
    form = SimulateForm(request.args)
    simulation = None
    if draft.kind == FRAMEWORK and "count" in request.args and form.validate():
        simulation = simulate.run(held, form.count.data or 200, form.seed.data or 0)
    return render_template(
        "staff/instrument_draft.html",
        draft=draft,
        held=held,
        earlier=earlier,
        changes=changes,
        simulate_form=form,
        simulation=simulation,
        form=ConfirmForm(),
        lang=current_language(),
    )


@bp.get("/instruments/drafts/<int:draft_id>.xlsx")
@requires(Role.ADMIN)
def instrument_draft_export(draft_id: int):
    draft = _draft(draft_id)
    return _workbook(draft.kind, draft, f"{draft.code}.v{draft.version}.draft")


@bp.post("/instruments/drafts/<int:draft_id>/publish")
@work.writes
@requires(Role.ADMIN)
def instrument_publish(draft_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    draft = _draft(draft_id)
    try:
        version = drafts.publish(db.session, draft)
    except drafts.DraftRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff.instrument_draft", draft_id=draft_id))
    _forget_preview(draft_id)
    flash(_("%(label)s is published: new waves can use it.", label=version.label), "success")
    return redirect(url_for("staff.instruments"))


@bp.post("/instruments/drafts/<int:draft_id>/delete")
@work.writes
@requires(Role.ADMIN)
def instrument_delete(draft_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    draft = _draft(draft_id)
    label = draft.label
    drafts.delete(db.session, draft)
    _forget_preview(draft_id)
    flash(_("The draft of %(label)s is deleted.", label=label), "success")
    return redirect(url_for("staff.instruments"))


# The preview: the respondent's own pages and checks, answers kept in the admin's session.


def _steps(draft: InstrumentDraft, held) -> list[dict]:
    lang = current_language()
    if draft.kind == MODULE:
        return [{"title": held.title.get(lang), "pillar": None, "module": SimpleNamespace(module=held)}]
    steps = [{"title": p.name.get(lang), "pillar": p, "module": None} for p in held.pillars]
    if held.technologies:
        steps.append({"title": _("Industry 4.0 technologies"), "pillar": None, "module": None})
    return steps


def _kept(draft_id: int) -> dict:
    return session.get(PREVIEW_KEY, {}).get(str(draft_id), {"answers": {}, "technologies": []})


def _keep(draft_id: int, kept: dict) -> None:
    # Only the draft being previewed is kept: a session cookie has little room.
    session[PREVIEW_KEY] = {str(draft_id): kept}


def _forget_preview(draft_id: int) -> None:
    kept = session.get(PREVIEW_KEY, {})
    if str(draft_id) in kept:
        session[PREVIEW_KEY] = {k: v for k, v in kept.items() if k != str(draft_id)}


def _form(step: dict, held, kept: dict, lang: str):
    fresh = request.method == "GET"
    if step["module"] is not None:
        form_class = ModuleForm.for_module(held, lang)
        return form_class(data=form_class.initial(kept["answers"]) if fresh else None)
    if step["pillar"] is None:
        form = TechnologyForm(technologies=list(held.technologies), lang=lang)
        if fresh:
            form.technologies.data = kept["technologies"]
        return form
    form_class = AnswersForm.for_pillar(held, step["pillar"], lang)
    return form_class(data=form_class.initial(kept["answers"]) if fresh else None)


@bp.route("/instruments/drafts/<int:draft_id>/preview/<int:step>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def instrument_preview(draft_id: int, step: int):
    draft = _draft(draft_id)
    held = drafts.instrument(draft)
    steps = _steps(draft, held)
    if not 1 <= step <= len(steps):
        abort(404)
    lang = current_language()
    kept = _kept(draft_id)
    current = steps[step - 1]
    form = _form(current, held, kept, lang)
    if request.method == "POST":
        action = request.form.get("action", "next")
        if current["pillar"] is None and current["module"] is None:
            ok = form.validate()
            if ok:
                kept["technologies"] = form.technologies.data or []
        else:
            ok = form.check(complete=action == "next")
            if ok:
                kept["answers"] = {**kept["answers"], **form.answers()}
        if ok:
            _keep(draft_id, kept)
            if action == "back" and step > 1:
                return redirect(url_for("staff.instrument_preview", draft_id=draft_id, step=step - 1))
            if action == "next" and step < len(steps):
                return redirect(url_for("staff.instrument_preview", draft_id=draft_id, step=step + 1))
            if action == "next":
                return redirect(url_for("staff.instrument_preview_result", draft_id=draft_id))
            return redirect(url_for("staff.instrument_preview", draft_id=draft_id, step=step))
    return render_template(
        "staff/instrument_preview.html",
        draft=draft,
        framework=held if draft.kind == FRAMEWORK else None,
        form=form,
        step=step,
        steps=steps,
        pillar=current["pillar"],
        module=current["module"],
    ), 400 if request.method == "POST" else 200


@bp.get("/instruments/drafts/<int:draft_id>/preview/result")
@requires(Role.ADMIN)
def instrument_preview_result(draft_id: int):
    draft = _draft(draft_id)
    held = drafts.instrument(draft)
    kept = _kept(draft_id)
    card, missing = None, []
    if draft.kind == FRAMEWORK:
        try:
            card = scorer_for(held).score(kept["answers"])
        except InvalidAnswers as exc:
            texts = {c.code: c.text.get(current_language()) for _pillar, c in held.criteria()}
            missing = [(p.criterion, texts.get(p.criterion, "")) for p in exc.problems]
    return render_template(
        "staff/instrument_preview_result.html",
        draft=draft,
        held=held,
        card=card,
        missing=missing,
        answers=kept["answers"],
        lang=current_language(),
    )
