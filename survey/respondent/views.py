"""The respondent's journey: start, firm profile, one page per pillar, technologies, review,
submit, result. Each view loads, validates its form and calls one service; the unit of
work around it commits (survey/work.py)."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from survey import i18n, tokens, work
from survey.extensions import db, limiter
from survey.main.services import open_wave_for, open_waves
from survey.models import AdminUnit, BusinessKind, ResponseState, Sector
from survey.models.base import utcnow
from survey.models.business import id_type_of
from survey.registry import identifiers
from survey.respondent import entry, mail, pages, results, services, submitting
from survey.respondent.forms import (
    AnswersForm,
    FirmForm,
    StartForm,
    SubmitForm,
    TechnologyForm,
)
from survey.respondent.module_form import ModuleForm
from survey.respondent.pages import KIND_KEY, RESPONSE_KEY, TAX_CODE_KEY, TOKEN_KEY, bp
from survey.responses import modules as response_modules
from survey.responses.scoring import framework_of, profile_of


def _firm_choices() -> tuple[list[SelectChoice], list[SelectChoice]]:
    # Grouped by former district-level area, so the long list is easy to scan without script.
    # An empty first option: a list that starts on a real answer gets skipped unnoticed.
    placeholder = SelectChoice("", _("— Choose —"))
    units = [placeholder] + [
        SelectChoice(unit.id, unit.name_vi, optgroup=unit.former_area)
        for unit in db.session.scalars(
            select(AdminUnit).filter_by(active=True).order_by(AdminUnit.former_area, AdminUnit.name_vi)
        )
    ]
    lang = i18n.current_language()
    sectors = [placeholder] + [
        SelectChoice(s.code, f"{s.code} – {s.name_en if lang == 'en' else s.name_vi}")
        for s in db.session.scalars(select(Sector).order_by(Sector.code))
    ]
    return units, sectors


def _steps(framework, wave) -> list[dict]:
    """The journey's pages after the firm profile: one per pillar, the technologies, then
    one per unscored module the wave carries."""
    lang = i18n.current_language()
    steps = [{"title": p.name.get(lang), "pillar": p, "module": None} for p in framework.pillars]
    steps.append({"title": _("Industry 4.0 technologies"), "pillar": None, "module": None})
    steps += [
        {"title": c.module.title.get(lang), "pillar": None, "module": c}
        for c in response_modules.carried(wave)
    ]
    return steps


def _progress(framework, page: int, wave) -> tuple[int, int]:
    """(page, pages) for "Step n of N": start, firm, one per pillar, technologies, one per
    module, review."""
    return page, len(framework.pillars) + 4 + len(wave.modules)


@bp.route("/start", methods=["GET", "POST"])
@limiter.limit(pages.limit("RATELIMIT_START"), methods=["POST"])
def start():
    waves = open_waves()
    if not waves:
        return pages.no_wave()
    form = StartForm()
    if form.validate_on_submit():
        kind = form.business_kind
        wave = open_wave_for(kind)
        if wave is None:
            return pages.no_wave(kind)
        if services.existing_response(db.session, wave, form.tax_code.data, kind) is not None:
            return _already_responded()
        session[TAX_CODE_KEY] = form.tax_code.data
        session[KIND_KEY] = kind.value
        session.pop(RESPONSE_KEY, None)
        entry.drop()  # a journey of the session's own, even in a staff member's browser
        # The resume token is drawn now, so that a retried firm step is recognised.
        session[TOKEN_KEY] = tokens.new_token()[0]
        return redirect(url_for("respondent.firm"))
    # "Step 1 of N" only while every open wave's journey has the same N.
    totals = {_progress(framework_of(w.framework_version), 1, w) for w in waves}
    progress = totals.pop() if len(totals) == 1 else None
    return render_template("respondent/start.html", form=form, waves=waves, progress=progress), (
        400 if form.errors else 200
    )


def _already_responded():
    """The same answer whether the firm's assessment is a draft or submitted.

    A tax code is public, so the state of a firm's assessment must not be told to
    whoever types it (it gave away who had just submitted); the firm's way back is its
    resume link, its personal link, or a recovery link mailed to its contact.
    """
    text = _(
        "An assessment for this enterprise has already been begun in this survey. Continue it "
        "with the resume link you received, or with the personal link the department sent you. "
        "Lost the link? Ask for a new one below, or write to %(contact)s.",
        contact=current_app.config["CONTACT_EMAIL"],
    )
    return render_template(
        "respondent/message.html",
        title=_("This enterprise has already begun"),
        text=text,
        recover=True,
    ), 409


def _final():
    return pages.message(
        _("The assessment is submitted"),
        _(
            "A submitted assessment can no longer be changed. If something in it is wrong, please "
            "write to %(contact)s.",
            contact=current_app.config["CONTACT_EMAIL"],
        ),
        409,
    )


@bp.route("/firm", methods=["GET", "POST"])
@work.writes
def firm():
    if (ended := entry.stale()) is not None:
        return ended
    response = pages.current_response()
    tax_code = response.enterprise.tax_code if response else session.get(TAX_CODE_KEY)
    kind = BusinessKind(response.kind if response else session.get(KIND_KEY, BusinessKind.ENTERPRISE))
    if tax_code is None:
        return redirect(url_for("respondent.start"))
    wave = response.wave if response else open_wave_for(kind)
    if wave is None:
        return redirect(url_for("main.home"))
    if response is not None and response.state == ResponseState.SUBMITTED:
        if request.method == "POST":
            return _final()
        return redirect(url_for("respondent.result"))
    if response is not None and request.method == "POST" and not services.editable(response, utcnow()):
        return pages.closed()
    units, sectors = _firm_choices()
    if response is not None:
        stored = {f: getattr(response, f) for f in services.PROFILE_FIELDS}
    else:
        stored = services.register_prefill(db.session, tax_code, kind)
    form = FirmForm(units=units, sectors=sectors, kind=kind, data=FirmForm.data_from(stored))
    # Invited firms arrive here without the start page, so they consent here.
    needs_consent = response is not None and response.consent_at is None
    valid = form.validate_on_submit()
    consent_error = None
    if request.method == "POST" and needs_consent and not request.form.get("consent"):
        consent_error = _("Please agree to the privacy notice to continue.")
        valid = False
    if valid:
        if response is not None:
            services.update_profile(response, form.profile())
            if needs_consent:
                response.consent_at = utcnow()
            return redirect(url_for("respondent.assessment", step=1))
        token = session.get(TOKEN_KEY) or tokens.new_token()[0]
        try:
            response = services.start_response(
                db.session, wave, tax_code, form.profile(), i18n.current_language(), utcnow(), token, kind
            )
            db.session.flush()  # a twin start fails here, not in the commit after the view
        except (services.AlreadyResponded, IntegrityError):
            # IntegrityError: someone started for the same firm at the same moment; theirs stands.
            db.session.rollback()
            return _already_responded()
        except services.WaveClosed:
            db.session.rollback()
            return pages.closed()
        session.pop(TAX_CODE_KEY, None)
        session.pop(KIND_KEY, None)
        session[RESPONSE_KEY] = response.id
        session[TOKEN_KEY] = token
        # Staff entering for a business send it no mail unasked: they can from the
        # response's page, once the business wants a link of its own.
        if not entry.mark(db.session, response, utcnow()):
            resume_url, email = pages.resume_url(), response.contact_email
            work.after_commit(lambda: mail.send_resume_link(email, resume_url))
        return redirect(url_for("respondent.assessment", step=1, new=1))
    progress = _progress(framework_of(wave.framework_version), 2, wave)
    return render_template(
        "respondent/firm.html",
        form=form,
        kind=kind,
        identifier=identifiers.mask(id_type_of(kind), tax_code),
        response=response,
        wave=wave,
        progress=progress,
        needs_consent=needs_consent,
        consent_error=consent_error,
    ), 400 if request.method == "POST" else 200


@bp.route("/assessment/<int:step>", methods=["GET", "POST"])
@work.writes
def assessment(step: int):
    response = pages.require_response()
    if response.state == ResponseState.SUBMITTED:
        return redirect(url_for("respondent.result"))
    framework = pages.framework_for(response)
    steps = _steps(framework, response.wave)
    if not 1 <= step <= len(steps):
        abort(404)
    lang = i18n.current_language()
    pillar, module = steps[step - 1]["pillar"], steps[step - 1]["module"]
    if module is not None:
        module_form = ModuleForm.for_module(module.module, lang)
        form = module_form(
            data=module_form.initial(response_modules.answers_of(response, module))
            if request.method == "GET"
            else None
        )
    elif pillar is None:
        form = TechnologyForm(technologies=list(framework.technologies), lang=lang)
        if request.method == "GET":
            form.technologies.data = response.technologies
    else:
        form_class = AnswersForm.for_pillar(framework, pillar, lang, profile_of(response))
        form = form_class(data=form_class.initial(response.answers) if request.method == "GET" else None)
    if request.method == "POST" and not services.editable(response, utcnow()):
        return pages.closed()
    if request.method == "POST":
        action = request.form.get("action", "next")
        if module is not None:
            ok = form.check(complete=action == "next")
            if ok:
                response_modules.save(response, module, form.answers())
        elif pillar is None:
            ok = form.validate()
            if ok:
                services.save_technologies(response, form.technologies.data or [])
        else:
            ok = form.check(complete=action == "next")
            if ok:
                services.save_answers(response, form.answer_codes(), form.answers())
        if ok:
            if action == "back":
                back = url_for("respondent.assessment", step=step - 1) if step > 1 else None
                return redirect(back or url_for("respondent.firm"))
            if action == "save":
                flash(_("Your answers are saved. Use your resume link below to continue later."), "success")
                # The page opens its resume link box, so the link is there to copy.
                return redirect(url_for("respondent.assessment", step=step, saved=1))
            if step < len(steps):
                return redirect(url_for("respondent.assessment", step=step + 1))
            return redirect(url_for("respondent.review"))
    # Reaching here on POST means the form was refused: say so to clients and tests.
    status = 400 if request.method == "POST" else 200
    return render_template(
        "respondent/assessment.html",
        form=form,
        response=response,
        step=step,
        steps=steps,
        pillar=pillar,
        module=module,
        framework=framework,
        resume_url=pages.resume_url(),
        new=request.args.get("new") == "1",
        saved=request.args.get("saved") == "1",
        progress=_progress(framework, step + 2, response.wave),
    ), status


@bp.get("/review")
def review():
    response = pages.require_response()
    if response.state == ResponseState.SUBMITTED:
        return redirect(url_for("respondent.result"))
    framework = pages.framework_for(response)
    problems = {p.criterion for p in services.missing(framework, response)}
    steps = _steps(framework, response.wave)
    return render_template(
        "respondent/review.html",
        response=response,
        framework=framework,
        missing=problems,
        module_answers=response_modules.all_answers(response),
        module_missing={(c.version.id, q) for c, q in response_modules.missing(response)},
        first_module_step=len(framework.pillars) + 2,
        steps=steps,
        form=SubmitForm(),
        resume_url=pages.resume_url(),
        progress=_progress(framework, len(steps) + 2, response.wave),
        can_submit=response.wave.accepts_answers(utcnow()),
    )


@bp.post("/submit")
@work.writes
@limiter.limit(pages.limit("RATELIMIT_SUBMIT"))
def submit():
    now = utcnow()
    draft = submitting.load(db.session, session.get(RESPONSE_KEY), session.get(TOKEN_KEY), now)
    if draft is None:
        pages.forget_response()
        return pages.session_ended()
    # The form's only field is its CSRF token, which the app-wide check has already
    # verified before this view ran (submit is not among csrf_retry.KEEP_TYPED).
    try:
        # Nothing is written before either refusal below, so there is nothing to roll back;
        # a twin request that lost the race writes nothing and the first submission stands.
        submitting.submit(db.session, draft, now)
    except services.Incomplete:
        flash(_("Some questions are not answered yet; they are marked below."), "error")
        return redirect(url_for("respondent.review"))
    except services.WaveClosed:
        return pages.message(
            _("The survey is closed"),
            _("This survey wave no longer accepts submissions. Your answers are kept as a draft."),
            409,
        )
    return redirect(url_for("respondent.result"), 303)


@bp.get("/result")
def result():
    response = pages.require_response()
    if response.state != ResponseState.SUBMITTED:
        return redirect(url_for("respondent.review"))
    return render_template(
        "respondent/result.html", **results.context(response), pdf=False, resume_url=pages.resume_url()
    )


@bp.get("/result.pdf")
def result_pdf():
    """The result page's content as a PDF download, for the same session only."""
    response = pages.require_response()
    if response.state != ResponseState.SUBMITTED:
        return redirect(url_for("respondent.review"))
    return results.pdf_download(response)
