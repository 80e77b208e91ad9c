"""The staff list of responses, one response's page, review, notes, corrections, conflicts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey import frameworks
from survey.models import AuditEvent, Response, ResponseNote, ReviewState, Role, SizeClass
from survey.statistics.rollup import rollup
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
HIGH = factories.answers_at(FRAMEWORK, 1.0)
LOW = factories.answers_at(FRAMEWORK, 0.0)


@pytest.fixture
def survey_wave(db):
    wave = factories.wave(name="Đợt 2025")
    firms = [
        factories.enterprise(name=f"Công ty {n}", sector_code=sector, employees=employees)
        for n, (sector, employees) in enumerate([("C", 5), ("G", 40), ("H", 150), ("C", 20), ("I", 8)])
    ]
    responses = [
        factories.response(wave, f, HIGH if i % 2 == 0 else LOW, firm_name=f.name)
        for i, f in enumerate(firms)
    ]
    factories.response(wave, factories.enterprise(name="Nháp"), {}, submit=False, firm_name="Nháp")
    db.session.commit()
    return wave, responses


def listing(client, **params) -> tuple[int, list[str]]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    page = client.get(f"/staff/responses?{query}").get_data(as_text=True)
    total = int(re.search(r'data-testid="total">(\d+)', page).group(1))
    return total, re.findall(r'<tr data-response="(\d+)">', page)


def test_list_filters_search_and_counts(client, db, as_role, survey_wave):
    wave, responses = survey_wave
    as_role(Role.VIEWER)
    assert listing(client, wave=wave.id)[0] == 6
    assert listing(client, wave=wave.id, state="submitted")[0] == 5
    assert listing(client, wave=wave.id, state="draft")[0] == 1
    assert listing(client, wave=wave.id, sector="C")[0] == 3  # two submitted and the draft
    assert listing(client, wave=wave.id, tier="engaged")[0] == 3
    assert listing(client, wave=wave.id, level="0")[0] == 2
    assert listing(client, wave=wave.id, size="micro")[0] == 2
    assert listing(client, wave=wave.id, pillar="seaport_logistics")[0] == 1
    assert listing(client, wave=wave.id, unit="11311")[0] == 6
    assert listing(client, wave=wave.id, q="Công ty 3")[1] == [str(responses[3].id)]
    tax = responses[2].enterprise.tax_code
    assert listing(client, wave=wave.id, q=tax)[1] == [str(responses[2].id)]


def test_list_sorts_by_any_column_both_ways(client, db, as_role, survey_wave):
    wave, responses = survey_wave
    as_role(Role.VIEWER)
    _, ascending = listing(client, wave=wave.id, sort="tax_code", dir="asc")
    _, descending = listing(client, wave=wave.id, sort="tax_code", dir="desc")
    assert ascending == descending[::-1]
    codes = {str(r.id): r.enterprise.tax_code for r in responses}
    shown = [codes[i] for i in ascending if i in codes]
    assert shown == sorted(shown)
    for key in (
        "updated",
        "submitted",
        "name",
        "unit",
        "sector",
        "size",
        "ownership",
        "state",
        "review",
        "level",
        "tier",
        "points",
    ):
        assert client.get(f"/staff/responses?wave={wave.id}&sort={key}").status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        "sort=password_hash",
        "sort=id;DROP TABLE responses",
        "dir=sideways",
        "state=deleted",
        "level=9",
        "unit=x'--",
        "page=abc",
    ],
)
def test_unknown_sort_and_filter_values_are_refused(client, db, as_role, survey_wave, params):
    wave, _ = survey_wave
    as_role(Role.VIEWER)
    response = client.get(f"/staff/responses?wave={wave.id}&{params}")
    assert response.status_code == 400


def test_paging(app, client, db, as_role, survey_wave, monkeypatch):
    wave, _ = survey_wave
    monkeypatch.setitem(app.config, "PER_PAGE", 4)
    as_role(Role.VIEWER)
    total, first = listing(client, wave=wave.id, sort="tax_code", dir="asc")
    _, second = listing(client, wave=wave.id, sort="tax_code", dir="asc", page=2)
    assert total == 6 and len(first) == 4 and len(second) == 2 and not set(first) & set(second)


def test_detail_shows_answers_in_staff_language_and_hides_contacts_from_viewers(
    app, client, db, as_role, survey_wave
):
    _, responses = survey_wave
    target = responses[0]
    target.contact_email = "giam.doc@example.vn"
    db.session.commit()
    as_role(Role.VIEWER)
    page = client.get(f"/staff/responses/{target.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    first = FRAMEWORK.pillars[0].criteria[0]
    assert first.text.en in page
    assert "giam.doc@example.vn" not in page
    assert "Save review" not in page  # viewers cannot act
    analyst_client = app.test_client()
    from tests.staff.conftest import log_in, make_staff

    make_staff(db, Role.ANALYST, email="a2@staff.example.org")
    log_in(analyst_client, "a2@staff.example.org")
    assert "giam.doc@example.vn" in analyst_client.get(f"/staff/responses/{target.id}").get_data(as_text=True)


def _review(client, response, decision, reason="", version=None, lang="en"):
    url = f"/staff/responses/{response.id}"
    token = client.csrf_token(url)
    return client.post(
        f"{url}/review",
        headers={"Accept-Language": lang},
        data={
            "decision": decision,
            "reason": reason,
            "version_id": response.version_id if version is None else version,
            "csrf_token": token,
        },
    )


def test_review_transitions_and_their_effect_on_the_rollup(client, db, as_role, survey_wave):
    wave, responses = survey_wave
    analyst = as_role(Role.ANALYST)
    engaged = responses[0]
    assert rollup(db.session, wave)["overall"]["n"] == 5

    assert _review(client, engaged, "flagged", "Số lao động có vẻ sai").status_code == 303
    db.session.refresh(engaged)
    assert engaged.review_state is ReviewState.FLAGGED and engaged.reviewed_by_id == analyst.id

    # Rejecting needs a reason.
    assert _review(client, engaged, "rejected").status_code == 400
    assert _review(client, engaged, "rejected", "Trùng lặp").status_code == 303
    db.session.refresh(engaged)
    assert engaged.review_state is ReviewState.REJECTED
    figures = rollup(db.session, wave)["overall"]
    assert figures["n"] == 4 and figures["tiers"]["engaged"]["count"] == 2

    # A rejected response can only be reopened, with a reason; then it counts again.
    assert _review(client, engaged, "verified").status_code == 409
    assert _review(client, engaged, "pending", "Đã xác minh lại").status_code == 303
    db.session.refresh(engaged)
    assert engaged.review_state is ReviewState.PENDING
    assert rollup(db.session, wave)["overall"]["n"] == 5

    actions = db.session.scalars(
        select(AuditEvent.action)
        .filter_by(object_type="responses", object_id=str(engaged.id))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["response.flagged", "response.rejected", "response.reopened"]
    rejected = db.session.scalar(select(AuditEvent).filter_by(action="response.rejected"))
    assert rejected.details["before"]["review_state"] == "flagged"
    assert rejected.details["after"] == {"review_state": "rejected", "review_reason": "Trùng lặp"}


def test_drafts_cannot_be_reviewed(client, db, as_role, survey_wave):
    draft = db.session.scalar(select(Response).filter_by(firm_name="Nháp"))
    as_role(Role.ANALYST)
    refused = _review(client, draft, "verified")
    assert refused.status_code == 409
    assert "Drafts are reviewed once submitted." in refused.get_data(as_text=True)


def test_a_refused_transition_is_explained_in_the_staff_members_language(client, db, as_role, survey_wave):
    _, responses = survey_wave
    target = responses[2]
    as_role(Role.ANALYST)
    assert _review(client, target, "verified").status_code == 303
    # Verified can only be reopened.
    refused = _review(client, target, "flagged", lang="vi")
    assert refused.status_code == 409
    assert "Phiếu đã xác minh không thể chuyển sang cần kiểm tra lại." in refused.get_data(as_text=True)
    refused = _review(client, target, "rejected", "Trùng lặp")
    assert "A response that is verified cannot become rejected." in refused.get_data(as_text=True)


def test_a_stale_page_gets_a_conflict_not_an_overwrite(client, db, as_role, survey_wave):
    _, responses = survey_wave
    target = responses[1]
    as_role(Role.ANALYST)
    seen_version = target.version_id
    assert _review(client, target, "flagged", "Cần gọi lại").status_code == 303
    # A second analyst, still looking at the old page, tries to verify it.
    response = _review(client, target, "verified", version=seen_version)
    assert response.status_code == 303
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Someone else changed this response" in page
    db.session.refresh(target)
    assert target.review_state is ReviewState.FLAGGED


def test_internal_notes(client, db, as_role, survey_wave):
    _, responses = survey_wave
    as_role(Role.ANALYST)
    url = f"/staff/responses/{responses[2].id}"
    token = client.csrf_token(url)
    client.post(f"{url}/notes", data={"text": "Đã gọi điện <b>xác nhận</b>", "csrf_token": token})
    note = db.session.scalar(select(ResponseNote))
    assert note.text == "Đã gọi điện <b>xác nhận</b>"
    page = client.get(url).get_data(as_text=True)
    assert "Đã gọi điện &lt;b&gt;xác nhận&lt;/b&gt;" in page
    assert db.session.scalar(select(AuditEvent).filter_by(action="response.note")) is not None


def test_profile_correction_needs_a_reason_rederives_size_and_is_audited(client, db, as_role, survey_wave):
    _, responses = survey_wave
    target = responses[0]  # sector C, 5 employees: micro
    assert target.size_class is SizeClass.MICRO
    as_role(Role.ANALYST)
    url = f"/staff/responses/{target.id}"
    token = client.csrf_token(url)
    data = {
        "firm_name": target.firm_name,
        "unit_id": target.unit_id,
        "sector_code": "C",
        "ownership": "private",
        "employees": "150",
        "revenue_vnd": str(target.revenue_vnd),
        "capital_vnd": str(target.capital_vnd),
        "version_id": target.version_id,
        "csrf_token": token,
    }
    assert client.post(f"{url}/correct", data={**data, "reason": ""}).status_code == 400
    assert (
        client.post(f"{url}/correct", data={**data, "reason": "Doanh nghiệp báo sai số lao động"}).status_code
        == 303
    )
    db.session.refresh(target)
    assert target.employees == 150 and target.size_class is SizeClass.MEDIUM
    event = db.session.scalar(select(AuditEvent).filter_by(action="response.corrected"))
    assert event.details["before"] == {"employees": 5}
    assert event.details["after"]["employees"] == 150 and event.details["after"]["size_class"] == "medium"
    # The answers are the firm's: untouched.
    assert target.answers == HIGH


def test_viewers_cannot_act_on_responses(client, db, as_role, survey_wave):
    _, responses = survey_wave
    as_role(Role.VIEWER)
    assert _review(client, responses[0], "verified").status_code == 403
