"""Asking for an export is one service (survey/exports/requests.py): kinds and options, the
contacts policy, the per-user cap and the audited job, whoever calls it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.exports import requests
from survey.models import AuditEvent, ExportJob, JobState, Role
from tests import factories
from tests.staff.conftest import make_staff


def _jobs(db) -> int:
    return db.session.scalar(select(func.count()).select_from(ExportJob))


def test_a_viewer_gets_the_summary_without_contacts_and_never_the_responses(app, db):
    viewer = make_staff(db, Role.VIEWER)
    wave = factories.wave()
    with app.test_request_context():
        with pytest.raises(requests.NotAllowed):
            requests.request_export(db.session, viewer, "responses", wave, {})
        job = requests.request_export(db.session, viewer, "summary", wave, {})
    assert job.params["contacts"] is False
    assert _jobs(db) == 1


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_analysts_and_admins_export_the_responses_with_contacts(app, db, role):
    user = make_staff(db, role)
    wave = factories.wave()
    with app.test_request_context():
        job = requests.request_export(
            db.session, user, "responses", wave, {"unit": ["x"]}, labels="labels", lang="en"
        )
    full = role is Role.ADMIN  # only admins export personal IDs in full
    assert job.params == {
        "filters": {"unit": ["x"]},
        "labels": "labels",
        "lang": "en",
        "contacts": True,
        "personal_ids": full,
    }
    event = db.session.scalar(select(AuditEvent).filter_by(action="export.responses"))
    assert event.actor_id == user.id and event.object_id == str(job.id)
    assert event.details["contacts"] is True and event.details["wave_id"] == wave.id
    assert event.details["personal_ids"] is full


@pytest.mark.parametrize(
    ("kind", "labels", "lang"),
    [("everything", "codes", "vi"), ("summary", "names", "vi"), ("summary", "codes", "fr")],
)
def test_unknown_kinds_and_options_are_refused(app, db, kind, labels, lang):
    analyst = make_staff(db, Role.ANALYST)
    wave = factories.wave()
    with app.test_request_context(), pytest.raises(requests.RequestRefused) as refused:
        requests.request_export(db.session, analyst, kind, wave, {}, labels=labels, lang=lang)
    assert refused.value.status == 400
    assert _jobs(db) == 0


def test_the_pending_cap_is_the_services_own(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_MAX_PENDING_PER_USER", 2)
    analyst = make_staff(db, Role.ANALYST)
    wave = factories.wave()
    with app.test_request_context():
        for _ in range(2):
            requests.request_export(db.session, analyst, "summary", wave, {})
        with pytest.raises(requests.TooMany) as refused:
            requests.request_export(db.session, analyst, "summary", wave, {})
        assert refused.value.status == 429
        # A finished job no longer counts.
        db.session.scalars(select(ExportJob)).first().state = JobState.DONE
        requests.request_export(db.session, analyst, "summary", wave, {})
    assert _jobs(db) == 3
