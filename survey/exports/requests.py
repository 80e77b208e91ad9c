"""Asking for an export: what may be asked, by whom, how many at once. Flushes, never commits.

The staff page parses its form and calls ``request_export``; everything the request must
satisfy is decided here: the kinds and options, that only a role which sees contact data
asks for the responses workbook (and whether it carries the contacts), the per-user cap
on pending jobs, the job itself with its audit line, and starting it once the request's
unit has committed (``work.after_commit``).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from survey import audit, work
from survey.exports import jobs
from survey.models import ExportJob, Role, StaffUser, Wave

KINDS = ("responses", "summary")
LABELS = ("codes", "labels")
LANGUAGES = ("vi", "en")


class RequestRefused(ValueError):
    """An export request that cannot be taken; ``status`` is the HTTP answer to give."""

    status = 400


class NotAllowed(RequestRefused):
    """The user's role may not have this export."""

    status = 403


class TooMany(RequestRefused):
    """The user has as many exports pending as allowed."""

    status = 429


def sees_contacts(user) -> bool:
    """Who sees (and exports) personal contact data: analysts and admins, never viewers."""
    return bool(user is not None and user.is_authenticated and user.has_role(Role.ANALYST))


def sees_personal_ids(user) -> bool:
    """Who sees a household's personal ID in full (Law 91/2025/QH15): admins, who keep the
    register and verify identities. Everyone else sees it masked, in pages and exports."""
    return bool(user is not None and user.is_authenticated and user.has_role(Role.ADMIN))


def check_kind(user: StaffUser, kind: str) -> None:
    """Refuse an unknown kind, and the responses workbook to a viewer (it holds personal data)."""
    if kind not in KINDS:
        raise RequestRefused("kind must be responses or summary")
    if kind == "responses" and not sees_contacts(user):
        raise NotAllowed(kind)


def request_export(
    session: Session,
    user: StaffUser,
    kind: str,
    wave: Wave | None,
    filters: dict,
    labels: str = "codes",
    lang: str = "vi",
) -> ExportJob:
    """Queue an export of ``wave`` for ``user`` (``filters`` as survey.reports.filters parses them)."""
    check_kind(user, kind)
    if wave is None:
        raise RequestRefused("unknown wave")
    if labels not in LABELS or lang not in LANGUAGES:
        raise RequestRefused("labels must be codes or labels, lang vi or en")
    jobs.forget_old()
    if not jobs.has_room(session, user):
        raise TooMany(
            _(
                "You already have %(count)d exports in preparation. Please wait until one is "
                "ready before you ask for another.",
                count=current_app.config["EXPORT_MAX_PENDING_PER_USER"],
            )
        )
    contacts = sees_contacts(user)
    personal_ids = kind == "responses" and sees_personal_ids(user)
    job = ExportJob(
        kind=kind,
        wave_id=wave.id,
        params={
            "filters": filters,
            "labels": labels,
            "lang": lang,
            "contacts": contacts,
            "personal_ids": personal_ids,
        },
        requested_by_id=user.id,
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        f"export.{kind}",
        job,
        wave_id=wave.id,
        filters=filters,
        contacts=contacts,
        personal_ids=personal_ids,
        actor_id=user.id,
    )
    job_id = job.id
    work.after_commit(lambda: jobs.start(job_id))
    return job
