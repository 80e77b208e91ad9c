"""Every kind of business can take part: the start page asks the kind, checks the identifier
that kind uses, and sends the business to the one wave open for it."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from survey import waves as waves_service
from survey.models import BusinessKind, Enterprise, IdType, Ownership, Response, SizeClass, WaveState
from survey.respondent.forms import PERSONAL_ID_MESSAGES
from tests import factories
from tests.respondent import helpers

ENTERPRISE_KINDS = ["enterprise", "branch", "cooperative"]
HOUSEHOLD_KINDS = ["household", "individual"]


def _start(client, kind: str, identifier: str, lang: str = "vi"):
    token = client.csrf_token("/start")
    return client.post(
        "/start",
        data={"kind": kind, "tax_code": identifier, "consent": "y", "csrf_token": token},
        headers={"Accept-Language": lang},
    )


@pytest.fixture
def two_waves(db):
    firms = factories.wave(name="Doanh nghiệp 2026", kinds=ENTERPRISE_KINDS)
    households = factories.wave(
        name="Hộ kinh doanh 2026", kinds=HOUSEHOLD_KINDS, framework_version=factories.framework_version(2)
    )
    db.session.commit()
    return firms, households


def test_a_household_starts_with_its_representatives_id_and_lands_in_its_wave(client, db, two_waves, caplog):
    caplog.set_level(logging.DEBUG)
    _firms, households = two_waves
    personal_id = factories.personal_id()
    started = _start(client, "household", f"{personal_id[:3]} {personal_id[3:]}")
    assert started.status_code == 302 and personal_id not in started.headers["Location"]
    page = client.get("/firm").get_data(as_text=True)
    # The household's own number is shown masked; no ownership or capital is asked.
    assert f"{personal_id[:3]}•••••••{personal_id[-2:]}" in page and personal_id not in page
    assert 'name="ownership"' not in page and 'name="capital_bn"' not in page
    token = client.csrf_token("/firm")
    data = helpers.firm_data(firm_name="Hộ kinh doanh Cô Hoa", employees="2", revenue_bn="0,5")
    data.pop("ownership")
    done = client.post("/firm", data={**data, "csrf_token": token})
    assert done.status_code == 302, done.get_data(as_text=True)
    firm = db.session.scalar(select(Enterprise).filter_by(tax_code=personal_id))
    response = db.session.scalar(select(Response).filter_by(enterprise_id=firm.id))
    assert (firm.kind, firm.id_type) == (BusinessKind.HOUSEHOLD, IdType.CCCD12)
    assert response.wave_id == households.id and response.kind == BusinessKind.HOUSEHOLD
    assert response.size_class == SizeClass.HOUSEHOLD and response.ownership == Ownership.HOUSEHOLD
    assert response.capital_vnd is None and response.population == "households"
    assert personal_id not in caplog.text


def test_an_enterprise_in_the_same_city_lands_in_the_enterprises_wave(client, db, two_waves):
    firms, _ = two_waves
    response = helpers.start(client, factories.tax_code(), "cooperative", ownership="")
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
    assert stored.wave_id == firms.id and stored.ownership == Ownership.COOPERATIVE
    assert stored.size_class != SizeClass.HOUSEHOLD


def test_a_kind_no_open_wave_is_for_is_told_so(client, db):
    factories.wave(name="Chỉ doanh nghiệp", kinds=ENTERPRISE_KINDS)
    db.session.commit()
    page = _start(client, "individual", factories.personal_id())
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Chưa có đợt khảo sát nào mở cho loại hình này" in text
    assert "Doanh nghiệp" in text  # the kinds it is open for
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("03108012345", "length"),
        ("03108012345x", "format"),
        ("999080123456", "province"),
        ("031580123456", "century"),
        ("031320123456", "birth_year"),
        ("0100109106", "tax_code_for_person"),
    ],
)
def test_each_mistake_in_a_personal_id_has_its_own_vietnamese_message(client, db, two_waves, typed, reason):
    page = _start(client, "household", typed)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    with client.application.test_request_context(headers={"Accept-Language": "vi"}):
        own = str(PERSONAL_ID_MESSAGES[reason])
        others = [str(m) for r, m in PERSONAL_ID_MESSAGES.items() if r != reason]
    assert own in text and not any(o in text for o in others)
    assert own != PERSONAL_ID_MESSAGES[reason]._args[0]  # translated, not the English msgid
    assert f'value="{typed}"' in text or not typed  # what was typed stays


def test_a_personal_id_typed_as_an_enterprise_is_pointed_to_its_kind(client, two_waves):
    text = _start(client, "enterprise", factories.personal_id()).get_data(as_text=True)
    assert "Số này giống số định danh cá nhân 12 chữ số" in text


def test_one_response_per_business_across_kinds(client, db, two_waves):
    code = factories.tax_code()
    assert helpers.start(client, code, "enterprise").status_code == 302
    # The same tax code filed as a cooperative is the same business.
    assert _start(client, "cooperative", code).status_code == 409
    # One person's ID: a household business and an individual business are two businesses.
    personal_id = factories.personal_id()
    firm = helpers.firm_data()
    firm.pop("ownership")
    for kind in ("household", "individual"):
        assert _start(client, kind, personal_id).status_code == 302
        token = client.csrf_token("/firm")
        assert client.post("/firm", data={**firm, "csrf_token": token}).status_code == 302
    assert _start(client, "household", personal_id).status_code == 409
    kinds = db.session.scalars(
        select(Enterprise.kind).filter_by(tax_code=personal_id).order_by(Enterprise.kind)
    )
    assert list(kinds) == [BusinessKind.HOUSEHOLD, BusinessKind.INDIVIDUAL]


def test_no_register_data_is_prefilled_for_a_personal_id(client, db, two_waves):
    personal_id = factories.personal_id()
    db.session.add(
        Enterprise(
            tax_code=personal_id,
            id_type=IdType.CCCD12,
            kind=BusinessKind.HOUSEHOLD,
            name="Hộ kinh doanh Bí Mật",
            employees=4,
        )
    )
    db.session.commit()
    assert _start(client, "household", personal_id).status_code == 302
    assert "Hộ kinh doanh Bí Mật" not in client.get("/firm").get_data(as_text=True)


def test_two_open_waves_may_not_share_a_kind(app, db, two_waves):
    firms, households = two_waves
    with app.test_request_context():
        _refused_and_allowed(db, firms, households)


def _refused_and_allowed(db, firms, households):
    third = factories.wave(name="Hợp tác xã 2026", open_now=False, kinds=["cooperative"])
    with pytest.raises(waves_service.Overlap) as refused:
        waves_service.set_state(db.session, third, WaveState.OPEN)
    assert refused.value.other == firms and refused.value.kinds == ["cooperative"]
    assert third.state == WaveState.DRAFT
    with pytest.raises(waves_service.Overlap):
        waves_service.edit(db.session, households, {"kinds": [*HOUSEHOLD_KINDS, "branch"]})
    db.session.rollback()
    # Not at the same time: no overlap.
    later = factories.wave(
        name="Hợp tác xã 2027",
        open_now=False,
        kinds=["cooperative"],
        opens_at=firms.closes_at,
        closes_at=firms.closes_at + (firms.closes_at - firms.opens_at),
    )
    assert waves_service.set_state(db.session, later, WaveState.OPEN)


def test_the_staff_wave_form_refuses_an_overlap_with_a_message(client, db, as_role, two_waves):
    from survey.models import Role

    third = factories.wave(name="Hộ 2026 bis", open_now=False, kinds=["household"])
    db.session.commit()
    as_role(Role.ADMIN)
    token = client.csrf_token("/staff/waves")
    refused = client.post(f"/staff/waves/{third.id}/open", data={"csrf_token": token})
    assert refused.status_code == 303
    page = client.get("/staff/waves").get_data(as_text=True)
    assert "Hộ kinh doanh 2026" in page and "không bao giờ được thấy hai đợt" in page
    db.session.refresh(third)
    assert third.state == WaveState.DRAFT


def test_the_home_page_shows_each_open_wave_and_whom_it_is_for(client, two_waves):
    page = client.get("/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Doanh nghiệp 2026" in page and "Hộ kinh doanh 2026" in page
    assert "Hộ kinh doanh, Cá nhân kinh doanh" in page
    assert page.count('data-testid="wave-kinds"') == 2
