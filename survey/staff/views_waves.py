"""Survey waves: create, edit (fully only while empty), open and close."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from survey import audit, frameworks, work
from survey.extensions import db
from survey.i18n import current_language
from survey.ids import get_or_404
from survey.models import FrameworkVersion, Response, Role, Wave, WaveState
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm, WaveForm
from survey.timezone import to_local_naive, to_utc

WAVE_FIELDS = ("name", "year", "framework_version_id", "opens_at", "closes_at")
#: Fields that stay editable once a wave has responses (its framework version never does).
EDITABLE_WITH_RESPONSES = {"name", "closes_at"}


def _wave(wave_id: int) -> Wave:
    return get_or_404(Wave, wave_id)


def _has_responses(wave: Wave) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Response).filter_by(wave_id=wave.id)))


def _form(current: int | None = None, **kwargs) -> WaveForm:
    """The wave form; only offered framework versions (and the wave's own) can be chosen,
    newest first so that a new wave defaults to the current instrument."""
    form = WaveForm(**kwargs)
    versions = db.session.scalars(
        select(FrameworkVersion).order_by(FrameworkVersion.code, FrameworkVersion.version.desc())
    )
    form.framework_version_id.choices = [
        SelectChoice(v.id, f"{v.title_en if current_language() == 'en' else v.title_vi} — v{v.version}")
        for v in versions
        if frameworks.offered(v.code, v.version) or v.id == current
    ]
    return form


@bp.get("/waves")
@requires(Role.VIEWER)
def waves():
    rows = db.session.execute(
        select(Wave, func.count(Response.id))
        .outerjoin(Response)
        .group_by(Wave.id)
        .order_by(Wave.opens_at.desc())
    ).all()
    return render_template("staff/waves.html", rows=rows, confirm=ConfirmForm())


@bp.route("/waves/new", methods=["GET", "POST"])
@work.writes
@requires(Role.ADMIN)
def new_wave():
    form = _form()
    if form.validate_on_submit():
        wave = Wave(
            name=form.name.data.strip(),
            year=form.year.data,
            framework_version_id=form.framework_version_id.data,
            opens_at=to_utc(form.opens_at.data),
            closes_at=to_utc(form.closes_at.data),
            state=WaveState.DRAFT,
        )
        db.session.add(wave)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append(_("A wave with this name exists."))
            return render_template("staff/wave_form.html", form=form, wave=None, locked=set()), 400
        audit.record(db.session, "wave.created", wave, after={f: getattr(wave, f) for f in WAVE_FIELDS})
        flash(_("Wave created. Open it when it should accept answers."), "success")
        return redirect(url_for("staff.waves"))
    return render_template(
        "staff/wave_form.html", form=form, wave=None, locked=set()
    ), 400 if form.errors else 200


@bp.route("/waves/<int:wave_id>/edit", methods=["GET", "POST"])
@work.writes
@requires(Role.ADMIN)
def edit_wave(wave_id: int):
    wave = _wave(wave_id)
    locked = set(WAVE_FIELDS) - EDITABLE_WITH_RESPONSES if _has_responses(wave) else set()
    form = _form(
        current=wave.framework_version_id,
        data={
            "name": wave.name,
            "year": wave.year,
            "framework_version_id": wave.framework_version_id,
            "opens_at": to_local_naive(wave.opens_at),
            "closes_at": to_local_naive(wave.closes_at),
        },
    )
    if form.validate_on_submit():
        values = {
            "name": form.name.data.strip(),
            "year": form.year.data,
            "framework_version_id": form.framework_version_id.data,
            "opens_at": to_utc(form.opens_at.data),
            "closes_at": to_utc(form.closes_at.data),
        }
        # The form shows times to the minute; an untouched time keeps its stored value.
        for field in ("opens_at", "closes_at"):
            if values[field] == getattr(wave, field).replace(second=0, microsecond=0):
                values[field] = getattr(wave, field)
        refused = [f for f in locked if values[f] != getattr(wave, f)]
        if refused:
            flash(_("This wave has responses: only its name and closing time can change."), "error")
            return render_template("staff/wave_form.html", form=form, wave=wave, locked=locked), 409
        for field, value in values.items():
            setattr(wave, field, value)
        before, after = audit.changes(wave, WAVE_FIELDS)
        if after:
            audit.record(db.session, "wave.edited", wave, before=before, after=after)
        try:
            db.session.flush()  # what can clash fails here, inside the try
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append(_("A wave with this name exists."))
            return render_template("staff/wave_form.html", form=form, wave=wave, locked=locked), 400
        flash(_("Wave saved."), "success")
        return redirect(url_for("staff.waves"))
    return render_template(
        "staff/wave_form.html", form=form, wave=wave, locked=locked
    ), 400 if form.errors else 200


@bp.post("/waves/<int:wave_id>/<any(open, close):action>")
@work.writes
@requires(Role.ADMIN)
def change_wave_state(wave_id: int, action: str):
    wave = _wave(wave_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    new_state = WaveState.OPEN if action == "open" else WaveState.CLOSED
    if wave.state != new_state:
        audit.record(
            db.session, f"wave.{action}", wave, before={"state": wave.state}, after={"state": new_state}
        )
        wave.state = new_state
    return redirect(url_for("staff.waves"))
