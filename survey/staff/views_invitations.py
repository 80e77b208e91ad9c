"""Invitations: issue personal links for a wave, export them, follow them up."""

from __future__ import annotations

from io import BytesIO

from flask import abort, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey import work
from survey.extensions import db
from survey.ids import get_or_404
from survey.invitations import services as invitations
from survey.models import AdminUnit, Invitation, Role, Sector, Wave
from survey.reports import filters as report_filters
from survey.spreadsheets import XLSX
from survey.staff.access import can_see_personal_ids, requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm
from survey.staff.views_responses import selected_wave
from survey.urls import external_url


def _link(token: str) -> str:
    # On the configured BASE_URL, never on the Host header (see survey/urls.py).
    return external_url("respondent.invitation", token=token)


@bp.get("/invitations", endpoint="invitations")
@requires(Role.ANALYST)
def invitations_page():
    wave = selected_wave()
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        abort(400, description="page must be a number")
    per_page = current_app.config["PER_PAGE"]
    counts = invitations.status_counts(db.session, wave)
    total = sum(counts.values())
    pages = max(1, -(-total // per_page))
    page = min(page, pages)  # past the end is the last page, as in the list of responses
    return render_template(
        "staff/invitations.html",
        wave=wave,
        waves=db.session.scalars(select(Wave).order_by(Wave.opens_at.desc())).all(),
        counts=counts,
        total=total,
        rates={by: invitations.rates(db.session, wave, by) for by in ("area", "sector", "unit")},
        rows=invitations.listing(db.session, wave, per_page, (page - 1) * per_page),
        page=page,
        pages=pages,
        units=db.session.execute(select(AdminUnit.code, AdminUnit.name_vi).order_by(AdminUnit.name_vi)).all(),
        areas=sorted(set(db.session.scalars(select(AdminUnit.former_area)))),
        sectors=db.session.scalars(select(Sector.code).order_by(Sector.code)).all(),
        confirm=ConfirmForm(),
    )


def _filters() -> dict:
    """The register filters of an issue: unit, former area and sector (survey.reports.filters)."""
    try:
        return report_filters.parse(request.form, db.session, names=invitations.FILTERS)
    except report_filters.BadFilter as exc:
        abort(400, description=str(exc))


@bp.post("/invitations/<int:wave_id>/issue")
@work.writes
@requires(Role.ANALYST)
def issue_invitations(wave_id: int):
    wave = get_or_404(Wave, wave_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    personal_ids = can_see_personal_ids()
    links = invitations.issue(db.session, wave, _filters(), current_user.id, personal_ids=personal_ids)
    workbook = invitations.links_workbook(links, _link, personal_ids=personal_ids, erased=_("(erased)"))
    return send_file(
        BytesIO(workbook), mimetype=XLSX, as_attachment=True, download_name=f"invitations-wave-{wave.id}.xlsx"
    )


def _already_replaced(invitation: Invitation):
    db.session.rollback()
    return render_template("staff/invitation_replaced.html", invitation=invitation), 409


def _invitation(invitation_id: int) -> Invitation:
    return get_or_404(Invitation, invitation_id)


@bp.post("/invitations/link/<int:invitation_id>/revoke")
@work.writes
@requires(Role.ANALYST)
def revoke_invitation(invitation_id: int):
    invitation = _invitation(invitation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        invitations.revoke(db.session, invitation)
    except invitations.AlreadyReplaced:
        return _already_replaced(invitation)
    return render_template("staff/invitation_done.html", invitation=invitation, link=None)


@bp.post("/invitations/link/<int:invitation_id>/reissue")
@work.writes
@requires(Role.ANALYST)
def reissue_invitation(invitation_id: int):
    invitation = _invitation(invitation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        fresh = invitations.reissue(db.session, invitation, current_user.id)
    except invitations.AlreadyReplaced:
        return _already_replaced(invitation)
    return render_template("staff/invitation_done.html", invitation=fresh.invitation, link=_link(fresh.token))
