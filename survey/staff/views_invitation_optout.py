"""The public page behind every mail's unsubscribe link: it asks, and a POST (CSRF) confirms.

A GET changes nothing (mail scanners and link previews open links); the firm confirms with
the page's button. The routes are the respondent blueprint's (public, no account); they live beside the
invitations' staff views, which import this module before the blueprints are registered.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from survey import work
from survey.extensions import db, limiter
from survey.invitations import mailouts
from survey.respondent import pages
from survey.respondent.pages import bp


class UnsubscribeForm(FlaskForm):
    """Only the CSRF token: the link says which firm."""


def _invalid():
    return pages.message(
        _("This link is not valid"),
        _("Please check that you copied the whole link from the e-mail."),
        404,
    )


@bp.get("/unsubscribe/<token>", endpoint="unsubscribe")
@limiter.limit(pages.limit("RATELIMIT_TOKEN_FAILURES"), deduct_when=pages.token_failed)
def unsubscribe(token: str):
    message = mailouts.find_by_unsubscribe(db.session, token)
    if message is None:
        return _invalid()
    return render_template(
        "respondent/unsubscribe.html",
        firm=message.enterprise,
        token=token,
        form=UnsubscribeForm(),
        done=False,
    )


@bp.post("/unsubscribe/<token>", endpoint="confirm_unsubscribe")
@work.writes
@limiter.limit(pages.limit("RATELIMIT_TOKEN_FAILURES"), deduct_when=pages.token_failed)
def confirm_unsubscribe(token: str):
    message = mailouts.find_by_unsubscribe(db.session, token)
    if message is None:
        return _invalid()
    form = UnsubscribeForm()
    if not form.validate_on_submit():
        return render_template(
            "respondent/unsubscribe.html", firm=message.enterprise, token=token, form=form, done=False
        ), 400
    mailouts.opt_out(db.session, message)
    return render_template(
        "respondent/unsubscribe.html", firm=message.enterprise, token=token, form=form, done=True
    )
