"""Exports requested from the dashboard: the job, its page, the download, who may have it."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey import frameworks
from survey.models import AuditEvent, ExportJob, JobState, Response, Role
from tests import factories
from tests.staff.conftest import log_in, make_staff

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)


@pytest.fixture
def wave(db):
    wave = factories.wave(name="Đợt xuất")
    for index in range(7):
        firm = factories.enterprise(
            sector_code="C" if index < 5 else "G", contact_email=f"c{index}@example.vn"
        )
        factories.response(
            wave, firm, factories.answers_at(FRAMEWORK, index / 6), contact_email=firm.contact_email
        )
    factories.response(wave, factories.enterprise(), {}, submit=False)
    db.session.commit()
    return wave


def request_export(client, wave, kind, **fields):
    token = client.csrf_token(f"/staff/dashboard?wave={wave.id}")
    return client.post("/staff/exports", data={"csrf_token": token, "wave": wave.id, "kind": kind, **fields})


def download(client, response):
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-state="done"' in page
    link = re.search(r'href="([^"]+)" data-testid="download"', page).group(1)
    file = client.get(link)
    assert file.status_code == 200
    data = file.data
    file.close()
    return load_workbook(BytesIO(data))


def test_responses_export_has_every_row_of_the_filter(client, db, as_role, wave):
    as_role(Role.ANALYST)
    book = download(client, request_export(client, wave, "responses", sector="C"))
    rows = list(book["Responses"].iter_rows(values_only=True))
    expected = db.session.scalar(
        select(func.count()).select_from(Response).filter_by(wave_id=wave.id, sector_code="C")
    )
    assert len(rows) - 1 == expected == 6  # five submitted and the draft
    assert any("c0@example.vn" in (str(v) for v in row) for row in rows)
    job = db.session.scalar(select(ExportJob))
    assert job.state is JobState.DONE and job.rows_done == expected
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("export.%"))).all()
    assert sorted(actions) == ["export.downloaded", "export.responses"]


def test_viewers_get_the_summary_but_not_the_responses(client, db, as_role, wave):
    as_role(Role.VIEWER)
    assert request_export(client, wave, "responses").status_code == 403
    book = download(client, request_export(client, wave, "summary"))
    assert "Overview" in book.sheetnames


def test_a_job_is_only_for_who_asked(app, client, db, as_role, wave):
    as_role(Role.ANALYST)
    response = request_export(client, wave, "responses")
    status_url = response.headers["Location"]
    job = db.session.scalar(select(ExportJob))
    other = app.test_client()
    make_staff(db, Role.ANALYST, email="other.analyst@staff.example.org")
    log_in(other, "other.analyst@staff.example.org")
    assert other.get(status_url).status_code == 404
    assert other.get(f"/staff/exports/{job.id}/download").status_code == 404


def test_bad_export_requests_are_refused(client, db, as_role, wave):
    as_role(Role.ANALYST)
    assert request_export(client, wave, "everything").status_code == 400
    assert request_export(client, wave, "responses", sector="ZZ").status_code == 400
    assert request_export(client, wave, "responses", labels="sql").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0


def test_stale_jobs_are_failed_and_old_files_removed(app, db, wave):
    from datetime import timedelta

    from survey.exports import jobs
    from survey.models.base import utcnow

    user = make_staff(db, Role.ANALYST, email="stale@staff.example.org")
    most = app.config["JOBS_MAX_ATTEMPTS"]
    # A job whose worker died in its last allowed attempt is failed; one with attempts
    # left is queued again (for a worker; nothing runs it here, outside a unit).
    job = ExportJob(
        kind="responses", wave_id=wave.id, requested_by_id=user.id, state=JobState.RUNNING, attempts=most
    )
    again = ExportJob(
        kind="responses", wave_id=wave.id, requested_by_id=user.id, state=JobState.RUNNING, attempts=1
    )
    alive = ExportJob(
        kind="responses", wave_id=wave.id, requested_by_id=user.id, state=JobState.RUNNING, attempts=1
    )
    db.session.add_all([job, again, alive])
    db.session.flush()
    job.updated_at = again.updated_at = utcnow() - timedelta(hours=2)
    job.heartbeat_at = again.heartbeat_at = utcnow() - timedelta(hours=2)
    alive.heartbeat_at = utcnow()
    old_file = jobs.folder(app) / "0-old.xlsx"
    old_file.write_bytes(b"old")
    import os

    os.utime(old_file, (0, 0))
    db.session.flush()
    jobs.forget_old(app)
    db.session.expire_all()
    assert job.state is JobState.FAILED and "restarted" in job.error
    assert again.state is JobState.QUEUED and again.worker is None
    assert alive.state is JobState.RUNNING
    assert not old_file.exists()
