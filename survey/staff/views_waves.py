"""Survey waves: create, edit (fully only while empty), open and close."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms import SelectChoice

from survey import waves as waves_service
from survey import work
from survey.extensions import db
from survey.i18n import current_language
from survey.ids import get_or_404
from survey.models import BusinessKind, Response, Role, Wave, WaveState
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm, WaveForm
from survey.timezone import to_local_naive, to_utc


def _wave(wave_id: int) -> Wave:
    return get_or_404(Wave, wave_id)


def _form(current: int | None = None, **kwargs) -> WaveForm:
    """The wave form; only offered framework versions (and the wave's own) can be chosen,
    newest first so that a new wave defaults to the current instrument."""
    form = WaveForm(**kwargs)
    form.framework_version_id.choices = [
        SelectChoice(v.id, f"{v.title_en if current_language() == 'en' else v.title_vi} — v{v.version}")
        for v in waves_service.offered_versions(db.session, current)
    ]
    english = current_language() == "en"
    form.modules.choices = [
        SelectChoice(v.id, f"{v.title_en if english else v.title_vi} — v{v.version}")
        for v in waves_service.offered_modules(db.session)
    ]
    return form


def _values(form: WaveForm) -> dict:
    return {
        "name": form.name.data,
        "year": form.year.data,
        "framework_version_id": form.framework_version_id.data,
        "opens_at": to_utc(form.opens_at.data),
        "closes_at": to_utc(form.closes_at.data),
        # In the fixed order of the kinds, so that an unchanged choice is no change.
        "kinds": [k.value for k in BusinessKind if k.value in form.kinds.data],
        # In the order offered: the journey shows the modules in this order.
        "modules": [c.value for c in form.modules.choices if c.value in (form.modules.data or [])],
    }


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
        try:
            waves_service.create(db.session, _values(form))
        except waves_service.NameTaken as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
            return render_template("staff/wave_form.html", form=form, wave=None, locked=set()), 400
        except waves_service.Overlap as exc:
            form.kinds.errors.append(str(exc))
            return render_template("staff/wave_form.html", form=form, wave=None, locked=set()), 400
        except waves_service.ModuleRefused as exc:
            db.session.rollback()
            form.modules.errors.append(str(exc))
            return render_template("staff/wave_form.html", form=form, wave=None, locked=set()), 400
        except waves_service.WaveError as exc:
            form.framework_version_id.errors.append(str(exc))
            return render_template("staff/wave_form.html", form=form, wave=None, locked=set()), 400
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
    locked = waves_service.locked_fields(db.session, wave)
    form = _form(
        current=wave.framework_version_id,
        data={
            "name": wave.name,
            "year": wave.year,
            "framework_version_id": wave.framework_version_id,
            "opens_at": to_local_naive(wave.opens_at),
            "closes_at": to_local_naive(wave.closes_at),
            "kinds": list(wave.kinds),
            "modules": waves_service.module_ids(wave),
        },
    )
    if form.validate_on_submit():
        values = _values(form)
        # The form shows times to the minute; an untouched time keeps its stored value.
        for field in ("opens_at", "closes_at"):
            if values[field] == getattr(wave, field).replace(second=0, microsecond=0):
                values[field] = getattr(wave, field)
        try:
            waves_service.edit(db.session, wave, values)
        except waves_service.Locked as exc:
            flash(str(exc), "error")
            return render_template("staff/wave_form.html", form=form, wave=wave, locked=locked), 409
        except waves_service.NameTaken as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
            return render_template("staff/wave_form.html", form=form, wave=wave, locked=locked), 400
        except waves_service.Overlap as exc:
            form.kinds.errors.append(str(exc))
            return render_template("staff/wave_form.html", form=form, wave=wave, locked=locked), 400
        except waves_service.ModuleRefused as exc:
            db.session.rollback()
            form.modules.errors.append(str(exc))
            return render_template("staff/wave_form.html", form=form, wave=wave, locked=locked), 400
        except waves_service.WaveError as exc:
            form.framework_version_id.errors.append(str(exc))
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
    try:
        waves_service.set_state(db.session, wave, WaveState.OPEN if action == "open" else WaveState.CLOSED)
    except waves_service.Overlap as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff.waves"), 303)
    return redirect(url_for("staff.waves"))
