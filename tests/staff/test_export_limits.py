"""Export jobs: a cap per user, and the role checked again when the file is taken (issue 21)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey import frameworks
from survey.models import ExportJob, JobState, Role
from tests import factories
from tests.staff.conftest import log_in, make_staff

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)


@pytest.fixture
def wave(db):
    wave = factories.wave(name="Đợt giới hạn")
    firm = factories.enterprise(contact_email="giamdoc@example.vn")
    factories.response(wave, firm, factories.answers_at(FRAMEWORK, 0.5), contact_email=firm.contact_email)
    db.session.commit()
    return wave


def request_export(client, wave, kind="summary"):
    token = client.csrf_token(f"/staff/dashboard?wave={wave.id}")
    return client.post(
        "/staff/exports",
        data={"csrf_token": token, "wave": wave.id, "kind": kind},
        headers={"Accept-Language": "en"},
    )


def pending_job(db, wave, user, state=JobState.QUEUED) -> ExportJob:
    job = ExportJob(kind="summary", wave_id=wave.id, params={}, requested_by_id=user.id, state=state)
    db.session.add(job)
    db.session.commit()
    return job


def jobs_of(db, user) -> int:
    return db.session.scalar(select(func.count()).select_from(ExportJob).filter_by(requested_by_id=user.id))


def test_a_user_may_have_only_so_many_exports_pending(app, client, db, as_role, wave):
    viewer = as_role(Role.VIEWER)
    assert app.config["EXPORT_MAX_PENDING_PER_USER"] == 3
    other = make_staff(db, Role.VIEWER, email="someone.else@staff.example.org")
    for _ in range(3):
        pending_job(db, wave, other)  # another user's jobs are not this one's
    pending_job(db, wave, viewer, JobState.DONE)  # finished ones do not count
    pending_job(db, wave, viewer, JobState.FAILED)
    pending_job(db, wave, viewer, JobState.RUNNING)
    pending_job(db, wave, viewer)
    assert request_export(client, wave).status_code == 303  # the third pending one
    pending_job(db, wave, viewer)
    before = jobs_of(db, viewer)
    refused = request_export(client, wave)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "You already have 3 exports in preparation" in page and "flash-error" in page
    assert jobs_of(db, viewer) == before


def test_the_cap_is_a_setting(own_app, wave, db):
    assert own_app(EXPORT_MAX_PENDING_PER_USER=10).config["EXPORT_MAX_PENDING_PER_USER"] == 10


def download_link(client, response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"] + "/download"


def test_a_demoted_analyst_cannot_take_an_export_with_contacts(client, db, as_role, wave):
    analyst = as_role(Role.ANALYST)
    responses_link = download_link(client, request_export(client, wave, "responses"))
    summary_link = download_link(client, request_export(client, wave, "summary"))
    job = db.session.scalars(select(ExportJob).filter_by(kind="responses")).one()
    assert job.params["contacts"] is True
    first = client.get(responses_link)
    assert first.status_code == 200
    first.close()

    analyst.role = Role.VIEWER  # an administrator takes the role away
    db.session.commit()
    assert client.get(responses_link).status_code == 403
    # What the role still allows stays available.
    summary = client.get(summary_link)
    assert summary.status_code == 200
    summary.close()


def test_only_the_owner_or_an_admin_takes_the_file(app, client, db, as_role, wave):
    as_role(Role.ANALYST)
    link = download_link(client, request_export(client, wave, "responses"))
    colleague = app.test_client()
    make_staff(db, Role.ANALYST, email="colleague.analyst@staff.example.org")
    assert log_in(colleague, "colleague.analyst@staff.example.org").status_code == 302
    assert colleague.get(link).status_code == 404
    boss = app.test_client()
    make_staff(db, Role.ADMIN, email="boss@staff.example.org")
    assert log_in(boss, "boss@staff.example.org").status_code == 302
    file = boss.get(link)
    assert file.status_code == 200
    file.close()
