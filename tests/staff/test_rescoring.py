"""Re-scoring a wave under a corrected scoring version of the same questions."""

from __future__ import annotations

import copy
from datetime import timedelta

import yaml
from sqlalchemy import func, select

from survey import jobs
from survey.frameworks import FOLDER
from survey.models import (
    AuditEvent,
    FrameworkVersion,
    JobState,
    RescoreRun,
    Response,
    ResponseState,
    ReviewState,
    Role,
    Task,
    TaskKind,
)
from survey.models.base import utcnow
from survey.responses import rescoring
from tests import factories
from tests.scoring._support import zero_v2
from tests.staff.conftest import make_staff

#: The corrected bands a future version might publish: strictly above 0/10/20/30/40 %.
CORRECTED = [{"points": p, "percent": e} for p, e in zip(range(1, 6), (0, 10, 20, 30, 40), strict=True)]


def _v3(db, questions_changed: bool = False) -> FrameworkVersion:
    raw = yaml.safe_load((FOLDER / "dbi-2021-sme.v2.yaml").read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    raw["version"], raw["rescores"] = 3, 2
    for pillar in raw["pillars"]:
        for component in pillar["components"]:
            for criterion in component["criteria"]:
                if criterion["kind"] == "figure":
                    criterion["bands"] = CORRECTED
                    criterion["provisional"] = False
    if questions_changed:
        raw["pillars"][0]["components"][0]["criteria"][0]["options"].pop()
        raw["pillars"][0]["components"][0]["criteria"][0]["options"][-1]["points"] = 5
    return factories.record_framework(raw)


def _wave(db):
    wave = factories.wave(framework_version=factories.framework_version(2))
    # 15 of 100 is 1 point today (above 0 %) and 2 points under the corrected bands (above 10 %).
    low = factories.response(wave, answers=zero_v2(**{"1.1.3": {"value": "15", "of": "100"}}))
    # Every figure at 35 %: 2 points today, 4 corrected; with the level answers at 3 of 5.
    mid_answers = zero_v2()
    for code, answer in list(mid_answers.items()):
        if isinstance(answer, dict):
            answer["value"] = "35"
        elif code not in ("staff_total", "revenue_3m", "5.2.4"):
            mid_answers[code] = "3"
    mid = factories.response(wave, answers=mid_answers)
    draft = factories.response(wave, answers=zero_v2(), submit=False)
    rejected = factories.response(wave, answers=zero_v2(), review_state=ReviewState.REJECTED)
    return wave, low, mid, draft, rejected


def test_only_versions_that_rescore_the_same_questions_are_offered(db):
    wave, *_ = _wave(db)
    v3 = _v3(db)
    assert rescoring.candidates(db.session, wave) == [v3]


def test_a_version_with_other_questions_is_not_offered(db):
    wave, *_ = _wave(db)
    _v3(db, questions_changed=True)
    assert rescoring.candidates(db.session, wave) == []


def test_rescoring_a_wave_recomputes_every_scorecard_and_keeps_the_table(client, db, as_role):
    wave, low, mid, draft, rejected = _wave(db)
    v3 = _v3(db)
    # Hand-worked: low 1 -> 2 points. mid: descriptor 3 of the 33 level criteria is 3 points
    # for 29 of them, 5 for 1.2.1-1.2.3 (scored 1/3/5) and 15 for 2.1.1 (5 x 3); 5.2.4 is 0;
    # its 26 figures at 35 % are 2 points each today and 4 under the corrected bands.
    level_points = 29 * 3 + 3 * 5 + 15
    assert (low.total_points, mid.total_points) == (1, level_points + 26 * 2)
    answers_before = {r.id: copy.deepcopy(r.answers) for r in (low, mid, draft, rejected)}
    ids = {"low": low.id, "mid": mid.id, "draft": draft.id}
    levels_before = {n: db.session.get(Response, i).overall_level for n, i in ids.items()}
    admin = as_role(Role.ADMIN)
    page = client.get(f"/staff/waves/{wave.id}/rescore").get_data(as_text=True)
    assert f'value="{v3.id}"' in page
    token = client.csrf_token(f"/staff/waves/{wave.id}/rescore")
    result = client.post(f"/staff/waves/{wave.id}/rescore", data={"csrf_token": token, "version": str(v3.id)})
    # A task on the queue (run at once here, JOBS_INLINE); its page leads to the run's table.
    assert result.status_code == 303 and "/staff/tasks/" in result.location
    task = db.session.scalar(select(Task))
    assert (task.kind, task.state, task.requested_by_id) == (TaskKind.WAVE_RESCORE, JobState.DONE, admin.id)
    done = client.get(result.location, headers={"Accept-Language": "en"})
    run_id = db.session.scalar(select(RescoreRun.id))
    assert done.status_code == 302 and done.location.endswith(f"/staff/rescore-runs/{run_id}")
    shown = client.get(done.location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "3 responses checked" in shown
    db.session.expire_all()
    low, mid, draft = (db.session.get(Response, i) for i in ids.values())
    assert low.wave.framework_version_id == v3.id
    assert low.total_points == 2
    assert mid.total_points == level_points + 26 * 4
    assert draft.scored_at is None and draft.state is ResponseState.DRAFT
    for response in (low, mid, draft, db.session.get(Response, rejected.id)):
        assert response.answers == answers_before[response.id]
    events = db.session.scalars(select(AuditEvent).filter_by(action="wave.rescored")).all()
    assert len(events) == 1 and events[0].actor_id == admin.id
    assert events[0].details["after"] == {"framework_version": "dbi-2021-sme v3"}
    run = db.session.scalar(select(RescoreRun))
    # Three submitted (the rejected one too: its scorecard is kept right), two changed.
    assert (run.checked, run.changed) == (3, 2)
    assert run.moved == sum(
        levels_before[n] != r.overall_level for n, r in zip(ids, (low, mid, draft), strict=True)
    )
    # The figures count the two counted responses (the rejected one and the draft are not).
    assert run.before["n"] == run.after["n"] == 2
    assert run.before["levels"][str(levels_before["mid"])] >= 1
    assert run.after["levels"][str(mid.overall_level)] >= 1
    assert run.before["version"] == 2 and run.after["version"] == 3
    table = client.get(f"/staff/rescore-runs/{run.id}").get_data(as_text=True)
    assert 'data-testid="rescore-table"' in table and "dbi-2021-sme v3" in table


def test_a_version_that_does_not_rescore_is_refused_and_nothing_changes(client, db, as_role):
    wave, low, *_ = _wave(db)
    v1 = factories.framework_version(1)
    as_role(Role.ADMIN)
    token = client.csrf_token(f"/staff/waves/{wave.id}/rescore")
    result = client.post(f"/staff/waves/{wave.id}/rescore", data={"csrf_token": token, "version": str(v1.id)})
    assert result.status_code == 400
    db.session.expire_all()
    assert db.session.get(Response, low.id).wave.framework_version.version == 2
    assert db.session.scalar(select(func.count()).select_from(RescoreRun)) == 0


def test_a_rescoring_under_way_is_shown_and_not_queued_twice(client, db, as_role):
    wave, *_ = _wave(db)
    v3 = _v3(db)
    admin = as_role(Role.ADMIN)
    waiting = Task(
        kind=TaskKind.WAVE_RESCORE, params={"wave_id": wave.id, "version_id": v3.id}, requested_by_id=admin.id
    )
    db.session.add(waiting)
    db.session.commit()
    page = client.get(f"/staff/waves/{wave.id}/rescore").get_data(as_text=True)
    assert 'data-testid="rescore-pending"' in page and f"/staff/tasks/{waiting.id}" in page
    token = client.csrf_token(f"/staff/waves/{wave.id}/rescore")
    again = client.post(f"/staff/waves/{wave.id}/rescore", data={"csrf_token": token, "version": str(v3.id)})
    assert again.status_code == 303 and again.location.endswith(f"/staff/tasks/{waiting.id}")
    assert db.session.scalar(select(func.count()).select_from(Task)) == 1
    status = client.get(again.location)
    assert status.status_code == 200 and 'data-state="queued"' in status.get_data(as_text=True)
    assert client.get(again.location, headers={"Accept": "application/json"}).json["state"] == "queued"


def test_a_task_is_its_requesters_only(client, db, as_role):
    wave, *_ = _wave(db)
    other = make_staff(db, Role.ADMIN, email="other.admin@staff.example.org")
    as_role(Role.ADMIN)
    task = Task(kind=TaskKind.WAVE_RESCORE, params={"wave_id": wave.id}, requested_by_id=other.id)
    db.session.add(task)
    db.session.commit()
    assert client.get(f"/staff/tasks/{task.id}").status_code == 404


def test_a_rescoring_whose_worker_died_is_run_again_by_the_sweep(app, client, db, as_role):
    wave, low, *_ = _wave(db)
    v3 = _v3(db)
    admin = as_role(Role.ADMIN)
    stale = utcnow() - timedelta(seconds=app.config["JOBS_STALE_SECONDS"] + 1)
    task = Task(
        kind=TaskKind.WAVE_RESCORE,
        params={"wave_id": wave.id, "version_id": v3.id},
        requested_by_id=admin.id,
        state=JobState.RUNNING,
        attempts=1,
        worker="gone:1:1",
        heartbeat_at=stale,
        updated_at=stale,
    )
    db.session.add(task)
    db.session.commit()
    jobs.sweep(app)  # what every worker does at start and each minute; inline, it runs at once
    db.session.expire_all()
    assert (task.state, task.attempts) == (JobState.DONE, 2)
    assert db.session.get(Response, low.id).wave.framework_version_id == v3.id
    assert db.session.scalar(select(func.count()).select_from(RescoreRun)) == 1


def test_a_rescoring_that_fails_rolls_back_and_says_so(client, db, as_role, monkeypatch):
    wave, low, *_ = _wave(db)
    v3 = _v3(db)
    as_role(Role.ADMIN)

    def broken(*args, **kwargs):
        raise RuntimeError("the scorer broke")

    monkeypatch.setattr(rescoring, "recompute_wave", broken)
    token = client.csrf_token(f"/staff/waves/{wave.id}/rescore")
    result = client.post(f"/staff/waves/{wave.id}/rescore", data={"csrf_token": token, "version": str(v3.id)})
    task = db.session.scalar(select(Task))
    assert (task.state, task.error) == (JobState.FAILED, "RuntimeError: the scorer broke")
    page = client.get(result.location).get_data(as_text=True)
    assert 'data-state="failed"' in page and "the scorer broke" not in page
    db.session.expire_all()
    assert db.session.get(Response, low.id).wave.framework_version.version == 2  # rolled back
    assert db.session.scalar(select(func.count()).select_from(RescoreRun)) == 0


def test_only_admins_rescore(client, db, as_role):
    wave, *_ = _wave(db)
    v3 = _v3(db)
    as_role(Role.ANALYST)
    assert client.get(f"/staff/waves/{wave.id}/rescore").status_code == 403
    result = client.post(f"/staff/waves/{wave.id}/rescore", data={"version": str(v3.id)})
    assert result.status_code in (400, 403)
    assert db.session.scalar(select(func.count()).select_from(RescoreRun)) == 0
