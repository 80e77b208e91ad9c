"""Money on every form: billion đồng, Vietnamese notation, one parser (survey/money.py).

The respondent's firm page and the staff correction show amounts in billion đồng as
Vietnamese write them (1,43), read "2,5", "2.5", "2,5 tỷ" and full amounts in đồng, ask
about "1.500" (1,5 or 1500?), refuse the rest with what to type, and never change a
stored amount that nobody touched.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from survey.models import Response, Role
from survey.money import AmountError, format_billions, parse_amount
from tests import factories
from tests.respondent import helpers

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize(
    ("typed", "vnd"),
    [
        ("2,5", 2_500_000_000),
        ("2.5", 2_500_000_000),
        (" 2,5 tỷ ", 2_500_000_000),
        ("2,5 tỷ đồng", 2_500_000_000),
        ("2,5 ty", 2_500_000_000),  # typed without diacritics
        ("2,5tỉ", 2_500_000_000),
        ("250 triệu", 250_000_000),
        ("2.500.000.000 đồng", 2_500_000_000),
        ("2.500.000.000", 2_500_000_000),  # a million or more: đồng by size
        ("2500000000", 2_500_000_000),
        ("2 500 000 000 đ", 2_500_000_000),
        ("2\u00a0500\u00a0000\u00a0000 VNĐ", 2_500_000_000),
        ("1.500 đồng", 1_500),  # đồng have no decimals: the dot groups thousands
        ("1.012,5", 1_012_500_000_000),
        ("1 012,5", 1_012_500_000_000),
        ("1,012.5", 1_012_500_000_000),
        ("0,500", 500_000_000),  # a leading zero: a decimal
        ("1,25", 1_250_000_000),
        ("1500", 1_500_000_000_000),
        ("0", 0),
        ("10000000 tỷ", 10**16),
        ("", None),
        ("   ", None),
    ],
)
def test_what_the_parser_reads(typed, vnd):
    assert parse_amount(typed) == vnd


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1.500", "ambiguous"),
        ("1,500", "ambiguous"),
        ("12.000 tỷ", "ambiguous"),
        ("-1", "negative"),
        ("−2,5", "negative"),
        ("10000000.1", "whole_dong"),  # a million or more is đồng, and đồng are whole
        ("2,5 đồng", "whole_dong"),
        ("10000000,5 tỷ", "too_large"),
        ("1" + "0" * 40, "too_large"),
        ("99999999999999999999", "too_large"),
        ("1e3", "format"),
        ("1_000", "format"),
        ("１２", "format"),
        ("NaN", "format"),
        ("2,5 USD", "format"),
        ("12 5,5", "format"),  # spaces only between groups of three
        ("1.2.3", "format"),
        ("1,2,3", "format"),
        ("1.234.5", "format"),
        ("1 000.000", "format"),
        ("9" * 5000, "format"),
    ],
)
def test_what_the_parser_refuses(app, typed, reason):
    with app.test_request_context(headers=EN), pytest.raises(AmountError) as refused:
        parse_amount(typed)
    assert refused.value.reason == reason
    assert refused.value.message  # every refusal says what to type


def test_an_ambiguous_amount_is_asked_about_with_both_readings(app):
    with app.test_request_context(headers=EN), pytest.raises(AmountError) as refused:
        parse_amount("1.500")
    assert refused.value.message == (
        "Is “1.500” 1,5 or 1500 billion VND? Type 1,5 or 1500, so that it cannot be misread."
    )


@pytest.mark.parametrize(
    ("vnd", "shown"),
    [
        (1_432_491_253, "1,43"),
        (12_500_000_000, "12,5"),
        (5_000_000_000, "5"),
        (800_000_000, "0,8"),
        (1_500_000, "0,0015"),  # not "0": two significant digits under 0,1
        (1_500_000_000_000, "1500"),  # not "1.500", which the parser asks about
        (1_012_500_000_000, "1.012,5"),
        (0, "0"),
        (10**16, "10.000.000 tỷ"),
    ],
)
def test_amounts_are_shown_in_vietnamese_notation_and_read_back_as_billions(vnd, shown):
    assert format_billions(vnd) == shown
    assert abs(parse_amount(shown) - vnd) <= max(vnd // 100, 1)


def _input(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, f"no input {name}"
    return html.unescape(match.group(0))


def test_the_firm_page_shows_billions_keeps_untouched_amounts_and_reads_changes(client, db):
    factories.wave(name="Khảo sát 2025")
    db.session.commit()
    assert (
        helpers.start(
            client, factories.tax_code(), revenue_bn="1,432491253", capital_bn="2.500.000.000 đ"
        ).status_code
        == 302
    )
    draft = db.session.scalar(select(Response))
    assert (draft.revenue_vnd, draft.capital_vnd) == (1_432_491_253, 2_500_000_000)

    page = client.get("/firm").get_data(as_text=True)
    revenue, capital = _input(page, "revenue_bn"), _input(page, "capital_bn")
    assert 'value="1,43"' in revenue and 'value="2,5"' in capital
    assert 'inputmode="decimal"' in revenue and 'inputmode="decimal"' in capital  # a phone's keypad
    assert "2.500.000.000 đồng" in html.unescape(page)  # the hint's example of a full amount

    token = helpers.token_of(client, "/firm")
    unchanged = helpers.firm_data(revenue_bn="1,43", capital_bn="2,5", csrf_token=token)
    assert client.post("/firm", data=unchanged).status_code == 302
    db.session.refresh(draft)
    assert draft.revenue_vnd == 1_432_491_253  # shown rounded, kept exact

    token = helpers.token_of(client, "/firm")
    changed = helpers.firm_data(revenue_bn="1,5 tỷ", capital_bn="3000000000", csrf_token=token)
    assert client.post("/firm", data=changed).status_code == 302
    db.session.refresh(draft)
    assert (draft.revenue_vnd, draft.capital_vnd) == (1_500_000_000, 3_000_000_000)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("1.500", "Is “1.500” 1,5 or 1500 billion VND?"),
        ("2,5 USD", "Type the amount in billion VND, e.g. 2,5"),
        ("-3", "An amount cannot be negative."),
        ("10000000.1", "has no decimals"),
    ],
)
def test_a_refused_amount_says_what_to_type_and_keeps_what_was_typed(client, db, typed, said):
    factories.wave(name="Khảo sát 2025")
    db.session.commit()
    token = helpers.token_of(client, "/start")
    data = {"kind": "enterprise", "tax_code": factories.tax_code(), "consent": "y", "csrf_token": token}
    client.post("/start", data=data)
    token = helpers.token_of(client, "/firm")
    response = client.post(
        "/firm", data={**helpers.firm_data(revenue_bn=typed), "csrf_token": token}, headers=EN
    )
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    errors = re.search(r'<ul class="field-errors" id="revenue_bn-error">(.*?)</ul>', page, re.S)
    assert errors and said in errors.group(1)
    assert f'value="{typed}"' in _input(page, "revenue_bn")
    assert db.session.scalar(select(Response)) is None


def test_the_staff_correction_uses_the_same_unit_and_parser(client, db, as_role):
    wave = factories.wave(name="Đợt 2025")
    firm = factories.enterprise(name="Công ty Hải Âu", revenue_vnd=1_432_491_253, capital_vnd=None)
    target = factories.response(wave, firm, {}, submit=False, firm_name=firm.name)
    db.session.commit()
    as_role(Role.ANALYST)
    url = f"/staff/responses/{target.id}"
    page = client.get(url, headers=EN).get_data(as_text=True)
    revenue = _input(page, "revenue_vnd")
    assert 'value="1,43"' in revenue and 'inputmode="decimal"' in revenue
    assert "Revenue (billion VND)" in page

    def correct(**money):
        data = {
            "firm_name": target.firm_name,
            "unit_id": target.unit_id,
            "sector_code": target.sector_code,
            "ownership": target.ownership.value,
            "employees": str(target.employees),
            "revenue_vnd": "1,43",
            "capital_vnd": "",
            "reason": "Doanh nghiệp gọi điện báo lại",
            "version_id": target.version_id,
            "csrf_token": client.csrf_token(url),
        }
        return client.post(f"{url}/correct", data={**data, **money}, headers=EN)

    assert correct().status_code == 303
    db.session.refresh(target)
    assert target.revenue_vnd == 1_432_491_253  # untouched: not rounded to 1,43 billion

    assert correct(revenue_vnd="2,5 tỷ", capital_vnd="2.500.000.000 đồng").status_code == 303
    db.session.refresh(target)
    assert (target.revenue_vnd, target.capital_vnd) == (2_500_000_000, 2_500_000_000)

    refused = correct(revenue_vnd="1.500")
    assert refused.status_code == 400
    assert "Is “1.500” 1,5 or 1500 billion VND?" in html.unescape(refused.get_data(as_text=True))
    db.session.refresh(target)
    assert target.revenue_vnd == 2_500_000_000
