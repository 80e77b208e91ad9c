"""Responses: the filtered list, one response's page, review, notes and corrections.

The review queue: "next awaiting review" opens the oldest submitted response awaiting
review that the list's filters and search match (the filters travel with it from page to
page), and a bulk verification takes the responses ticked on the list to a confirmation
page that names them, then verifies them in one POST, each audited as a single review.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from survey import labels, work
from survey.extensions import db
from survey.i18n import current_language
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
from survey.staff import audit_words, response_query
from survey.staff.access import (
    can_read_free_text,
    can_see_contacts,
    can_see_personal_ids,
    requires,
    visible_details,
)
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm, CorrectionForm, NoteForm, ReviewForm


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
    query = _list_query(request.args, wave)
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
        sector_names=_sector_names(),
        framework=framework_of(wave.framework_version),
        sorts=response_query.SORTS,
        args=request.args,
        list_args=response_query.list_args(request.args),
        may_act=current_user.has_role(Role.ANALYST),
        verifiable=_VERIFIABLE,
    )


#: The review states a response may be verified from (review.TRANSITIONS).
_VERIFIABLE = frozenset(s for s, targets in review.TRANSITIONS.items() if ReviewState.VERIFIED in targets)


def _list_query(args, wave: Wave) -> response_query.ListQuery:
    try:
        return response_query.parse(args, wave.id, db.session, personal_ids=can_see_personal_ids())
    except response_query.BadListParameter as exc:
        abort(400, description=str(exc))


def _sector_names() -> dict[str, str]:
    """Each VSIC section's name in the reader's language, by code."""
    english = current_language() == "en"
    return {s.code: s.name_en if english else s.name_vi for s in db.session.scalars(select(Sector))}


def _carried(args) -> dict[str, str]:
    """The list's filters and search, carried to a response's page and back (never a whole
    personal ID: the list drops it before any link is made)."""
    carried = response_query.list_args(args)
    q = carried.get("q", "")
    if q and response_query.holds_personal_id(q):
        carried.pop("q")
    return carried


@bp.get("/responses/next")
@requires(Role.ANALYST)
def next_pending():
    """The oldest submitted response awaiting review under the list's filters and search.

    ``after``: the response the officer is on (the one after it in the queue comes next).
    """
    wave = selected_wave()
    query = _list_query(request.args, wave)
    after = None
    if request.args.get("after"):
        ident = parse_id(request.args["after"])
        if ident is None:
            abort(400, description="after must be a response id")
        after = get_or_404(Response, ident)
    carried = _carried(request.args) | {"wave": str(wave.id)}
    found = None if query.refused else response_query.next_pending(db.session, query, after)
    if found is None:
        flash(_("No response awaits review under these filters."), "success")
        return redirect(url_for("staff.responses", **carried), 303)
    return redirect(url_for("staff.response_detail", response_id=found, **carried), 303)


def _ticked(values: list[str]) -> list[int]:
    """The response ids ticked on the list, each once, in the order given."""
    if len(values) > review.MAX_BULK:
        abort(400, description=f"at most {review.MAX_BULK} responses at once")
    ids = []
    for value in values:
        ident = parse_id(value)
        if ident is None:
            abort(400, description="response must be a response id")
        if ident not in ids:
            ids.append(ident)
    return ids


def _verify_page(ids: list[int], carried: dict, changed: list[int] | None = None):
    """The confirmation page of a bulk verification: which responses, and which not."""
    found = db.session.scalars(
        select(Response)
        .where(Response.id.in_(ids))
        .options(joinedload(Response.enterprise), joinedload(Response.wave))
    ).all()
    by_id = {r.id: r for r in found}
    if len(by_id) != len(ids):
        abort(404)
    ordered = [by_id[i] for i in ids]
    units = dict(db.session.execute(select(AdminUnit.id, AdminUnit.name_vi)).all())
    return render_template(
        "staff/responses_verify.html",
        ready=[r for r in ordered if review.can_verify(r)],
        left_out=[r for r in ordered if not review.can_verify(r)],
        changed=set(changed or ()),
        units=units,
        carried=carried,
        confirm=ConfirmForm(),
    ), (200 if changed is None else 409)


@bp.get("/responses/verify")
@requires(Role.ANALYST)
def confirm_bulk_verify():
    """The responses ticked on the list, to verify at once: how many and which; reads only."""
    ids = _ticked(request.args.getlist("response"))
    carried = _carried(request.args)
    if not ids:
        flash(_("Tick the responses to verify first."), "error")
        return redirect(url_for("staff.responses", **carried), 303)
    return _verify_page(ids, carried)


def _seen_versions(values: list[str]) -> list[tuple[int, str]]:
    """``id:version`` pairs, as the confirmation page sends them."""
    if not values or len(values) > review.MAX_BULK:
        abort(400, description=f"verify 1 to {review.MAX_BULK} responses")
    seen: dict[int, str] = {}
    for value in values:
        ident, _sep, version = value.partition(":")
        response_id = parse_id(ident)
        if response_id is None or parse_id(version) is None:
            abort(400, description="response must be id:version")
        if seen.setdefault(response_id, version) != version:
            abort(400, description="a response given twice with two versions")
    return list(seen.items())


@bp.post("/responses/verify")
@work.writes
@requires(Role.ANALYST)
def bulk_verify():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    seen = _seen_versions(request.form.getlist("response"))
    carried = _carried(request.form)
    responses = {
        r.id: r for r in db.session.scalars(select(Response).where(Response.id.in_([i for i, _v in seen])))
    }
    if len(responses) != len(seen):
        abort(404)
    try:
        done = review.verify_all(db.session, [(responses[i], v) for i, v in seen], current_user)
        db.session.flush()  # what can clash fails here, inside the try
    except (review.Conflict, StaleDataError) as exc:
        db.session.rollback()
        changed = exc.ids if isinstance(exc, review.Conflict) else [i for i, _v in seen]
        return _verify_page([i for i, _v in seen], carried, changed=changed)
    except review.ReviewError:
        db.session.rollback()
        return _verify_page([i for i, _v in seen], carried, changed=[])
    flash(_("Responses verified: %(count)s.", count=done), "success")
    return redirect(url_for("staff.responses", **carried), 303)


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
    form.ownership.choices = [SelectChoice(o.value, labels.label(o)) for o in Ownership]
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
    # The history in the audit log's words (one way to say what was done, on both pages).
    names = audit_words.Names.for_events(db.session, history, english=current_language() == "en")
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
        history=[
            (event, audit_words.describe(event, visible_details(event.details), names)) for event in history
        ],
        unit_name=names.units.get(response.unit_id),
        sector_names=names.sectors,
        carried=_carried(request.args),
        show_free_text=can_read_free_text(),
        notes=notes if may_act else [],
        may_act=may_act,
        show_contacts=can_see_contacts(),
        review_form=_review_choices(review_form or ReviewForm(version_id=response.version_id)),
        note_form=note_form or NoteForm(),
        correction_form=correction_form or (_correction_form(response) if may_act else None),
        transitions=review.TRANSITIONS[response.review_state],
    ), status


def _review_choices(form: ReviewForm) -> ReviewForm:
    """The decisions in the review states' own words (labels.REVIEW_STATE)."""
    words = {
        ReviewState.VERIFIED: labels.label(ReviewState.VERIFIED),
        ReviewState.FLAGGED: labels.label(ReviewState.FLAGGED),
        ReviewState.REJECTED: _(
            "%(state)s: left out of all statistics", state=labels.label(ReviewState.REJECTED)
        ),
        ReviewState.PENDING: _("Reopen: back to “%(state)s”", state=labels.label(ReviewState.PENDING)),
    }
    form.decision.choices = [SelectChoice(state.value, text) for state, text in words.items()]
    return form


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
    form = _review_choices(ReviewForm())
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
    carried = _carried(request.args)
    if request.form.get("then") == "next":
        # "Save and open the next": the queue goes on from this response, under the same filters.
        carried |= {"wave": str(response.wave_id), "after": str(response.id)}
        return redirect(url_for("staff.next_pending", **carried), 303)
    return redirect(url_for("staff.response_detail", response_id=response_id, **carried), 303)


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
