"""A form sent after its token expired comes back with everything typed (survey/csrf_retry.py).

The pages are opened "long ago": the token is signed with a clock set back past
``WTF_CSRF_TIME_LIMIT``, so Flask-WTF itself finds it expired. The answer must be the same
page, filled in as sent, with a fresh token and a message to press the button again, and
nothing saved until then; the fresh token must then work.
"""

from __future__ import annotations

import html
import re

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from survey.csrf_retry import KEEP_TYPED
from survey.models import Response, Role
from survey.respondent.forms import field_name
from tests import factories
from tests.respondent import helpers

EXPIRED = 'data-testid="form-expired"'
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
#: The salt Flask-WTF signs its tokens with (flask_wtf.csrf.generate_csrf).
CSRF_SALT = b"wtf-csrf-token"


@pytest.fixture
def wave(db):
    wave = factories.wave(name="Khảo sát 2025")
    db.session.commit()
    return wave


@pytest.fixture
def opened_long_ago(app, client, monkeypatch):
    """``opened_long_ago(path)``: the page's CSRF token, signed past the token's life."""

    real = TimestampSigner.get_timestamp

    def open_page(path: str) -> str:
        age = app.config["WTF_CSRF_TIME_LIMIT"] + 60

        def clock(signer) -> int:
            # Only the token's: the session cookie, signed the same way, must stay readable.
            return real(signer) - (age if signer.salt == CSRF_SALT else 0)

        with monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", clock)
            page = client.get(path).get_data(as_text=True)
        return TOKEN.search(page).group(1)

    return open_page


def kept_page(response, token: str) -> tuple[str, str]:
    """The page that came back (unescaped) and its fresh token, after the checks every one needs."""
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:2000]
    assert EXPIRED in page, page[:3000]
    fresh = TOKEN.search(page).group(1)
    assert fresh != token
    return html.unescape(page), fresh


def responses(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def test_the_firm_page_comes_back_filled_in_and_saves_when_sent_again(client, db, wave, opened_long_ago):
    token = helpers.token_of(client, "/start")
    data = {"kind": "enterprise", "tax_code": factories.tax_code(), "consent": "y", "csrf_token": token}
    assert client.post("/start", data=data).status_code == 302
    old = opened_long_ago("/firm")
    typed = helpers.firm_data(
        firm_name="Công ty TNHH Biển Đông", revenue_bn="2,5 tỷ", contact_name="Trần Văn Minh"
    )

    page, fresh = kept_page(client.post("/firm", data={**typed, "csrf_token": old}), old)
    assert 'value="Công ty TNHH Biển Đông"' in page
    assert 'value="2,5 tỷ"' in page and 'value="Trần Văn Minh"' in page
    assert f'<option selected value="{typed["unit_id"]}">' in page
    assert responses(db) == 0  # nothing saved until the button is pressed again

    again = client.post("/firm", data={**typed, "csrf_token": fresh})
    assert again.status_code == 302, again.get_data(as_text=True)[:2000]
    draft = db.session.scalar(select(Response))
    assert (draft.firm_name, draft.revenue_vnd) == ("Công ty TNHH Biển Đông", 2_500_000_000)


def test_a_pillar_page_comes_back_with_its_answers_and_saves_when_sent_again(
    client, db, wave, opened_long_ago
):
    assert helpers.start(client, factories.tax_code()).status_code == 302
    pillar = helpers.FRAMEWORK.pillars[0]
    answers = helpers.pillar_answers(pillar, 1.0)
    old = opened_long_ago("/assessment/1")
    data = [("csrf_token", old), ("action", "next")]
    data += [
        (name, v) for name, value in answers.items() for v in (value if isinstance(value, list) else [value])
    ]

    page, fresh = kept_page(client.post("/assessment/1", data=MultiDict(data)), old)
    chosen = [c for c in pillar.criteria if isinstance(answers.get(field_name(c.code)), str)]
    assert chosen
    for criterion in chosen:
        name, code = field_name(criterion.code), answers[field_name(criterion.code)]
        assert re.search(rf'name="{name}"\s+id="[^"]+"\s+value="{re.escape(code)}"\s+checked', page), name
    assert db.session.scalar(select(Response)).answers == {}

    data[0] = ("csrf_token", fresh)
    again = client.post("/assessment/1", data=MultiDict(data))
    assert again.status_code == 302, again.get_data(as_text=True)[:2000]
    stored = db.session.scalar(select(Response)).answers
    assert all(stored[c.code] == answers[field_name(c.code)] for c in chosen)


def test_a_session_that_lost_its_token_keeps_the_firm_page_too(client, db, wave):
    assert helpers.start(client, factories.tax_code()).status_code == 302
    token = helpers.token_of(client, "/firm")
    with client.session_transaction() as session:
        session.pop("csrf_token")  # the token's secret half, kept in the session
    typed = helpers.firm_data(firm_name="Công ty Cổ phần Đồ Sơn")
    page, fresh = kept_page(client.post("/firm", data={**typed, "csrf_token": token}), token)
    assert 'value="Công ty Cổ phần Đồ Sơn"' in page
    assert db.session.scalar(select(Response)).firm_name == "Công ty TNHH Cảng Xanh"
    assert client.post("/firm", data={**typed, "csrf_token": fresh}).status_code == 302
    assert db.session.scalar(select(Response)).firm_name == "Công ty Cổ phần Đồ Sơn"


def test_the_staff_correction_comes_back_filled_in(client, db, as_role, opened_long_ago):
    wave = factories.wave(name="Đợt 2025")
    target = factories.response(wave, factories.enterprise(name="Công ty Hải Âu"), {}, submit=False)
    db.session.commit()
    as_role(Role.ANALYST)
    url = f"/staff/responses/{target.id}"
    old = opened_long_ago(url)
    data = {
        "firm_name": "Công ty Hải Âu (đã sửa)",
        "unit_id": target.unit_id,
        "sector_code": target.sector_code,
        "ownership": target.ownership.value,
        "employees": "12",
        "revenue_vnd": "3,75",
        "capital_vnd": "",
        "reason": "Doanh nghiệp gọi điện báo lại",
        "version_id": target.version_id,
    }
    page, fresh = kept_page(client.post(f"{url}/correct", data={**data, "csrf_token": old}), old)
    assert 'value="Công ty Hải Âu (đã sửa)"' in page and 'value="3,75"' in page
    assert "Doanh nghiệp gọi điện báo lại" in page
    db.session.refresh(target)
    assert target.revenue_vnd == 5_000_000_000

    assert client.post(f"{url}/correct", data={**data, "csrf_token": fresh}).status_code == 303
    db.session.refresh(target)
    assert (target.firm_name, target.revenue_vnd) == ("Công ty Hải Âu (đã sửa)", 3_750_000_000)


def test_without_a_journey_to_show_the_refusal_stands(client, db, wave):
    """No respondent session: there is no page to fill in, so the error page says the form expired."""
    response = client.post("/firm", data=helpers.firm_data(), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The form has expired. Please try again." in page and EXPIRED not in page
    assert responses(db) == 0


def test_the_kept_forms_are_post_routes_of_the_app(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts >= KEEP_TYPED


def test_an_internal_note_typed_past_the_tokens_life_comes_back(client, db, as_role, opened_long_ago):
    wave = factories.wave(name="Đợt 2025")
    target = factories.response(wave, factories.enterprise(name="Công ty Hải Âu"), {}, submit=False)
    db.session.commit()
    as_role(Role.ANALYST)
    url = f"/staff/responses/{target.id}"
    old = opened_long_ago(url)
    note = "Đã gọi điện: giám đốc hẹn gửi lại số liệu doanh thu vào thứ Hai"
    page, fresh = kept_page(client.post(f"{url}/notes", data={"text": note, "csrf_token": old}), old)
    assert note in page
    assert client.post(f"{url}/notes", data={"text": note, "csrf_token": fresh}).status_code == 303
    assert note in client.get(url).get_data(as_text=True)
