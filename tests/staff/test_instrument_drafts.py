"""Staff load an instrument workbook as a draft, compare, preview, simulate, publish, delete."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from survey import frameworks
from survey import waves as waves_service
from survey.instruments import export_packaged
from survey.models import AuditEvent, FrameworkVersion, InstrumentDraft, ModuleVersion, Role
from survey.scoring import scorer_for
from tests.respondent.helpers import pillar_answers
from tests.staff.conftest import log_in, make_staff

V2 = frameworks.load("dbi-2021-sme", 2)


def _edited(code: str, version: int, new_version: int, reword: tuple[str, str] | None = None) -> bytes:
    """The packaged workbook of ``code`` v``version`` renumbered (and one label reworded)."""
    book = load_workbook(BytesIO(export_packaged(code, version)))
    settings = book["settings"]
    header = [c.value for c in settings[1]]
    settings.cell(row=2, column=header.index("version") + 1, value=new_version)
    if reword is not None:
        name, text = reword
        sheet = book["survey"]
        header = [c.value for c in sheet[1]]
        label = header.index("label::Tiếng Việt (vi)") + 1
        names = header.index("name") + 1
        rows = [r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=names).value == name]
        assert rows, name
        sheet.cell(row=rows[0], column=label, value=text)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name: str = "dbi.xlsx"):
    token = client.csrf_token("/staff/instruments")
    return client.post(
        "/staff/instruments",
        data={"csrf_token": token, "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def admin_client(client, db):
    user = make_staff(db, Role.ADMIN, email="instruments.admin@staff.example.org")
    assert log_in(client, user.email).status_code == 302
    return client


def _first_criterion_name() -> str:
    # The survey sheet names a criterion by its code made an XML name (dots to underscores).
    from survey.instruments.layout import xml_name

    return xml_name(V2.pillars[0].criteria[0].code)


def test_a_new_version_loads_as_a_draft_with_its_changes_and_is_audited(admin_client, db):
    reworded = "Doanh nghiệp cập nhật website của mình thường xuyên đến mức nào?"
    response = _upload(admin_client, _edited("dbi-2021-sme", 2, 3, (_first_criterion_name(), reworded)))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    draft = db.session.scalars(select(InstrumentDraft)).one()
    assert (draft.kind, draft.code, draft.version) == ("framework", "dbi-2021-sme", 3)
    event = db.session.scalars(select(AuditEvent).filter_by(action="instrument.draft_imported")).one()
    assert event.details["after"]["content_hash"] == draft.content_hash
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Compared with version 2" in page or "So với phiên bản 2" in page
    code = V2.pillars[0].criteria[0].code
    assert f'data-change="reworded" data-code="{code}"' in page
    assert reworded in page
    # Only that criterion changed.
    assert page.count("data-change=") == 1


def test_the_published_version_again_is_refused_and_nothing_is_written(admin_client, db):
    response = _upload(admin_client, export_packaged("dbi-2021-sme", 2))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "never changes" in page or "không bao giờ thay đổi" in page
    assert _count(db, InstrumentDraft) == 0
    assert (
        _count(db, AuditEvent) == 0
        or not db.session.scalars(select(AuditEvent).filter_by(action="instrument.draft_imported")).first()
    )


def test_a_broken_workbook_lists_every_problem_by_sheet_row_and_column(admin_client, db):
    book = load_workbook(BytesIO(_edited("dbi-2021-sme", 2, 3)))
    sheet = book["survey"]
    header = [c.value for c in sheet[1]]
    types = header.index("type") + 1
    row = next(
        r
        for r in range(2, sheet.max_row + 1)
        if str(sheet.cell(row=r, column=types).value).startswith("select_one c")
    )
    sheet.cell(row=row, column=types, value="select_one no_such_list")
    out = BytesIO()
    book.save(out)
    response = _upload(admin_client, out.getvalue())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'data-testid="instrument-problems"' in page
    assert (
        f"<td>survey</td><td>{row}</td><td>type</td><td>Trang choices không có danh sách no_such_list.</td>"
        in page
    )
    assert _count(db, InstrumentDraft) == 0


def test_not_an_xlsx_is_refused_in_the_staff_language(admin_client, db):
    response = _upload(admin_client, b"code,version\n", "dbi.csv")
    assert response.status_code == 400
    assert "Tệp này không phải là bảng tính .xlsx." in response.get_data(as_text=True)
    assert _count(db, InstrumentDraft) == 0


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER])
def test_only_admins_reach_the_instruments(client, db, role):
    user = make_staff(db, role, email=f"{role.value}.instruments@staff.example.org")
    log_in(client, user.email)
    assert client.get("/staff/instruments").status_code == 403
    token = client.csrf_token("/staff/")
    response = client.post(
        "/staff/instruments",
        data={"csrf_token": token, "file": (BytesIO(export_packaged("dbi-2021-sme", 2)), "x.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert _count(db, InstrumentDraft) == 0


def test_an_upload_without_the_csrf_token_is_refused(admin_client, db):
    response = admin_client.post(
        "/staff/instruments",
        data={"file": (BytesIO(_edited("dbi-2021-sme", 2, 3)), "x.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert _count(db, InstrumentDraft) == 0


def test_publish_makes_an_immutable_version_waves_can_use(admin_client, db):
    _upload(admin_client, _edited("dbi-2021-sme", 2, 3))
    draft = db.session.scalars(select(InstrumentDraft)).one()
    draft_id, digest = draft.id, draft.content_hash
    token = admin_client.csrf_token(f"/staff/instruments/drafts/{draft_id}")
    response = admin_client.post(f"/staff/instruments/drafts/{draft_id}/publish", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    version = db.session.scalars(select(FrameworkVersion).filter_by(code="dbi-2021-sme", version=3)).one()
    assert version.content_hash == digest
    assert frameworks.framework_of(version).question_signature() == V2.question_signature()
    assert _count(db, InstrumentDraft) == 0
    assert version.id in {v.id for v in waves_service.offered_versions(db.session)}
    assert db.session.scalars(select(AuditEvent).filter_by(action="instrument.published")).one()
    # The draft is gone: publishing again finds nothing; loading v3 again is refused.
    assert (
        admin_client.post(
            f"/staff/instruments/drafts/{draft_id}/publish", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert _upload(admin_client, _edited("dbi-2021-sme", 2, 3)).status_code == 400


def test_a_draft_can_be_deleted_and_is_audited(admin_client, db):
    _upload(admin_client, _edited("barriers-needs", 1, 2))
    draft = db.session.scalars(select(InstrumentDraft)).one()
    assert draft.kind == "module"
    token = admin_client.csrf_token("/staff/instruments")
    response = admin_client.post(f"/staff/instruments/drafts/{draft.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert _count(db, InstrumentDraft) == 0
    assert _count(db, ModuleVersion) == 2
    assert db.session.scalars(select(AuditEvent).filter_by(action="instrument.draft_deleted")).one()


def test_simulate_scores_random_answer_sets_by_the_draft(admin_client, db):
    _upload(admin_client, _edited("dbi-2021-sme", 2, 3))
    draft = db.session.scalars(select(InstrumentDraft)).one()
    page = admin_client.get(f"/staff/instruments/drafts/{draft.id}?count=300&seed=7").get_data(as_text=True)
    assert 'data-testid="simulation"' in page
    from survey.instruments import simulate

    expected = simulate.run(V2, 300, 7)
    for level in V2.levels:
        assert f'<tr data-level="{level.level}">' in page
        row = page.split(f'<tr data-level="{level.level}">')[1].split("</tr>")[0]
        assert f"<td>{expected.levels.get(level.level, 0)}</td>" in row
    assert sum(expected.levels.values()) == 300
    # Bad input is said, not a 500.
    bad = admin_client.get(f"/staff/instruments/drafts/{draft.id}?count=99999&seed=x")
    assert bad.status_code == 200 and 'data-testid="simulation"' not in bad.get_data(as_text=True)


def test_preview_walks_the_draft_pages_and_scores_what_was_typed(admin_client, db):
    _upload(admin_client, _edited("dbi-2021-sme", 2, 3))
    draft = db.session.scalars(select(InstrumentDraft)).one()
    base = f"/staff/instruments/drafts/{draft.id}/preview"
    first = admin_client.get(f"{base}/1").get_data(as_text=True)
    assert V2.pillars[0].criteria[0].text.vi in first
    # An incomplete page is refused with what was typed kept.
    token = admin_client.csrf_token(f"{base}/1")
    refused = admin_client.post(f"{base}/1", data={"csrf_token": token, "action": "next"})
    assert refused.status_code == 400
    for step, pillar in enumerate(V2.pillars, start=1):
        data = [("csrf_token", admin_client.csrf_token(f"{base}/{step}")), ("action", "next")]
        for name, value in pillar_answers(pillar, 0.6, V2).items():
            for v in value if isinstance(value, list) else [value]:
                data.append((name, v))
        response = admin_client.post(f"{base}/{step}", data=MultiDict(data))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    last = len(V2.pillars) + 1
    token = admin_client.csrf_token(f"{base}/{last}")
    response = admin_client.post(f"{base}/{last}", data={"csrf_token": token, "action": "next"})
    assert response.headers["Location"].endswith(f"{base}/result")
    page = admin_client.get(f"{base}/result").get_data(as_text=True)
    from tests import factories

    card = scorer_for(V2).score(factories.answers_at(V2, 0.6))
    assert f'data-pillar="{V2.pillars[0].code}"' in page
    level = page.split('data-testid="preview-level">')[1].split("</p>")[0]
    assert str(card.total_points) in level and str(card.max_points) in level
    assert V2.levels[card.overall_level].name.vi in level
    for pillar in card.pillars:
        row = page.split(f'data-pillar="{pillar.code}">')[1].split("</tr>")[0]
        assert f"<td>{pillar.points} / {pillar.max_points}</td>" in row and f"<td>{pillar.level}</td>" in row
    # Nothing of the preview is stored.
    assert _count(db, InstrumentDraft) == 1


def _rescoring(rescores: int, source_version: int = 2) -> bytes:
    book = load_workbook(BytesIO(_edited("dbi-2021-sme", source_version, 3)))
    settings = book["settings"]
    header = [c.value for c in settings[1]]
    settings.cell(row=2, column=header.index("rescores") + 1, value=rescores)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_published_rescoring_version_is_offered_for_the_waves_it_rescores(admin_client, db):
    from survey.responses import rescoring
    from tests import factories

    assert _upload(admin_client, _rescoring(2)).status_code == 302
    draft = db.session.scalars(select(InstrumentDraft)).one()
    token = admin_client.csrf_token(f"/staff/instruments/drafts/{draft.id}")
    admin_client.post(f"/staff/instruments/drafts/{draft.id}/publish", data={"csrf_token": token})
    wave = factories.wave(framework_version=factories.framework_version(2))
    db.session.commit()
    assert [v.version for v in rescoring.candidates(db.session, wave)] == [3]


def test_a_rescoring_version_that_asks_other_questions_is_refused(admin_client, db):
    # Version 1's questions, declared to re-score version 2 (which asks others).
    response = _upload(admin_client, _rescoring(2, source_version=1))
    assert response.status_code == 400
    assert "asks other questions" in response.get_data(
        as_text=True
    ) or "hỏi các câu hỏi khác" in response.get_data(as_text=True)
    assert _count(db, InstrumentDraft) == 0


def test_a_module_draft_previews_on_one_page_and_is_offered_to_waves_once_published(admin_client, db):
    from survey.modules import load

    module = load("barriers-needs", 1)
    assert _upload(admin_client, _edited("barriers-needs", 1, 2)).status_code == 302
    draft = db.session.scalars(select(InstrumentDraft)).one()
    base = f"/staff/instruments/drafts/{draft.id}/preview"
    page = admin_client.get(f"{base}/1").get_data(as_text=True)
    assert module.questions[0].text.vi in page
    data = [("csrf_token", admin_client.csrf_token(f"{base}/1")), ("action", "next")]
    data += [(f"m_{q.code}", "4") for q in module.questions if q.kind == "rating"]
    data += [("m_needs", "training"), ("m_proposals", "Cần tập huấn <b>thêm</b>")]
    response = admin_client.post(f"{base}/1", data=MultiDict(data))
    assert response.headers["Location"].endswith(f"{base}/result")
    result = admin_client.get(f"{base}/result").get_data(as_text=True)
    assert "Cần tập huấn &lt;b&gt;thêm&lt;/b&gt;" in result
    token = admin_client.csrf_token(f"/staff/instruments/drafts/{draft.id}")
    admin_client.post(f"/staff/instruments/drafts/{draft.id}/publish", data={"csrf_token": token})
    offered = {(v.code, v.version) for v in waves_service.offered_modules(db.session)}
    assert ("barriers-needs", 2) in offered
