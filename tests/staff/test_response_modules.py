"""The staff response page shows the module answers: ratings with their scale label, ticked
options, free text for analysts and admins only."""

from __future__ import annotations

import pytest

from survey import frameworks
from survey import modules as packaged
from survey.models import Role
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
BARRIERS = packaged.load("barriers-needs", 1)
PROPOSAL = "<script>x()</script> Đề xuất mở lớp đào tạo"


@pytest.fixture
def answered(db):
    wave = factories.with_modules(factories.wave(name="Đợt có phần rào cản"), "barriers-needs", "readiness")
    response = factories.response(wave, answers=factories.answers_at(FRAMEWORK, 0.5), firm_name="Công ty Mẫu")
    factories.answer_module(
        response,
        "barriers-needs",
        {"cost": 5, "habits": 2, "needs": ["training", "cloud"], "proposals": PROPOSAL},
    )
    db.session.commit()
    return response


def section(page: str, code: str) -> str:
    start = page.index(f'<section data-module="{code}"')
    return page[start : page.index("</section>", start)]


def labels(lang_page: str, text) -> bool:
    return text.vi in lang_page or text.en in lang_page


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_analysts_see_ratings_options_and_texts(client, as_role, answered, role):
    as_role(role)
    page = client.get(f"/staff/responses/{answered.id}").get_data(as_text=True)
    barriers = section(page, "barriers-needs")
    scale = BARRIERS.scale("barrier")
    assert labels(barriers, BARRIERS.question("cost").text)
    assert labels(barriers, scale.points[4].label) and labels(barriers, scale.points[1].label)
    needs = BARRIERS.question("needs")
    assert labels(barriers, needs.option("training").label) and labels(barriers, needs.option("cloud").label)
    assert not labels(barriers, needs.option("finance").label)
    assert "&lt;script&gt;x()&lt;/script&gt; Đề xuất mở lớp đào tạo" in barriers and "<script>x()" not in page
    assert 'data-question="proposals"' in barriers
    # The readiness page was never saved: said so, no answers listed.
    assert 'data-question="lead_vision"' not in section(page, "readiness")


def test_viewers_see_no_free_text(client, as_role, answered):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/responses/{answered.id}").get_data(as_text=True)
    barriers = section(page, "barriers-needs")
    assert labels(barriers, BARRIERS.scale("barrier").points[4].label)
    assert labels(barriers, BARRIERS.question("needs").option("training").label)
    assert "Đề xuất mở lớp" not in page and 'data-question="proposals"' not in barriers
    assert 'data-question="barriers_other"' not in barriers


def test_a_wave_without_modules_shows_no_module_section(client, as_role, db):
    response = factories.response(factories.wave(), answers=factories.answers_at(FRAMEWORK, 0.5))
    db.session.commit()
    as_role(Role.ANALYST)
    assert "data-module=" not in client.get(f"/staff/responses/{response.id}").get_data(as_text=True)
