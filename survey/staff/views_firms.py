"""The register to work in: browse, search and filter the firms, open one, export the list;
administrators correct a firm (audited, conflict-safe). Analysts read, viewers do not.

The rules live in survey.registry (browse, search, editing, register_export); these views
read the request, call them and render.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from survey import audit, money, work
from survey.extensions import db
from survey.i18n import current_language
from survey.ids import MAX_ID, get_or_404
from survey.labels import label
from survey.models import AdminUnit, Enterprise, Response, Role, Sector, Wave
from survey.registry import browse, editing, register_export
from survey.registry.firm_form import FirmForm, initial
from survey.registry.register_format import MONEY_COLUMNS
from survey.spreadsheets import XLSX
from survey.staff.access import can_see_contacts, can_see_personal_ids, requires
from survey.staff.blueprint import bp
from survey.timezone import LOCAL


def _query() -> browse.FirmQuery:
    try:
        return browse.parse(request.args, db.session, personal_ids=can_see_personal_ids())
    except browse.BadParameter as exc:
        abort(400, description=str(exc))


def _without_search():
    """Back to the same list without its search: a whole personal ID is never searched,
    nor repeated in the page's links (sorting, paging, the export, the language switch)."""
    flash(
        _(
            "A whole personal ID is never searched here: it would be kept in the address "
            "and the logs. Search by the business's name or the last digits of the ID."
        ),
        "error",
    )
    args = request.args.to_dict()
    args.pop("q", None)
    return redirect(url_for(request.endpoint, **args), 303)


@bp.get("/firms")
@requires(Role.ANALYST)
def firms():
    query = _query()
    if query.refused:
        return _without_search()
    page = browse.run(db.session, query, current_app.config["PER_PAGE"])
    units = db.session.execute(select(AdminUnit.code, AdminUnit.name_vi, AdminUnit.former_area)).all()
    return render_template(
        "staff/firms.html",
        query=query,
        page=page,
        units=sorted(units, key=lambda u: (u.former_area, u.name_vi)),
        areas=sorted({u.former_area for u in units}),
        sectors=db.session.execute(
            select(Sector.code, Sector.name_vi, Sector.name_en).order_by(Sector.code)
        ).all(),
        args=request.args,
        filtered=bool(query.filters or query.q),
    )


@bp.get("/firms/export.xlsx")
@work.writes
@requires(Role.ANALYST)
def export_firms():
    query = _query()
    if query.refused:
        return _without_search()
    personal_ids, contacts = can_see_personal_ids(), can_see_contacts()
    data, count = register_export.workbook(
        browse.every_row(db.session, query),
        personal_ids=personal_ids,
        contacts=contacts,
        english=current_language() == "en",
    )
    # Who took which part of the register, and whether with personal data.
    audit.record(
        db.session,
        "register.exported",
        object_type="enterprises",
        count=count,
        filters=query.filters or None,
        searched=bool(query.q) or None,
        personal_ids=personal_ids,
        contacts=contacts,
    )
    name = f"register-{datetime.now(LOCAL):%Y%m%d-%H%M}.xlsx"
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


def _firm(firm_id: int) -> Enterprise:
    return get_or_404(
        Enterprise, firm_id, options=[joinedload(Enterprise.unit), joinedload(Enterprise.sector)]
    )


@bp.get("/firms/<int:firm_id>")
@requires(Role.ANALYST)
def firm(firm_id: int):
    business = _firm(firm_id)
    responses = db.session.execute(
        select(Response, Wave)
        .join(Wave, Wave.id == Response.wave_id)
        .where(Response.enterprise_id == business.id)
        .order_by(Wave.opens_at.desc(), Response.id.desc())
    ).all()
    return render_template(
        "staff/firms_detail.html",
        firm=business,
        responses=responses,
        show_contacts=can_see_contacts(),
    )


def _edit_page(business: Enterprise, form: FirmForm, status: int = 200, stored: dict | None = None):
    return render_template("staff/firms_edit.html", firm=business, form=form, stored=stored or {}), status


def _as_shown(column: str, value) -> str:
    """A stored value as the edit page names it."""
    if value is None or value == "":
        return _("(empty)")
    if column == "unit":
        unit = db.session.get(AdminUnit, value)
        return unit.name_vi if unit else str(value)
    if column in MONEY_COLUMNS:
        return money.format_billions(value)
    if column in ("kind", "ownership"):
        return label(value)
    return str(value)


@bp.get("/firms/<int:firm_id>/edit")
@requires(Role.ADMIN)
def edit_firm(firm_id: int):
    business = _firm(firm_id)
    form = FirmForm(formdata=None, data=initial(db.session, business)).offer(db.session, business)
    return _edit_page(business, form)


@bp.post("/firms/<int:firm_id>/edit")
@work.writes
@requires(Role.ADMIN)
def save_firm(firm_id: int):
    # Locked until the commit: a second editor's save waits, then sees this one's change.
    business = editing.locked(db.session, firm_id) if 0 < firm_id <= MAX_ID else None
    if business is None:
        abort(404)
    form = FirmForm().offer(db.session, business)
    if not form.validate_on_submit():
        # A form that does not validate comes back with everything typed in it.
        return _edit_page(business, form, 400)
    checked = editing.check(db.session, business, form.cells(), form.labels())
    if not checked.ok:
        form.show(checked.problems)
        return _edit_page(business, form, 400)
    try:
        changed = editing.save(db.session, business, form.version.data or "", checked.values)
    except editing.Conflict:
        stored = {
            column: _as_shown(column, value)
            for column, value in editing.stored_differences(business, form.cells(), checked).items()
        }
        form.version.data = editing.version(business)
        flash(
            _(
                "Someone else changed this firm after you opened it. Nothing was saved: the values "
                "stored now are shown beside the fields where they differ from yours. Check them "
                "and save again."
            ),
            "error",
        )
        return _edit_page(business, form, 409, stored)
    flash(_("Firm saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("staff.firm", firm_id=business.id), 303)
