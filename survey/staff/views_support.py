"""The support catalogue: admins keep the programmes the result page and the dashboard match to firms.

Every staff member may read the list (the dashboard shows each programme's reach to
viewers too); only administrators create, edit, withdraw and restore. The rules live in
survey.support.catalogue.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from survey import work
from survey.extensions import db
from survey.ids import get_or_404
from survey.models import Role, SupportProgramme
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm
from survey.support import catalogue
from survey.support.forms import ProgrammeForm, data_of
from survey.support.matching import name_key
from survey.support.services import period
from survey.support.vocabulary import vocabulary


def _programme(programme_id: int) -> SupportProgramme:
    return get_or_404(SupportProgramme, programme_id)


def _form_page(form: ProgrammeForm, programme: SupportProgramme | None, status: int | None = None):
    status = status if status is not None else (400 if form.errors else 200)
    return render_template("staff/support_form.html", form=form, programme=programme), status


def _refused(form: ProgrammeForm, exc: catalogue.ProgrammeRefused, programme: SupportProgramme | None):
    db.session.rollback()
    for name, message in exc.problems.items():
        getattr(form, name).errors.append(message)
    return _form_page(form, programme, 400)


@bp.get("/support")
@requires(Role.VIEWER)
def support_programmes():
    # Active first, then by name as Vietnamese sorts it (not the database's collation).
    programmes = sorted(
        db.session.scalars(select(SupportProgramme)),
        key=lambda p: (not p.active, *name_key(p.name), p.id),
    )
    return render_template(
        "staff/support.html",
        programmes=programmes,
        vocabulary=vocabulary(db.session),
        period=period,
        confirm=ConfirmForm(),
    )


@bp.route("/support/new", methods=["GET", "POST"])
@work.writes
@requires(Role.ADMIN)
def new_support_programme():
    words = vocabulary(db.session)
    form = ProgrammeForm(words)
    if form.validate_on_submit():
        try:
            catalogue.create(db.session, form.values(), words)
        except catalogue.ProgrammeRefused as exc:
            return _refused(form, exc, None)
        flash(_("Programme added. It matches firms from now on."), "success")
        return redirect(url_for("staff.support_programmes"))
    return _form_page(form, None)


@bp.route("/support/<int:programme_id>/edit", methods=["GET", "POST"])
@work.writes
@requires(Role.ADMIN)
def edit_support_programme(programme_id: int):
    programme = _programme(programme_id)
    words = vocabulary(db.session)
    form = ProgrammeForm(words, data=data_of(programme))
    if form.validate_on_submit():
        try:
            changed = catalogue.edit(db.session, programme, form.values(), words)
        except catalogue.ProgrammeRefused as exc:
            return _refused(form, exc, programme)
        flash(_("Programme saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("staff.support_programmes"))
    return _form_page(form, programme)


@bp.post("/support/<int:programme_id>/<any(withdraw, restore):change>")
@work.writes
@requires(Role.ADMIN)
def change_support_programme(programme_id: int, change: str):
    programme = _programme(programme_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = change == "restore"
    if catalogue.set_active(db.session, programme, active):
        flash(
            _("Programme restored: it matches firms again.")
            if active
            else _("Programme withdrawn: it matches no one until it is restored."),
            "success",
        )
    return redirect(url_for("staff.support_programmes"))
