"""A form sent after its CSRF token expired comes back filled in, not lost.

A token lives ``WTF_CSRF_TIME_LIMIT`` seconds (an hour); a respondent who takes longer
over a page of the assessment, or a session whose token is gone, used to get the error
page "the form has expired" and lose every answer typed. For the form pages named in
``KEEP_TYPED``, Flask-WTF's blanket check (a ``before_request`` hook, which can only
refuse) is replaced by the same check run around the view:

* a good token: the view runs as before (``csrf.protect`` marks the request valid);
* a refused token (expired, missing from the session, forged): the view runs in a unit
  that may not write (``work.unit(writes=False)``: any write stops with ReadOnlyWork),
  and its form checks the token again, fails, and is shown again with what was sent, a
  fresh token, and the message of ``_forms.html`` that nothing is saved until the
  button is pressed again. The answer is a 400, as a refused token always was. If the
  view answers anything but that 400 (a session that is gone sends the respondent to
  the start page) or tries to write, the refusal stands: the usual error page.

A view belongs in ``KEEP_TYPED`` only if it validates a FlaskForm (whose CSRF field
fails on such a request) before it changes or sends anything, and shows the page with
that form's errors, its error summary included, when validation fails.
tests/test_form_expiry.py checks each one; other forms keep the error page of
survey/errors.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Flask, current_app
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey import work
from survey.extensions import csrf, db

#: The form pages whose answers survive an expired token (see the docstring first).
KEEP_TYPED = frozenset(
    {
        "respondent.firm",
        "respondent.assessment",
        "staff.correct_response",
        "staff.add_note",
        "staff.review_response",
        "staff.new_wave",
        "staff.edit_wave",
        "staff.new_support_programme",
        "staff.edit_support_programme",
    }
)


def _token_refused() -> CSRFError | None:
    """Run Flask-WTF's check of this request; its refusal, or None if the token is good."""
    config = current_app.config
    if not (config["WTF_CSRF_ENABLED"] and config["WTF_CSRF_CHECK_DEFAULT"]):
        return None
    try:
        csrf.protect()
    except CSRFError as exc:
        return exc
    return None


def _keeping_what_was_typed(view: Callable) -> Callable:
    @functools.wraps(view)
    def run(*args, **kwargs):
        refusal = _token_refused()
        if refusal is None:
            return view(*args, **kwargs)
        # What the request did before the view stays its own (a staff session's "last
        # seen"); from here on nothing may be written.
        db.session.flush()
        try:
            with work.unit(writes=False):
                response = current_app.make_response(view(*args, **kwargs))
        except (work.ReadOnlyWork, HTTPException):
            # It tried to write, or stopped (``abort(redirect(...))`` without a session).
            raise refusal from None
        if response.status_code != 400:
            # Not the form shown again (no session to show it in: a redirect to the start
            # page): nothing typed can be kept, and the error page says the form expired.
            raise refusal
        return response

    return run


def init_app(app: Flask) -> None:
    """Move the token check of KEEP_TYPED's views into the views (after work.wrap_views)."""
    for endpoint in KEEP_TYPED:
        view = app.view_functions[endpoint]
        # Flask-WTF names an exempt view by module and name (functools.wraps keeps both).
        csrf.exempt(f"{view.__module__}.{view.__name__}")
        app.view_functions[endpoint] = _keeping_what_was_typed(view)
