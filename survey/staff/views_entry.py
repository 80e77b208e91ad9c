"""Staff acting for a business on its assessment: entering its response after an
interview, and mailing it a link to its assessment.

Entering goes through the respondent's own pages (survey.respondent.entry): this page
only checks the business and the wave, as the start page does, and hands the journey
to the staff member's browser session. Sending a link mails a one-time recovery link to
the response's contact address (survey.respondent.recovery); the page says it was sent,
never what it was.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, HiddenField, RadioField, SelectChoice
from wtforms.validators import InputRequired

from survey import audit, labels, work
from survey.extensions import db
from survey.ids import get_or_404, parse_id
from survey.main.services import open_wave_for
from survey.models import BusinessKind, Enterprise, Response, ResponseState
from survey.models.base import utcnow
from survey.models.response import EntryMethod
from survey.respondent import entry, mail, recovery, services
from survey.respondent.forms import KIND_HINTS, IdentifiedForm
from survey.respondent.links import open_response
from survey.responses.resume import take_over
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm
from survey.urls import external_url


class EntryForm(IdentifiedForm):
    """The business (by kind and identifier, or a register firm's id) and how it answered."""

    #: A register firm's id, when staff come from the firm: its identifier is not typed
    #: (nor shown in full to an analyst, for a personal ID).
    enterprise = HiddenField()
    method = RadioField(
        _l("How were the answers taken?"),
        choices=[SelectChoice(m.value, text) for m, text in labels.ENTRY_METHOD.items()],
        validators=[InputRequired(_l("Please choose how the answers were taken."))],
    )
    consent = BooleanField(
        _l(
            "The business agreed to the privacy notice (read out to the person interviewed, or "
            "signed on the paper form)."
        ),
        validators=[InputRequired(_l("Please confirm that the business agreed to the privacy notice."))],
    )

    def validate_tax_code(self, field: Field) -> None:
        if not self.enterprise.data:
            super().validate_tax_code(field)


def _firm(text: str | None) -> Enterprise | None:
    ident = parse_id(text)
    return db.session.get(Enterprise, ident) if ident is not None else None


@bp.route("/entry", methods=["GET", "POST"])
@work.writes
@requires(entry.ENTERS)
def enter_response():
    """Begin (or continue) a response entered for a business, on the respondent's pages."""
    form = EntryForm(enterprise=request.args.get("enterprise", ""))
    firm = _firm(form.enterprise.data) if form.enterprise.data else None
    unknown = bool(form.enterprise.data) and (firm is None or firm.id_erased_at is not None)
    if unknown:
        # Back to the typed form: the firm named is not one staff can enter for.
        form.enterprise.data = ""
        firm = None
        flash(_("That business is not in the register; type its kind and identifier instead."), "error")
        if request.method == "POST":
            return render_template("staff/entry.html", form=form, firm=None, kind_hints=KIND_HINTS), 400
    status = 200
    if form.validate_on_submit():
        if firm is not None:
            kind, identifier = BusinessKind(firm.kind), firm.tax_code
        else:
            kind, identifier = form.business_kind, form.tax_code.data
        method = EntryMethod(form.method.data)
        wave = open_wave_for(kind)
        if wave is None:
            form.kind.errors.append(_("No survey wave takes answers from this kind of business now."))
            status = 409
        else:
            existing = services.existing_response(db.session, wave, identifier, kind)
            if existing is None:
                entry.begin(kind, identifier, method)
                return redirect(url_for("respondent.firm"))
            if existing.entry_method is not None and existing.state == ResponseState.DRAFT:
                return _continue(existing, method)
            flash(
                _(
                    "This business already has a response in the open survey; it is shown "
                    "below. Staff cannot enter a second one."
                ),
                "warning",
            )
            return redirect(url_for("staff.response_detail", response_id=existing.id), 303)
    elif request.method == "POST":
        status = 400
    return render_template("staff/entry.html", form=form, firm=firm, kind_hints=KIND_HINTS), status


def _continue(response: Response, method: EntryMethod):
    """Staff go on with a draft entered by staff (any staff member's): the draft is taken
    over for this session (a new resume token ends every other session on it)."""
    token = take_over(response)
    audit.record(db.session, "response.entry_continued", response, method=method)
    opened = open_response(response, token)
    entry.hold(method)
    return opened


@bp.post("/responses/<int:response_id>/send-link")
@work.writes
@requires(entry.ENTERS)
def send_link(response_id: int):
    """Mail the response's contact a one-time link to the assessment (audited)."""
    response = get_or_404(Response, response_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("staff.response_detail", response_id=response.id), 303)
    if not mail.enabled():
        flash(_("This server cannot send e-mail; no link was sent."), "error")
    elif (token := recovery.send_from_staff(db.session, response, utcnow())) is None:
        flash(_("This response has no contact e-mail address; no link was sent."), "error")
    else:
        link, email = external_url("respondent.recovered", token=token), response.contact_email

        def send() -> None:
            # After the commit (the mail names a stored token), still inside the request:
            # the page says whether the mail went, never what the link was.
            if mail.send_link_from_staff(email, link):
                flash(_("A link to the assessment was e-mailed to %(email)s.", email=email), "success")
            else:
                flash(
                    _("The e-mail to %(email)s could not be sent; please try again later.", email=email),
                    "error",
                )

        work.after_commit(send)
    return redirect(url_for("staff.response_detail", response_id=response.id), 303)
