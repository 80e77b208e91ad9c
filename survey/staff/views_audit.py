"""The audit log, read-only, in words: filter by action, object, actor and date.

The filters are lists to choose from (the actions and objects the log knows, by their
names; the staff accounts), never codes to type; a value not on a list (an old link, a
hand-made address) simply matches nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from survey import labels
from survey.extensions import db
from survey.i18n import current_language
from survey.models import AuditEvent, Role, StaffUser
from survey.staff.access import requires
from survey.staff.audit_words import Names, describe
from survey.staff.blueprint import bp
from survey.timezone import LOCAL


def _choices(kind: str) -> list[tuple[str, str]]:
    """A filter's (code, name) options, by name in the reader's language."""
    return sorted(labels.choices(kind), key=lambda choice: choice[1].casefold())


@bp.get("/audit")
@requires(Role.ADMIN)
def audit_log():
    stmt = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    count = select(func.count()).select_from(AuditEvent)
    args = request.args
    conditions = []
    if args.get("action"):
        conditions.append(AuditEvent.action == args["action"][:60])
    if args.get("actor"):
        conditions.append(
            AuditEvent.actor_id.in_(
                select(StaffUser.id).where(StaffUser.email == args["actor"].strip().lower()[:254])
            )
        )
    if args.get("object_type"):
        conditions.append(AuditEvent.object_type == args["object_type"][:40])
    if args.get("object_id"):
        conditions.append(AuditEvent.object_id == args["object_id"][:60])
    for name, op in (("from", "ge"), ("to", "lt")):
        if args.get(name):
            try:
                day = datetime.strptime(args[name], "%Y-%m-%d").replace(tzinfo=LOCAL)
            except ValueError:
                abort(400, description=_("Dates are written as year-month-day, e.g. 2025-07-01."))
            if op == "lt":
                day += timedelta(days=1)
            conditions.append(AuditEvent.occurred_at >= day if op == "ge" else AuditEvent.occurred_at < day)
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        abort(400, description=_("The page number must be a whole number."))
    per_page = current_app.config["PER_PAGE"]
    total = db.session.scalar(count.where(*conditions))
    pages = max(1, -(-total // per_page))
    page = min(page, pages)  # past the end is the last page, as in the list of responses
    events = db.session.scalars(stmt.where(*conditions).limit(per_page).offset((page - 1) * per_page)).all()
    names = Names.for_events(db.session, events, english=current_language() == "en")
    return render_template(
        "staff/audit.html",
        events=[(event, describe(event, event.details or {}, names)) for event in events],
        total=total,
        page=page,
        pages=pages,
        actions=_choices("audit_action"),
        objects=_choices("audit_object"),
        actors=[
            (email, email) for email in db.session.scalars(select(StaffUser.email).order_by(StaffUser.email))
        ],
    )
