"""The free-text answers of the unscored modules, read and searched by analysts and admins.

Free text may name people and say anything, so viewers (who see no personal data) are
refused. The page only reads (a GET form: question, search, page); the query is the
service's (survey.responses.texts). A search holding a whole personal ID is refused as
the responses list refuses it: a query string ends up in histories and logs.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from survey.extensions import db
from survey.i18n import current_language
from survey.ids import get_or_404
from survey.models import Role, Wave
from survey.responses import texts
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.response_query import holds_personal_id


@bp.app_template_global("wave_carries_text")
def _wave_carries_text(wave: Wave) -> bool:
    """For the waves list: whether the wave's free-text page is worth a link."""
    return texts.carries_text(wave)


@bp.get("/waves/<int:wave_id>/texts")
@requires(Role.ANALYST)
def module_texts(wave_id: int):
    wave = get_or_404(Wave, wave_id)
    questions = texts.text_questions(db.session, wave)
    try:
        query = texts.parse(request.args, questions)
    except texts.BadTextQuery as exc:
        abort(400, description=str(exc))
    if holds_personal_id(query.q):
        flash(
            _(
                "A whole personal ID is never searched: it would be kept in the address and "
                "the logs. Search for other words of the answer."
            ),
            "error",
        )
        args = request.args.to_dict()
        args.pop("q", None)
        return redirect(url_for("staff.module_texts", wave_id=wave.id, **args), 303)
    page = texts.run(db.session, wave, query, questions, current_app.config["PER_PAGE"])
    return render_template(
        "staff/module_texts.html",
        wave=wave,
        questions=questions,
        query=query,
        page=page,
        lang=current_language(),
    )
