"""The result page lists the programmes that fit the firm, says why in words, and the PDF too."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta

from flask import render_template

from survey.models import Role
from survey.support import services
from survey.timezone import LOCAL
from tests import factories
from tests.respondent import helpers
from tests.respondent.test_advice import answers_with_weakest, open_result
from tests.respondent.test_result_pdf import flat, text_of
from tests.support.helpers import stored

V1 = helpers.FRAMEWORK


def today() -> date:
    return datetime.now(LOCAL).date()


def small_firm_answering(db, weak: str = "data", needs: list[str] | None = None):
    """A submitted small enterprise whose pillar ``weak`` is its weakest, with ``needs`` ticked."""
    wave = factories.with_modules(factories.wave(), "barriers-needs")
    firm = factories.enterprise(employees=25, revenue_vnd=12 * 10**9, sector_code="G")
    response = factories.response(wave, firm, answers=answers_with_weakest(V1, weak))
    if needs is not None:
        factories.answer_module(response, "barriers-needs", {"needs": needs})
    db.session.commit()
    assert response.size_class.value == "small"
    return response


def shown(page: str) -> list[str]:
    section = re.search(r'data-testid="programmes".*?</section>', page, re.S)
    return re.findall(r'<h3 id="programme-\d+">([^<]*)</h3>', section.group(0)) if section else []


def test_the_page_lists_what_fits_best_first_and_says_why(client, db):
    day = timedelta(days=1)
    stored(db, name="Đám mây cho doanh nghiệp", needs=["cloud", "security"], link="https://cloud.example.vn")
    stored(db, name="Dữ liệu cho người mới", pillars=["data"], levels=[0, 1], contact="0225 3000 000")
    stored(db, name="Chung cho mọi doanh nghiệp", starts_on=today() - day, ends_on=today() + day)
    stored(db, name="Chỉ doanh nghiệp lớn", sizes=["large"])
    stored(db, name="Chỉ hộ kinh doanh", kinds=["household"])
    stored(db, name="Đã rút", active=False)
    stored(db, name="Đã kết thúc", ends_on=today() - day)
    stored(db, name="Chưa bắt đầu", starts_on=today() + day)
    stored(db, name="Cho người đã ghi nhu cầu khác", needs=["finance"])
    response = small_firm_answering(db, "data", needs=["cloud", "training"])

    page = html.unescape(open_result(client, db, response).get_data(as_text=True))
    assert shown(page) == ["Đám mây cho doanh nghiệp", "Dữ liệu cho người mới", "Chung cho mọi doanh nghiệp"]
    cloud = re.search(r'<article class="programme".*?</article>', page, re.S).group(0)
    assert "Serves your need: Infrastructure and cloud services." in cloud
    assert '<a href="https://cloud.example.vn" rel="noopener noreferrer external">' in cloud
    data = re.findall(r'<article class="programme".*?</article>', page, re.S)[1]
    assert "For your weakest pillar: Data & information assets." in data
    assert "0225 3000 000" in data
    general = re.findall(r'<article class="programme".*?</article>', page, re.S)[2]
    assert "data-why" not in general and "From " in general and " to " in general


def test_nothing_is_shown_when_nothing_fits(client, db):
    stored(db, name="Chỉ doanh nghiệp lớn", sizes=["large"])
    response = small_firm_answering(db)
    page = open_result(client, db, response).get_data(as_text=True)
    assert 'data-testid="programmes"' not in page and "Support you can ask for" not in page


def test_a_need_programme_needs_the_need_ticked(client, db):
    stored(db, name="Đám mây", needs=["cloud"])
    without_module = factories.response(factories.wave(), answers=factories.answers_at(V1, 0.3))
    db.session.commit()
    assert shown(open_result(client, db, without_module).get_data(as_text=True)) == []
    ticked = small_firm_answering(db, needs=["cloud"])
    assert shown(open_result(client, db, ticked).get_data(as_text=True)) == ["Đám mây"]


def test_the_pdf_lists_the_programmes_without_forms_or_buttons(client, db, app):
    stored(db, name="Đám mây cho doanh nghiệp", needs=["cloud"], link="https://cloud.example.vn/goi")
    response = small_firm_answering(db, needs=["cloud"])
    got = open_result(client, db, response, "/result.pdf")
    assert got.status_code == 200
    text = flat(text_of(got.data))
    assert "Đám mây cho doanh nghiệp" in text and "https://cloud.example.vn/goi" in text
    # The section as the PDF renders it: the address printed, no link, form or button.
    with app.test_request_context(headers={"Accept-Language": "en"}):
        offers = services.matching_for(db.session, response, _card(response), today())
        part = render_template("respondent/_programmes.html", programmes=offers, pdf=True)
    assert "https://cloud.example.vn/goi" in part
    assert not re.search(r"<(form|button|a)\b", part)


def _card(response):
    from survey.respondent import pages
    from survey.responses.scoring import profile_of
    from survey.scoring import scorer_for

    return scorer_for(pages.framework_for(response)).score(response.answers, profile_of(response))


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_what_staff_typed_is_escaped_wherever_it_is_shown(client, db, as_role):
    stored(db, name=HOSTILE, provider=HOSTILE, offers=HOSTILE, contact=HOSTILE, link="https://x.vn/?q=\"'<>")
    response = small_firm_answering(db)
    pages = [open_result(client, db, response).get_data(as_text=True)]
    as_role(Role.VIEWER)
    pages.append(client.get("/staff/support").get_data(as_text=True))
    pages.append(client.get(f"/staff/dashboard?wave={response.wave_id}").get_data(as_text=True))
    for page in pages:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert 'href="https://x.vn/?q=&#34;&#39;&lt;&gt;"' in pages[0]
