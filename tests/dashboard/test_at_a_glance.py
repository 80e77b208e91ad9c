"""The dashboard at a glance: contents, firms beside every share, register counts and
response rates per group, a message when the filters match nothing, one meaning of
"pillar", the 2022 box in the page's language."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from survey import frameworks
from survey.dashboard.estimates import firms, rounded, with_firms
from survey.models import AdminUnit, Role
from survey.models.business import ENTERPRISE_KINDS
from survey.statistics.rollup import rollup
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
HIGH = factories.answers_at(FRAMEWORK, 1.0)
LOW = factories.answers_at(FRAMEWORK, 0.0)
EN = {"Accept-Language": "en"}
VI = {"Accept-Language": "vi"}


@pytest.fixture
def city(db):
    """A wave for enterprises. Register: 6 manufacturing firms (C), all answer, 2 engaged;
    6 transport firms (H), 2 answer, both engaged (too few to report); 1 construction firm
    (F) that has not answered."""
    wave = factories.wave(name="Đợt 2025", kinds=[k.value for k in ENTERPRISE_KINDS])
    for index in range(6):
        firm = factories.enterprise(sector_code="C", employees=20)
        factories.response(
            wave, firm, HIGH if index < 2 else LOW, technologies=["cloud"] if index < 2 else []
        )
    for index in range(6):
        firm = factories.enterprise(sector_code="H", employees=20)
        if index < 2:
            factories.response(wave, firm, HIGH)
    factories.enterprise(sector_code="F", employees=20)
    db.session.commit()
    return wave


def text(html: str) -> str:
    """What a reader sees: tags dropped, no-break spaces as spaces, blanks squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html).replace("\xa0", " ")).strip()


def row(page: str, dimension: str, group: str) -> str:
    table = page.split(f'data-dimension="{dimension}"', 1)[1].split("</table>", 1)[0]
    return re.search(rf'<tr data-group="{group}"[^>]*>(.*?)</tr>', table, re.S).group(1)


def cells(html: str) -> list[str]:
    return [text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)]


def page_of(client, url: str, headers=EN) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# --- the one helper -------------------------------------------------------------------


def test_firms_are_the_share_of_the_register_rounded_as_an_estimate():
    # 41.2% of 9,345 firms is 3,850.1; its interval 38.6–43.8% is 3,607.2–4,093.1:
    # from 1,000 up an estimate is given in tens, below it in whole firms.
    assert firms(0.412, 0.386, 0.438, 9345).__dict__ == {"estimate": 3850, "low": 3610, "high": 4090}
    assert firms(1 / 3, 0.0968, 0.7001, 6).__dict__ == {"estimate": 2, "low": 1, "high": 4}
    assert (rounded(2.5), rounded(999.5), rounded(1004.9), rounded(1005)) == (3, 1000, 1000, 1010)
    assert firms(None, None, None, 10) is None and firms(0.5, 0.4, 0.6, 0) is None
    assert firms(0.5, None, None, 10).__dict__ == {"estimate": 5, "low": None, "high": None}


def test_the_helper_writes_the_share_then_its_firms_in_the_pages_language(app):
    with app.test_request_context(headers=VI), force_locale("vi"):
        shown = text(str(with_firms(0.412, 0.386, 0.438, 9345, ["enterprises"])))
        assert shown.startswith("41,2% (≈ 3.850 ") and shown.endswith("; 3.610–4.090)")
    with app.test_request_context(headers=EN), force_locale("en"):
        assert text(str(with_firms(0.412, 0.386, 0.438, 9345, ["enterprises"]))) == (
            "41.2% (≈ 3,850 firms; 3,610–4,090)"
        )
        assert text(str(with_firms(0.5, None, None, 12, ["enterprises", "households"]))) == (
            "50.0% (≈ 6 businesses)"
        )
        # No register to scale by: the share keeps its own interval; no share: a dash.
        assert text(str(with_firms(0.5, 0.3, 0.7, None))) == "50.0% (30.0%–70.0%)"
        assert text(str(with_firms(None, None, None, 12))) == "–"


# --- the page --------------------------------------------------------------------------


def test_every_link_of_the_contents_reaches_its_section(client, db, as_role, city):
    factories.with_modules(city, "barriers-needs")
    earlier = factories.wave(
        name="Đợt 2024", opens_at=city.opens_at.replace(year=2024), kinds=[k.value for k in ENTERPRISE_KINDS]
    )
    factories.response(earlier, factories.enterprise(), LOW)
    db.session.commit()
    as_role(Role.VIEWER)
    page = page_of(client, f"/staff/dashboard?wave={city.id}")
    contents = page.split('data-testid="contents"', 1)[1].split("</nav>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', contents)
    assert targets == [
        "headline",
        "pillars",
        "levels",
        "technologies",
        "breakdowns",
        "mod-barriers-needs",
        "trend",
    ]
    for target in targets:
        assert len(re.findall(rf'<(section|div) id="{target}"', page)) == 1, target
    # The breakdowns' own links, each to its breakdown.
    sublinks = page.split('class="dash-sublinks"', 1)[1].split("</nav>", 1)[0]
    for target in re.findall(r'href="#([^"]+)"', sublinks):
        assert f'<section id="{target}" class="dash-breakdown"' in page, target
    # The headline comes before everything the contents lead to.
    assert page.index('id="headline"') < page.index('data-testid="contents"') < page.index('id="pillars"')


def test_each_share_has_its_firms_and_each_group_its_register_and_response_rate(client, db, as_role, city):
    as_role(Role.VIEWER)
    page = page_of(client, f"/staff/dashboard?wave={city.id}")
    # Manufacturing: 6 of its 6 register firms answered; 2 of 6 engaged, Wilson's interval
    # at n 6 is 9.7%–70.0%, so ≈ 2 of its 6 firms (0.6–4.2, so 1–4).
    manufacturing = cells(row(page, "sector", "C"))
    assert manufacturing[:4] == ["Manufacturing", "6", "6", "100.0%"]
    # All six are in one stratum, so the estimate weighted inside the group is their own
    # share, which is written under it.
    assert manufacturing[4] == "33.3% (≈ 2 firms; 1–4) Share of respondents: 33.3%"
    # Transport: 2 of 6 answered, too few to report a share, but its register and n are.
    transport = cells(row(page, "sector", "H"))
    assert transport[1:4] == ["2", "6", "–"] and "Too few responses" in transport[4]
    assert "%" not in "".join(transport)
    # Construction: in the register, nobody answered: a row all the same, to send invitations.
    construction = cells(row(page, "sector", "F"))
    assert construction[1:3] == ["0", "1"] and construction[4] == "No responses yet"
    # The headline: the 13 firms in two strata, industry (C and F: 7 firms, 2 of 6 engaged)
    # and trade and services (H: 6 firms, 2 of 2): (7 × 2/6 + 6 × 2/2) / 13 = 0.641, so
    # ≈ 8.3 → 8 firms, the rollup's interval scaled by the same 13.
    population = rollup(db.session, city)["population"]
    engaged = population["tiers"]["engaged"]
    assert population["register_size"] == 13
    assert engaged["estimate"] == pytest.approx((7 * 2 / 6 + 6) / 13)
    headline = text(page.split('data-tier="engaged"', 1)[1].split("</div>", 1)[0])
    low, high = rounded(engaged["ci_low"] * 13), rounded(engaged["ci_high"] * 13)
    assert f"(≈ 8 firms; {low}–{high})" in headline
    # Levels: 4 of the 8 responses are at level 0, half: ≈ 6.5 → 7 of the 13 firms.
    level = cells(re.search(r'<tr data-level="0">(.*?)</tr>', page, re.S).group(1))
    assert level[1:] == ["4", "50.0% (≈ 7 firms)"]
    # Technologies: 2 of 8 use the cloud: ≈ 3.25 → 3 firms.
    cloud = cells(re.search(r'<tr data-technology="cloud">(.*?)</tr>', page, re.S).group(1))
    assert cloud[1:] == ["2", "25.0% (≈ 3 firms)"]


def test_a_response_rate_above_one_says_the_responses_are_filed_wrong(client, db, as_role):
    """Six responses filed under a unit with one register firm (the unit-filter bug did
    this): 600%, and the officer is told to check where they are filed."""
    wave = factories.wave()
    other = db.session.scalars(
        select(AdminUnit).where(AdminUnit.code != "11311").order_by(AdminUnit.code)
    ).first()
    factories.enterprise(unit_id=other.id)
    for _ in range(6):
        factories.response(wave, factories.enterprise(), LOW, unit_id=other.id)
    db.session.commit()
    as_role(Role.VIEWER)
    page = page_of(client, f"/staff/dashboard?wave={wave.id}")
    shown = cells(row(page, "unit", other.code))
    assert shown[1:3] == ["6", "1"]
    assert shown[3].startswith("600.0% more responses than firms in the register")
    # The unit the six firms really are in: six register firms, none of them answered.
    assert cells(row(page, "unit", "11311"))[1:3] == ["0", "6"]


def test_filters_matching_no_firm_or_no_response_say_so(client, db, as_role, city):
    as_role(Role.VIEWER)
    for query, why in (("sector=A", "register"), ("sector=F", "responses")):
        page = page_of(client, f"/staff/dashboard?wave={city.id}&{query}")
        message = re.search(r'data-testid="empty-filter" data-empty="([a-z]+)">(.*?)</p>', page, re.S)
        assert message and message.group(1) == why, query
        # No empty tables, no zeros, no charts; the filters open to change, a link to clear.
        assert "data-dimension=" not in page and "<svg" not in page and 'data-testid="headline"' not in page
        assert '<details class="dash-filters" open>' in page
        assert f'href="/staff/dashboard?wave={city.id}"' in message.group(2)
    assert "1 firms of the register do" in text(page)
    assert client.get(f"/staff/dashboard/charts/levels.svg?wave={city.id}&sector=F").status_code == 404


def test_the_citys_sectors_of_focus_are_never_called_pillars(client, db, as_role, city):
    as_role(Role.VIEWER)
    english = page_of(client, f"/staff/dashboard?wave={city.id}")
    assert '<h2 id="bd-economic_pillar">Economic sector</h2>' in english
    assert "economic pillar" not in english.lower()
    vietnamese = page_of(client, f"/staff/dashboard?wave={city.id}", VI)
    assert "Trụ cột kinh tế" not in vietnamese and "trụ cột kinh tế" not in vietnamese
    # The framework's six pillars keep the word.
    assert '<h2 id="pillars-title">Các trụ cột' in vietnamese


def test_the_2022_reference_box_is_in_the_pages_language(client, db, as_role, city):
    as_role(Role.VIEWER)
    vietnamese = page_of(client, f"/staff/dashboard?wave={city.id}", VI)
    box = vietnamese.split('data-testid="reference"', 1)[1].split("</div>", 1)[0]
    assert "Doanh nghiệp đã tham gia cách mạng công nghiệp 4.0" in box
    assert "Báo Xây dựng, 13/06/2022" in box
    # Neither the tier's code nor the English gloss of the source.
    shown = text(box)
    assert "engaged" not in shown and "outside" not in shown and "figures the city reported" not in shown
    english = page_of(client, f"/staff/dashboard?wave={city.id}")
    box = english.split('data-testid="reference"', 1)[1].split("</div>", 1)[0]
    assert "Enterprises taking part in the Industry 4.0 revolution" in box


def test_the_public_summary_has_the_contents_firms_and_register(client, db, city):
    page = page_of(client, "/summary")
    assert 'data-testid="contents"' in page and 'data-testid="headline"' in page
    assert cells(row(page, "sector", "C"))[1:5] == [
        "6",
        "6",
        "100.0%",
        "33.3% (≈ 2 firms; 1–4) Share of respondents: 33.3%",
    ]
    assert "%" not in "".join(cells(row(page, "sector", "H")))
