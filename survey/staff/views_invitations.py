"""Invitations: issue personal links for a wave, export them, follow them up.

Nothing that creates or revokes a link happens on the first click. Issuing first shows,
on a page that only reads (GET), how many links it would create, for which firms, and
which firms it leaves out; the confirmation is that page's POST (CSRF), which carries the
count the officer saw and issues nothing if the count has changed since. Revoking and
reissuing a link have their own confirmation pages the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

from flask import abort, current_app, render_template, request, send_file
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey import work
from survey.extensions import db
from survey.i18n import current_language
from survey.ids import get_or_404
from survey.invitations import mailouts
from survey.invitations import services as invitations
from survey.models import AdminUnit, Invitation, Role, Sector, Wave
from survey.reports import filters as report_filters
from survey.spreadsheets import XLSX
from survey.staff.access import can_see_personal_ids, requires
from survey.staff.blueprint import bp
from survey.staff.forms import ConfirmForm
from survey.staff.views_responses import selected_wave
from survey.urls import external_url

#: The checkbox that puts firms which already submitted back into an issue.
INCLUDE_SUBMITTED = "include_submitted"


def _link(token: str) -> str:
    # On the configured BASE_URL, never on the Host header (see survey/urls.py).
    return external_url("respondent.invitation", token=token)


def _sector_names() -> dict[str, str]:
    """Each VSIC section's name in the reader's language, by code."""
    english = current_language() == "en"
    sectors = db.session.scalars(select(Sector).order_by(Sector.code))
    return {s.code: s.name_en if english else s.name_vi for s in sectors}


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
    rows = invitations.listing(db.session, wave, per_page, (page - 1) * per_page)
    firms = [row.enterprise_id for row in rows]
    return render_template(
        "staff/invitations.html",
        wave=wave,
        waves=db.session.scalars(select(Wave).order_by(Wave.opens_at.desc())).all(),
        counts=counts,
        total=total,
        rates={by: invitations.rates(db.session, wave, by) for by in ("area", "sector", "unit")},
        rows=rows,
        mail_counts=mailouts.message_counts(db.session, wave),
        mail_of=mailouts.last_messages(db.session, wave, firms),
        opted_out=mailouts.opted_out_among(db.session, firms),
        mailouts=mailouts.mailouts(db.session, wave)[:10],
        per_day=[
            (day, format_date(day, "short"), n) for day, n in mailouts.submissions_per_day(db.session, wave)
        ],
        page=page,
        pages=pages,
        units=db.session.execute(select(AdminUnit.code, AdminUnit.name_vi).order_by(AdminUnit.name_vi)).all(),
        areas=sorted(set(db.session.scalars(select(AdminUnit.former_area)))),
        sector_names=_sector_names(),
        confirm=ConfirmForm(),
    )


def _filters(values: Mapping) -> dict:
    """The register filters of an issue: unit, former area and sector (survey.reports.filters)."""
    try:
        return report_filters.parse(values, db.session, names=invitations.FILTERS)
    except report_filters.BadFilter as exc:
        abort(400, description=str(exc))


def _include_submitted(values: Mapping) -> bool:
    value = values.get(INCLUDE_SUBMITTED, "")
    if value not in ("", "1"):
        abort(400, description=f"{INCLUDE_SUBMITTED} is 1 or absent")
    return value == "1"


def _issue_page(wave: Wave, filters: dict, include_submitted: bool, changed_from: int | None = None):
    """The confirmation page: what issuing would do now, and the form that does it."""
    preview = invitations.preview(db.session, wave, filters, include_submitted)
    unit = filters.get("unit")
    sector = filters.get("sector")
    return render_template(
        "staff/invitations_issue.html",
        wave=wave,
        filters=filters,
        unit_name=unit and db.session.scalar(select(AdminUnit.name_vi).where(AdminUnit.code == unit)),
        sector_name=sector and _sector_names().get(sector),
        include_submitted=include_submitted,
        preview=preview,
        changed_from=changed_from,
        confirm=ConfirmForm(),
    ), (200 if changed_from is None else 409)


@bp.get("/invitations/<int:wave_id>/issue", endpoint="confirm_issue_invitations")
@requires(Role.ANALYST)
def confirm_issue_invitations(wave_id: int):
    """How many links an issue would create, for which filter; creates nothing."""
    wave = get_or_404(Wave, wave_id)
    return _issue_page(wave, _filters(request.args), _include_submitted(request.args))


def _seen_count() -> int | None:
    """The count the confirmation page showed (None if the POST does not say)."""
    value = request.form.get("count", "")
    if value == "":
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        abort(400, description="count must be a whole number")
    return int(value)


@bp.post("/invitations/<int:wave_id>/issue")
@work.writes
@requires(Role.ANALYST)
def issue_invitations(wave_id: int):
    wave = get_or_404(Wave, wave_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    filters = _filters(request.form)
    include_submitted = _include_submitted(request.form)
    seen = _seen_count()
    if seen is not None:
        # The register or the links changed since the officer confirmed: show the new
        # count and ask again, rather than create a number of links nobody agreed to.
        # (Read under the wave's lock that issuing takes, so the count cannot move between.)
        invitations.lock_wave(db.session, wave.id)
        now = invitations.preview(db.session, wave, filters, include_submitted).count
        if now != seen:
            return _issue_page(wave, filters, include_submitted, changed_from=seen)
    personal_ids = can_see_personal_ids()
    links = invitations.issue(
        db.session,
        wave,
        filters,
        current_user.id,
        personal_ids=personal_ids,
        include_submitted=include_submitted,
    )
    workbook = invitations.links_workbook(links, _link, personal_ids=personal_ids, erased=_("(erased)"))
    return send_file(
        BytesIO(workbook), mimetype=XLSX, as_attachment=True, download_name=f"invitations-wave-{wave.id}.xlsx"
    )


def _already_replaced(invitation: Invitation):
    db.session.rollback()
    return render_template("staff/invitation_replaced.html", invitation=invitation), 409


def _invitation(invitation_id: int) -> Invitation:
    return get_or_404(Invitation, invitation_id)


def _confirm_page(invitation: Invitation, action: str):
    """The page that asks before ``action`` (revoke or reissue) is done to a live link."""
    if invitation.revoked_at is not None:
        return render_template("staff/invitation_replaced.html", invitation=invitation), 409
    return render_template(
        "staff/invitations_confirm.html",
        invitation=invitation,
        action=action,
        status=invitations.status_of(db.session, invitation),
        confirm=ConfirmForm(),
    )


@bp.get("/invitations/link/<int:invitation_id>/revoke", endpoint="confirm_revoke_invitation")
@requires(Role.ANALYST)
def confirm_revoke_invitation(invitation_id: int):
    return _confirm_page(_invitation(invitation_id), "revoke")


@bp.get("/invitations/link/<int:invitation_id>/reissue", endpoint="confirm_reissue_invitation")
@requires(Role.ANALYST)
def confirm_reissue_invitation(invitation_id: int):
    return _confirm_page(_invitation(invitation_id), "reissue")


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


# The mail-outs' views, and the public unsubscribe page every mail links to, register here.
from survey.staff import views_invitation_mail, views_invitation_optout  # noqa: E402, F401
