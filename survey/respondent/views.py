"""Views of the respondent journey. Each: load, validate the form, call one service (the unit
of work around the view commits, survey/work.py)."""

from __future__ import annotations

from flask import (
    Blueprint,
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
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from survey import i18n, work
from survey.extensions import db, limiter
from survey.main.services import open_wave
from survey.models import AdminUnit, Response, ResponseState, Sector, Wave
from survey.models.base import utcnow
from survey.respondent import charts, mail, recovery, services, tokens
from survey.respondent.forms import (
    AnswersForm,
    FirmForm,
    RecoverForm,
    StartForm,
    SubmitForm,
    TechnologyForm,
    figure_name,
)
from survey.responses.scoring import framework_of, profile_of
from survey.scoring import answers as answers_text
from survey.scoring import scorer_for
from survey.staff import invitations
from survey.urls import external_url

bp = Blueprint("respondent", __name__)


@bp.app_template_filter("figure_field")
def _figure_field(code: str, part: str) -> str:
    return figure_name(code, part)


@bp.app_template_global("answer_text")
def _answer_text(framework, criterion, answers: dict) -> str | None:
    """A stored answer in the reader's words (None when not answered)."""
    return answers_text.describe(framework, criterion, answers, i18n.current_language(), _("Not applicable"))


RESPONSE_KEY = "response_id"
TOKEN_KEY = "resume_token"  # noqa: S105 (a session key name)
TAX_CODE_KEY = "start_tax_code"


def _limit(name: str):
    return lambda: current_app.config[name]


def _token_failed(response) -> bool:
    """Count only wrong tokens against the limit, not successful resumes."""
    return response.status_code == 404


# --- helpers -----------------------------------------------------------------------


def _current_response() -> Response | None:
    response_id = session.get(RESPONSE_KEY)
    if not response_id:
        return None
    # Every page of the journey needs the wave and its framework version; one query.
    response = db.session.get(
        Response,
        response_id,
        options=[joinedload(Response.wave).joinedload(Wave.framework_version)],
    )
    # A session opens the response only while it holds the response's resume token:
    # opening the firm's personal link, a recovery link, or revoking a link replaces the
    # token, and that ends every other session at once.
    if response is None or not services.holds(response, session.get(TOKEN_KEY)):
        for key in (RESPONSE_KEY, TOKEN_KEY):
            session.pop(key, None)
        return None
    return response


def _require_response() -> Response:
    response = _current_response()
    if response is None:
        flash(_("Your session has ended. Open your resume link, or start again."), "warning")
        abort(redirect(url_for("respondent.start")))
    return response


def _framework(response: Response):
    return framework_of(response.wave.framework_version)


def _resume_url() -> str | None:
    token = session.get(TOKEN_KEY)
    # On the configured BASE_URL, never on the Host header (see survey/urls.py).
    return external_url("respondent.resume", token=token) if token else None


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


def _steps(framework) -> list[dict]:
    """The journey's pages after the firm profile: one per pillar, then the technologies."""
    lang = i18n.current_language()
    steps = [{"title": p.name.get(lang), "pillar": p} for p in framework.pillars]
    steps.append({"title": _("Industry 4.0 technologies"), "pillar": None})
    return steps


def _progress(framework, page: int) -> tuple[int, int]:
    """(page, pages) for "Step n of N": start, firm, one per pillar, technologies, review."""
    return page, len(framework.pillars) + 4


def _first_unanswered_step(framework, response: Response) -> int:
    missing = {p.criterion for p in services.missing(framework, response)}
    for number, pillar in enumerate(framework.pillars, start=1):
        if any(c.code in missing for c in pillar.criteria):
            return number
    return len(framework.pillars) + 1


def _message(title: str, text: str, status: int = 200):
    return render_template("respondent/message.html", title=title, text=text), status


# --- the journey -------------------------------------------------------------------


@bp.route("/start", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_START"), methods=["POST"])
def start():
    wave = open_wave()
    if wave is None:
        return _message(_("No survey is open"), _("Please come back when the next survey wave opens."))
    form = StartForm()
    if form.validate_on_submit():
        if services.existing_response(db.session, wave, form.tax_code.data) is not None:
            return _already_responded()
        session[TAX_CODE_KEY] = form.tax_code.data
        session.pop(RESPONSE_KEY, None)
        # The resume token is drawn now, so that a retried firm step is recognised.
        session[TOKEN_KEY] = tokens.new_token()[0]
        return redirect(url_for("respondent.firm"))
    progress = _progress(framework_of(wave.framework_version), 1)
    return render_template("respondent/start.html", form=form, wave=wave, progress=progress), (
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


def _closed():
    return _message(
        _("The survey is closed"),
        _("This survey wave no longer accepts answers. What you saved before it closed is kept."),
        409,
    )


def _final():
    return _message(
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
    response = _current_response()
    tax_code = response.enterprise.tax_code if response else session.get(TAX_CODE_KEY)
    if tax_code is None:
        return redirect(url_for("respondent.start"))
    wave = response.wave if response else open_wave()
    if wave is None:
        return redirect(url_for("main.home"))
    if response is not None and response.state == ResponseState.SUBMITTED:
        if request.method == "POST":
            return _final()
        return redirect(url_for("respondent.result"))
    if response is not None and request.method == "POST" and not services.editable(response, utcnow()):
        return _closed()
    units, sectors = _firm_choices()
    if response is not None:
        stored = {f: getattr(response, f) for f in services.PROFILE_FIELDS}
    else:
        stored = services.register_prefill(db.session, tax_code)
    form = FirmForm(units=units, sectors=sectors, data=FirmForm.data_from(stored))
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
                db.session, wave, tax_code, form.profile(), i18n.current_language(), utcnow(), token
            )
            db.session.flush()  # a twin start fails here, not in the commit after the view
        except (services.AlreadyResponded, IntegrityError):
            # IntegrityError: someone started for the same firm at the same moment; theirs stands.
            db.session.rollback()
            return _already_responded()
        except services.WaveClosed:
            db.session.rollback()
            return _closed()
        session.pop(TAX_CODE_KEY, None)
        session[RESPONSE_KEY] = response.id
        session[TOKEN_KEY] = token
        resume_url, email = _resume_url(), response.contact_email
        work.after_commit(lambda: mail.send_resume_link(email, resume_url))
        return redirect(url_for("respondent.assessment", step=1, new=1))
    progress = _progress(framework_of(wave.framework_version), 2)
    return render_template(
        "respondent/firm.html",
        form=form,
        tax_code=tax_code,
        response=response,
        wave=wave,
        progress=progress,
        needs_consent=needs_consent,
        consent_error=consent_error,
    ), 400 if request.method == "POST" else 200


@bp.route("/assessment/<int:step>", methods=["GET", "POST"])
@work.writes
def assessment(step: int):
    response = _require_response()
    if response.state == ResponseState.SUBMITTED:
        return redirect(url_for("respondent.result"))
    framework = _framework(response)
    steps = _steps(framework)
    if not 1 <= step <= len(steps):
        abort(404)
    lang = i18n.current_language()
    pillar = steps[step - 1]["pillar"]
    if pillar is None:
        form = TechnologyForm(technologies=list(framework.technologies), lang=lang)
        if request.method == "GET":
            form.technologies.data = response.technologies
    else:
        form_class = AnswersForm.for_pillar(framework, pillar, lang, profile_of(response))
        form = form_class(data=form_class.initial(response.answers) if request.method == "GET" else None)
    if request.method == "POST" and not services.editable(response, utcnow()):
        return _closed()
    if request.method == "POST":
        action = request.form.get("action", "next")
        if pillar is None:
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
                flash(_("Your answers are saved. Use your resume link to continue later."), "success")
                return redirect(url_for("respondent.assessment", step=step))
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
        framework=framework,
        resume_url=_resume_url(),
        new=request.args.get("new") == "1",
        progress=_progress(framework, step + 2),
    ), status


@bp.get("/review")
def review():
    response = _require_response()
    if response.state == ResponseState.SUBMITTED:
        return redirect(url_for("respondent.result"))
    framework = _framework(response)
    problems = {p.criterion for p in services.missing(framework, response)}
    return render_template(
        "respondent/review.html",
        response=response,
        framework=framework,
        missing=problems,
        steps=_steps(framework),
        form=SubmitForm(),
        resume_url=_resume_url(),
        progress=_progress(framework, len(framework.pillars) + 4),
        can_submit=response.wave.accepts_answers(utcnow()),
    )


@bp.post("/submit")
@work.writes
@limiter.limit(_limit("RATELIMIT_SUBMIT"))
def submit():
    response = _require_response()
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.submit(response, utcnow())
        db.session.flush()  # where a second click that lost the race fails
    except services.Incomplete:
        db.session.rollback()
        flash(_("Some questions are not answered yet; they are marked below."), "error")
        return redirect(url_for("respondent.review"))
    except services.WaveClosed:
        db.session.rollback()
        return _message(
            _("The survey is closed"),
            _("This survey wave no longer accepts submissions. Your answers are kept as a draft."),
            409,
        )
    except StaleDataError:
        # A second click raced the first and lost; the first submission stands.
        db.session.rollback()
    return redirect(url_for("respondent.result"), 303)


@bp.get("/result")
def result():
    response = _require_response()
    if response.state != ResponseState.SUBMITTED:
        return redirect(url_for("respondent.review"))
    framework = _framework(response)
    card = scorer_for(framework).score(response.answers, profile_of(response))
    peers = services.peer_comparison(
        db.session, response, current_app.config["PEER_MIN_GROUP"], services.peer_cutoff(utcnow())
    )
    lang = i18n.current_language()
    return render_template(
        "respondent/result.html",
        response=response,
        framework=framework,
        card=card,
        peers=peers,
        chart=charts.pillar_chart(framework, card, peers, lang),
        resume_url=_resume_url(),
    )


def _open(response: Response, token: str):
    """Let this session into ``response`` with its resume ``token``, and go on."""
    session[RESPONSE_KEY] = response.id
    session[TOKEN_KEY] = token
    session.pop(TAX_CODE_KEY, None)
    if response.state == ResponseState.SUBMITTED:
        return redirect(url_for("respondent.result"))
    if response.consent_at is None:
        return redirect(url_for("respondent.firm"))
    step = _first_unanswered_step(_framework(response), response)
    return redirect(url_for("respondent.assessment", step=step))


def _invalid_link(text: str):
    return _message(_("This link is not valid"), text, 404)


@bp.get("/resume/<token>")
@limiter.limit(_limit("RATELIMIT_TOKEN_FAILURES"), deduct_when=_token_failed)
def resume(token: str):
    response = services.find_by_token(db.session, token)
    if response is None:
        return _invalid_link(_("Please check that you copied the whole link, or start a new assessment."))
    return _open(response, token)


@bp.route("/i/<token>", methods=["GET", "POST"])
@work.writes
@limiter.limit(_limit("RATELIMIT_TOKEN_FAILURES"), deduct_when=_token_failed)
def invitation(token: str):
    """A firm's personal link: takes its own response over, creating the draft on first use."""
    invite = invitations.find_live(db.session, token)
    if invite is None:
        return _invalid_link(
            _("The link may have been replaced by a newer one. Please use the latest link you received.")
        )
    form = SubmitForm()
    choice = request.form.get("choice") if request.method == "POST" and form.validate_on_submit() else None
    try:
        response, resume_token, stranger = services.open_invitation(
            db.session, invite, i18n.current_language(), utcnow(), choice
        )
    except services.TakeOverChoice as exc:  # the view returns: that the link was opened is kept
        return render_template(
            "respondent/take_over.html", response=exc.response, form=form, token=token
        ), 400 if request.method == "POST" else 200
    except services.WaveClosed:
        db.session.rollback()
        return _closed()
    if stranger and response.state == ResponseState.SUBMITTED:
        flash(
            _(
                "This assessment was submitted before your enterprise opened its personal link. "
                "If your enterprise did not submit it, please write to %(contact)s.",
                contact=current_app.config["CONTACT_EMAIL"],
            ),
            "warning",
        )
    return _open(response, resume_token)


@bp.route("/recover", methods=["GET", "POST"])
@work.writes
@limiter.limit(_limit("RATELIMIT_RECOVER"), methods=["POST"])
def recover():
    """Ask for a recovery link; the answer is the same whatever was found."""
    wave = open_wave()
    if wave is None:
        return _message(_("No survey is open"), _("Please come back when the next survey wave opens."))
    form = RecoverForm()
    if form.validate_on_submit():
        if not mail.enabled():
            return _message(
                _("No e-mail from this server"),
                _(
                    "This server cannot send e-mail. Please write to %(contact)s with your "
                    "enterprise's tax code.",
                    contact=current_app.config["CONTACT_EMAIL"],
                ),
            )
        found = recovery.request_link(db.session, wave, form.tax_code.data, form.contact_email.data, utcnow())
        if found is not None:
            response, token = found
            link, email = external_url("respondent.recovered", token=token), response.contact_email
            work.after_commit(lambda: mail.send_recovery_link(email, link))
        return _message(
            _("Check your e-mail"),
            _(
                "If an assessment for this enterprise gave this e-mail address, a link to it is on "
                "its way. The link works once, within 24 hours. Nothing arrived? Write to %(contact)s.",
                contact=current_app.config["CONTACT_EMAIL"],
            ),
        )
    return render_template(
        "respondent/recover.html", form=form, wave=wave, mail_enabled=mail.enabled()
    ), 400 if form.errors else 200


@bp.get("/recover/<token>")
@work.writes
@limiter.limit(_limit("RATELIMIT_TOKEN_FAILURES"), deduct_when=_token_failed)
def recovered(token: str):
    opened = recovery.open_link(db.session, token, utcnow())
    if opened is None:
        return _invalid_link(_("The link may have expired or been used already. You can ask for a new one."))
    return _open(*opened)
