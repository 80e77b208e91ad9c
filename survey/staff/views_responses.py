"""Responses: the filtered list, one response's page, review, notes and corrections."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from survey import work
from survey.extensions import db
from survey.ids import get_or_404, parse_id
from survey.models import (
    AdminUnit,
    AuditEvent,
    Ownership,
    Response,
    ResponseNote,
    ReviewState,
    Role,
    Sector,
    Wave,
)
from survey.responses import modules as response_modules
from survey.responses import review
from survey.responses.scoring import framework_of, profile_of
from survey.scoring import InvalidAnswers, scorer_for
from survey.staff import response_query
from survey.staff.access import (
    can_read_free_text,
    can_see_contacts,
    can_see_personal_ids,
    requires,
    visible_details,
)
from survey.staff.blueprint import bp
from survey.staff.forms import CorrectionForm, NoteForm, ReviewForm


def selected_wave() -> Wave:
    """The wave named by ``?wave=``, else the newest one."""
    wave_id = request.args.get("wave", "")
    if wave_id:
        ident = parse_id(wave_id)
        if ident is None:
            abort(400, description="wave must be a wave id")
        return get_or_404(Wave, ident)
    wave = db.session.scalars(select(Wave).order_by(Wave.opens_at.desc())).first()
    return wave or abort(404, description=_("There is no survey wave yet."))


def _reference_choices():
    units = db.session.execute(select(AdminUnit.code, AdminUnit.name_vi, AdminUnit.former_area)).all()
    sectors = db.session.execute(select(Sector.code, Sector.name_vi, Sector.name_en)).all()
    return units, sectors


@bp.get("/responses")
@requires(Role.VIEWER)
def responses():
    wave = selected_wave()
    units, sectors = _reference_choices()
    try:
        query = response_query.parse(request.args, wave.id, db.session, personal_ids=can_see_personal_ids())
    except response_query.BadListParameter as exc:
        abort(400, description=str(exc))
    if query.refused:
        # A whole personal ID is never searched, nor repeated in a page's links (sorting,
        # paging, the language switch): back to the same list without it.
        flash(
            _(
                "A whole personal ID is never searched here: it would be kept in the address "
                "and the logs. Search by the business's name or the last digits of the ID."
            ),
            "error",
        )
        args = request.args.to_dict()
        args.pop("q", None)
        return redirect(url_for("staff.responses", **args), 303)
    page = response_query.run(db.session, query, current_app.config["PER_PAGE"])
    waves = db.session.scalars(select(Wave).order_by(Wave.opens_at.desc())).all()
    return render_template(
        "staff/responses.html",
        wave=wave,
        waves=waves,
        query=query,
        page=page,
        units=sorted(units, key=lambda u: (u.former_area, u.name_vi)),
        areas=sorted({u.former_area for u in units}),
        sectors=sectors,
        sorts=response_query.SORTS,
        args=request.args,
    )


def _response(response_id: int) -> Response:
    return get_or_404(
        Response, response_id, options=[joinedload(Response.wave).joinedload(Wave.framework_version)]
    )


def _correction_form(response: Response, formdata=None) -> CorrectionForm:
    form = CorrectionForm(
        formdata=formdata,
        data={f: getattr(response, f) for f in review.CORRECTABLE} | {"version_id": response.version_id},
    )
    form.unit_id.choices = [
        SelectChoice(u.id, u.name_vi, optgroup=u.former_area)
        for u in db.session.scalars(select(AdminUnit).order_by(AdminUnit.former_area, AdminUnit.name_vi))
    ]
    form.sector_code.choices = [
        SelectChoice(s.code, f"{s.code} – {s.name_vi}") for s in db.session.scalars(select(Sector))
    ]
    form.ownership.choices = [SelectChoice(o.value, o.value) for o in Ownership]
    if formdata is None and response.ownership is not None:
        form.ownership.data = response.ownership.value
    return form


@bp.get("/responses/<int:response_id>")
@requires(Role.VIEWER)
def response_detail(response_id: int, review_form=None, note_form=None, correction_form=None, status=200):
    response = _response(response_id)
    framework = framework_of(response.wave.framework_version)
    history = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "responses", AuditEvent.object_id == str(response.id))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    ).all()
    notes = db.session.scalars(
        select(ResponseNote).filter_by(response_id=response.id).order_by(ResponseNote.created_at.desc())
    ).all()
    may_act = current_user.has_role(Role.ANALYST)
    card = None
    if response.scored_at is not None:
        try:  # component indices are not stored (pillars are): work them out again
            card = scorer_for(framework).score(response.answers, profile_of(response))
        except InvalidAnswers:
            card = None
    return render_template(
        "staff/response.html",
        response=response,
        framework=framework,
        card=card,
        module_answers=_module_answers(response),
        module_pins={p.module_version_id for p in response.module_pins},
        # Viewers see what was done, never the words of notes and reasons.
        history=[(event, visible_details(event.details)) for event in history],
        show_free_text=can_read_free_text(),
        notes=notes if may_act else [],
        may_act=may_act,
        show_contacts=can_see_contacts(),
        review_form=review_form or ReviewForm(version_id=response.version_id),
        note_form=note_form or NoteForm(),
        correction_form=correction_form or (_correction_form(response) if may_act else None),
        transitions=review.TRANSITIONS[response.review_state],
    ), status


def _module_answers(response: Response) -> list[tuple[response_modules.Carried, dict]]:
    """The response's answers to its wave's modules; free text only for those who may read
    it (can_read_free_text): a viewer's page never holds it, whatever the template does."""
    free_text = can_read_free_text()
    return [
        (
            carried,
            {k: v for k, v in answers.items() if free_text or carried.module.question(k).kind != "text"},
        )
        for carried, answers in response_modules.all_answers(response)
    ]


def _conflict(response_id: int):
    db.session.rollback()
    flash(
        _(
            "Someone else changed this response after you opened it. Their change is shown "
            "below; please check it and try again."
        ),
        "error",
    )
    return redirect(url_for("staff.response_detail", response_id=response_id), 303)


@bp.post("/responses/<int:response_id>/review")
@work.writes
@requires(Role.ANALYST)
def review_response(response_id: int):
    response = _response(response_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return response_detail(response_id, review_form=form, status=400)
    try:
        review.check_version(response, form.version_id.data)
        review.set_review_state(
            db.session, response, ReviewState(form.decision.data), form.reason.data, current_user
        )
        db.session.flush()  # what can clash fails here, inside the try
    except review.Conflict:
        return _conflict(response_id)
    except StaleDataError:
        return _conflict(response_id)
    except review.ReviewError as exc:
        db.session.rollback()
        form.decision.errors.append(str(exc))
        return response_detail(response_id, review_form=form, status=409)
    flash(_("Review saved."), "success")
    return redirect(url_for("staff.response_detail", response_id=response_id), 303)


@bp.post("/responses/<int:response_id>/notes")
@work.writes
@requires(Role.ANALYST)
def add_note(response_id: int):
    response = _response(response_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return response_detail(response_id, note_form=form, status=400)
    review.add_note(db.session, response, form.text.data, current_user)
    return redirect(url_for("staff.response_detail", response_id=response_id, _anchor="notes"), 303)


@bp.post("/responses/<int:response_id>/correct")
@work.writes
@requires(Role.ANALYST)
def correct_response(response_id: int):
    response = _response(response_id)
    form = _correction_form(response, formdata=request.form)
    if not form.validate_on_submit():
        return response_detail(response_id, correction_form=form, status=400)
    try:
        # What was sent, not the form's data: a missing version would fall back to the stored one.
        review.check_version(response, request.form.get("version_id"))
        values = {f: getattr(form, f).data for f in review.CORRECTABLE}
        values["ownership"] = Ownership(values["ownership"])
        changed = review.correct_profile(db.session, response, values, form.reason.data)
        db.session.flush()  # what can clash fails here, inside the try
    except (review.Conflict, StaleDataError):
        return _conflict(response_id)
    flash(_("Profile corrected and rescored.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("staff.response_detail", response_id=response_id), 303)
