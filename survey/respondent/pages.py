"""What every respondent page shares: the blueprint, the session's keys, the response the
session holds, and the message pages.

The journey's views are in ``views`` (start → firm → pillars → review → result), the
personal links (resume, invitation, recovery) in ``links``. None of them commits: the unit
of work around each view does (survey/work.py).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from survey import i18n
from survey.extensions import db
from survey.main.services import open_waves
from survey.models import Response, Wave
from survey.respondent import services
from survey.respondent.forms import KIND_HINTS, figure_name
from survey.responses import modules as response_modules
from survey.responses.scoring import framework_of
from survey.scoring import answers as answers_text
from survey.urls import external_url

bp = Blueprint("respondent", __name__)

RESPONSE_KEY = "response_id"
TOKEN_KEY = "resume_token"  # noqa: S105 (a session key name)
TAX_CODE_KEY = "start_tax_code"
KIND_KEY = "start_kind"


def first_unanswered_step(framework, response: Response) -> int:
    """The page a returning respondent continues on: the first with a missing answer (the
    technologies page, which needs none, when everything is answered)."""
    missing = {p.criterion for p in services.missing(framework, response)}
    for number, pillar in enumerate(framework.pillars, start=1):
        if any(c.code in missing for c in pillar.criteria):
            return number
    unanswered = {c.version.id for c, _ in response_modules.missing(response)}
    for number, module in enumerate(response.wave.modules, start=len(framework.pillars) + 2):
        if module.module_version_id in unanswered:
            return number
    return len(framework.pillars) + 1


def limit(name: str):
    return lambda: current_app.config[name]


def token_failed(response) -> bool:
    """Count only wrong tokens against the limit, not successful resumes."""
    return response.status_code == 404


def current_response() -> Response | None:
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
        forget_response()
        return None
    return response


def forget_response() -> None:
    """The session no longer opens a response (its token was replaced, or it never had one)."""
    for key in (RESPONSE_KEY, TOKEN_KEY):
        session.pop(key, None)


def session_ended():
    """Where a page that needs the session's response sends a session without one."""
    flash(_("Your session has ended. Open your resume link, or start again."), "warning")
    return redirect(url_for("respondent.start"))


def require_response() -> Response:
    response = current_response()
    if response is None:
        abort(session_ended())
    return response


def framework_for(response: Response):
    return framework_of(response.wave.framework_version)


def resume_url() -> str | None:
    token = session.get(TOKEN_KEY)
    # On the configured BASE_URL, never on the Host header (see survey/urls.py).
    return external_url("respondent.resume", token=token) if token else None


def message(title: str, text: str, status: int = 200):
    return render_template("respondent/message.html", title=title, text=text), status


def no_wave(kind=None):
    """The page for a journey begun while no wave takes answers (for this kind of business)."""
    if kind is None:
        return message(_("No survey is open"), _("Please come back when the next survey wave opens."))
    return message(
        _("No survey is open for this kind of business"),
        _(
            "The survey open now is for other kinds of business (%(kinds)s). If you chose the "
            "wrong kind, go back and choose again; otherwise please come back when a survey for "
            "yours opens.",
            kinds=", ".join(
                dict.fromkeys(str(i18n.kind_label(k)) for w in open_waves() for k in w.business_kinds)
            ),
        ),
    )


def closed():
    return message(
        _("The survey is closed"),
        _("This survey wave no longer accepts answers. What you saved before it closed is kept."),
        409,
    )


@bp.context_processor
def _kind_hints() -> dict:
    return {"kind_hints": KIND_HINTS}


@bp.app_template_filter("figure_field")
def _figure_field(code: str, part: str) -> str:
    return figure_name(code, part)


@bp.app_template_global("answer_text")
def _answer_text(framework, criterion, answers: dict) -> str | None:
    """A stored answer in the reader's words (None when not answered)."""
    return answers_text.describe(framework, criterion, answers, i18n.current_language(), _("Not applicable"))


@bp.app_template_global("module_answer_text")
def _module_answer_text(module, question, answers: dict) -> str | None:
    """A stored module answer in the reader's words (None when not answered)."""
    lang = i18n.current_language()
    value = answers.get(question.code)
    if value in (None, "", []):
        return None
    if question.kind == "rating":
        return next(p.label.get(lang) for p in module.scale(question.scale).points if p.value == value)
    if question.kind == "checklist":
        return "; ".join(question.option(code).label.get(lang) for code in value)
    return value
