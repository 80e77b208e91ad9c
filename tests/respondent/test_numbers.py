"""Numbers are typed with plain digits; nothing laxer reaches a draft.

The probe: full-width digits (９), underscores (1_000), exponents (1e-400) and a
checkbox value sent twice were all kept in a draft that the scorer later refused.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models import Response
from survey.respondent.forms import field_name
from survey.scoring.criteria import Kind
from tests import factories
from tests.respondent import helpers

FRAMEWORK = helpers.FRAMEWORK


def drafts(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("employees", "９"),
        ("employees", "1_000"),
        ("employees", "2e3"),
        ("revenue_bn", "1e-400"),
        ("revenue_bn", "1_000"),
        ("revenue_bn", "１２"),
        ("capital_bn", "NaN"),
        ("employees", "1 2"),  # a space only between groups of three
        ("revenue_bn", "12 5,5"),
    ],
)
def test_lax_numbers_on_the_firm_page_are_refused_with_a_message(client, db, wave, field, value):
    response = helpers.start(client, factories.tax_code(), **{field: value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert drafts(db) == 0


def test_plain_numbers_with_spaces_between_groups_are_read(client, db, wave):
    started = helpers.start(client, factories.tax_code(), employees="1 200", revenue_bn="1 012,5")
    assert started.status_code == 302
    draft = db.session.scalar(select(Response))
    assert (draft.employees, draft.revenue_vnd) == (1200, 1_012_500_000_000)


def _page_with(kind: Kind, framework=FRAMEWORK):
    for step, pillar in enumerate(framework.pillars, start=1):
        for criterion in pillar.criteria:
            if criterion.kind is kind:
                return step, pillar, criterion
    raise LookupError(kind)


def test_a_checkbox_value_sent_twice_is_refused(client, db, wave):
    helpers.start(client, factories.tax_code())
    step, pillar, criterion = _page_with(Kind.MULTI)
    answers = helpers.pillar_answers(pillar)
    paying = next(o.code for o in criterion.options if o.points > 0)
    answers[field_name(criterion.code)] = [paying, paying]
    refused = helpers.answer_step(client, step, answers, action="save")
    assert refused.status_code == 400
    assert db.session.scalar(select(Response)).answers == {}
