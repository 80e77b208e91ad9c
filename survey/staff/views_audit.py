"""The audit log, read-only: filter by action, actor, object and date."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, current_app, render_template, request
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, Role, StaffUser
from survey.staff.access import requires
from survey.staff.blueprint import bp
from survey.timezone import LOCAL


@bp.get("/audit")
@requires(Role.ADMIN)
def audit_log():
    stmt = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    count = select(func.count()).select_from(AuditEvent)
    args = request.args
    conditions = []
    if args.get("action"):
        conditions.append(AuditEvent.action.startswith(args["action"][:60], autoescape=True))
    if args.get("actor"):
        conditions.append(
            AuditEvent.actor_id.in_(
                select(StaffUser.id).where(StaffUser.email == args["actor"].strip().lower())
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
                abort(400, description="dates are YYYY-MM-DD")
            if op == "lt":
                day += timedelta(days=1)
            conditions.append(AuditEvent.occurred_at >= day if op == "ge" else AuditEvent.occurred_at < day)
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        abort(400, description="page must be a number")
    per_page = current_app.config["PER_PAGE"]
    total = db.session.scalar(count.where(*conditions))
    pages = max(1, -(-total // per_page))
    page = min(page, pages)  # past the end is the last page, as in the list of responses
    events = db.session.scalars(stmt.where(*conditions).limit(per_page).offset((page - 1) * per_page)).all()
    return render_template("staff/audit.html", events=events, total=total, page=page, pages=pages)
