"""The journey on dbi-2021-sme version 2, the Decision's instrument, through real HTTP."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.models import Response, ResponseState
from survey.respondent.forms import field_name, figure_name
from tests import factories
from tests.respondent import helpers
from tests.respondent.helpers import V2

VI = {"Accept-Language": "vi"}


@pytest.fixture
def wave_v2(db):
    wave = factories.wave(name="Khảo sát 2026", framework_version=factories.framework_version(2))
    db.session.commit()
    return wave


def _started(client, kind="enterprise", **firm):
    identifier = factories.personal_id() if kind in ("household", "individual") else factories.tax_code()
    response = helpers.start(client, identifier, kind, **firm)
    assert response.status_code == 302
    return response


def test_a_level_criterion_is_one_radio_group_no_first_then_descriptors(client, wave_v2):
    _started(client)
    page = client.get("/assessment/1", headers=VI).get_data(as_text=True)
    group = page[page.index('id="c1_1_1"') :]
    group = group[: group.index("</fieldset>")]
    assert "Doanh nghiệp có trang web riêng không?" in group
    values = re.findall(r'name="c1_1_1" id="[^"]+" value="([^"]+)"', group)
    assert values == ["no", "1", "2", "3", "4", "5"]
    assert group.index("Không") < group.index("Ít nhất 1 lần trong tuần")
    assert "Nếu có, vui lòng cho biết tần suất cập nhật thông tin trên website" in group
    # Components head their criteria; the provisional figure bands are said where asked.
    assert "1.1. Hiện diện trực tuyến" in page and "1.2. Hoạt động trực tuyến" in page
    assert "Cách tính điểm cho số liệu này là tạm thời" in page


def test_shared_figures_come_first_on_the_pages_that_need_them(client, wave_v2):
    _started(client)
    operations = client.get("/assessment/4", headers=VI).get_data(as_text=True)
    assert operations.index('name="staff_total"') < operations.index(
        f'name="{figure_name("4.2.2", "value")}"'
    )
    assert "Tổng số nhân viên của doanh nghiệp" in operations
    strategy = client.get("/assessment/2", headers=VI).get_data(as_text=True)
    assert 'name="staff_total"' not in strategy


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.500.000", "không dùng dấu phân cách hàng nghìn"),
        ("abc", "không dùng dấu phân cách hàng nghìn"),
        ("１２", "không dùng dấu phân cách hàng nghìn"),
        ("1_000", "không dùng dấu phân cách hàng nghìn"),
        ("1e3", "không dùng dấu phân cách hàng nghìn"),
        ("1" * 16, "Tối đa 15 chữ số"),
        ("150", "không được lớn hơn tổng số"),
    ],
)
def test_bad_figures_get_a_message_in_vietnamese_and_keep_what_was_typed(client, db, wave_v2, typed, message):
    _started(client)
    data = helpers.pillar_answers(V2.pillars[0], 0.5, V2)
    data[figure_name("1.1.3", "value")] = typed
    data[figure_name("1.1.3", "of")] = "100"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    refused = helpers.answer_step(client, 1, data)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert message in page
    assert f'value="{typed}"' in page
    response = db.session.scalar(select(Response))
    assert "1.1.3" not in response.answers


def test_the_whole_v2_journey_scores_and_shows_components(client, db, wave_v2):
    # A one-person household shop: the advice must be the micro kind.
    _started(client, kind="household", employees="1", revenue_bn="0.5")
    helpers.complete(client, 0.5, V2)
    assert helpers.submit(client).status_code == 303
    response = db.session.scalar(select(Response))
    assert response.state is ResponseState.SUBMITTED
    assert response.answers["1.1.3"] == {"value": "50", "of": "100"}
    assert response.answers["staff_total"] == "100"
    assert response.answers["4.2.2"] == {"value": "50"}
    # 50 % is above 40 %: 3 points for each of the 26 figures = 78.
    figures = [c.code for _, c in V2.criteria() if c.kind.value == "figure"]
    page = client.get("/result", headers=VI).get_data(as_text=True)
    assert 'data-testid="components"' in page and "3.2. Cơ sở hạ tầng Công nghệ thông tin" in page
    assert 'data-testid="provisional"' in page
    customer = next(p for p in V2.pillars if p.code == "customer")
    level = next(r.level for r in response.pillar_scores if r.pillar_code == "customer")
    assert customer.recommendation(level, "micro").vi in page
    assert len(figures) == 26


def test_review_shows_figures_as_numbers_with_their_share(client, wave_v2):
    _started(client)
    helpers.complete(client, 0.5, V2)
    page = client.get("/review", headers=VI).get_data(as_text=True)
    assert "50 / 100 triệu đồng (50%)" in page


def test_resume_goes_to_the_first_page_with_a_missing_figure(client, db, wave_v2):
    _started(client)
    link = helpers.resume_link(client)
    data = helpers.pillar_answers(V2.pillars[0], 0.5, V2)
    assert helpers.answer_step(client, 1, data).status_code == 302
    other = type(client)(client.application, client.response_wrapper)
    opened = other.get(link.replace("http://localhost", ""))
    assert opened.headers["Location"].endswith("/assessment/2")
    assert field_name("2.1.1") == "c2_1_1"
