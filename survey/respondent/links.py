"""The firm's ways back into its assessment: its resume link, the department's personal
invitation link (which takes the response over), and a recovery link sent by e-mail
("send my link again", survey.respondent.recovery)."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import Email, Length, Optional

from survey import i18n, work
from survey.extensions import db, limiter
from survey.invitations import services as invitations
from survey.main.services import open_wave_for, open_waves
from survey.models import Response, ResponseState
from survey.models.base import utcnow
from survey.respondent import entry, mail, pages, recovery, services
from survey.respondent.forms import RecoverForm, SubmitForm
from survey.respondent.pages import RESPONSE_KEY, TAX_CODE_KEY, TOKEN_KEY, bp
from survey.urls import external_url


class ResendForm(RecoverForm):
    """ "Send my link again": the kind and identifier; the contact address is optional.

    The link goes to the address given in the assessment whatever is typed here, so the
    business need not remember it; an address typed must be that one (a business that
    wants to be sure nobody else triggers the mail can say which address it expects).
    """

    contact_email = EmailField(
        _l("The contact e-mail address given in the assessment"),
        validators=[
            Optional(),
            Email(message=_l("Please enter a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
    )


def open_response(response: Response, token: str):
    """Let this session into ``response`` with its resume ``token``, and go on.

    A staff entry's ticket is dropped: a link opened is the business's own journey (the
    staff entry page gives the ticket back when staff continue an entry).
    """
    session[RESPONSE_KEY] = response.id
    session[TOKEN_KEY] = token
    session.pop(TAX_CODE_KEY, None)
    entry.drop()
    if response.state == ResponseState.SUBMITTED:
        return redirect(url_for("respondent.result"))
    if response.consent_at is None:
        return redirect(url_for("respondent.firm"))
    step = pages.first_unanswered_step(pages.framework_for(response), response)
    return redirect(url_for("respondent.assessment", step=step))


def _invalid_link(text: str):
    return pages.message(_("This link is not valid"), text, 404)


@bp.get("/resume/<token>")
@limiter.limit(pages.limit("RATELIMIT_TOKEN_FAILURES"), deduct_when=pages.token_failed)
def resume(token: str):
    response = services.find_by_token(db.session, token)
    if response is None:
        return _invalid_link(_("Please check that you copied the whole link, or start a new assessment."))
    return open_response(response, token)


@bp.route("/i/<token>", methods=["GET", "POST"])
@work.writes
@limiter.limit(pages.limit("RATELIMIT_TOKEN_FAILURES"), deduct_when=pages.token_failed)
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
        return pages.closed()
    if stranger and response.state == ResponseState.SUBMITTED:
        flash(
            _(
                "This assessment was submitted before your enterprise opened its personal link. "
                "If your enterprise did not submit it, please write to %(contact)s.",
                contact=current_app.config["CONTACT_EMAIL"],
            ),
            "warning",
        )
    return open_response(response, resume_token)


@bp.route("/recover", methods=["GET", "POST"])
@work.writes
@limiter.limit(pages.limit("RATELIMIT_RECOVER"), methods=["POST"])
def recover():
    """ "Send my link again": the answer is the same whatever was found, and never the link."""
    if not open_waves():
        return pages.no_wave()
    form = ResendForm()
    if form.validate_on_submit():
        wave = open_wave_for(form.business_kind)
        if wave is None:
            return pages.no_wave(form.business_kind)
        if not mail.enabled():
            return pages.message(
                _("No e-mail from this server"),
                _(
                    "This server cannot send e-mail. Please write to %(contact)s with your "
                    "enterprise's tax code.",
                    contact=current_app.config["CONTACT_EMAIL"],
                ),
            )
        found = recovery.request_link(
            db.session, wave, form.tax_code.data, form.contact_email.data, utcnow(), form.business_kind
        )
        if found is not None:
            response, token = found
            link, email = external_url("respondent.recovered", token=token), response.contact_email
            work.after_commit(lambda: mail.send_recovery_link(email, link))
        return pages.message(
            _("Check your e-mail"),
            _(
                "If this business has an assessment in the open survey with a contact e-mail "
                "address (the one you typed, if you typed one), a link to it is on its way to that "
                "address. The link works once, within 24 hours. Nothing arrived? Write to %(contact)s.",
                contact=current_app.config["CONTACT_EMAIL"],
            ),
        )
    return render_template(
        "respondent/recover.html", form=form, mail_enabled=mail.enabled()
    ), 400 if form.errors else 200


@bp.get("/recover/<token>")
@work.writes
@limiter.limit(pages.limit("RATELIMIT_TOKEN_FAILURES"), deduct_when=pages.token_failed)
def recovered(token: str):
    opened = recovery.open_link(db.session, token, utcnow())
    if opened is None:
        return _invalid_link(_("The link may have expired or been used already. You can ask for a new one."))
    return open_response(*opened)
