"""The dashboard and the public summary show the rollup's figures, never a small group's share."""

from __future__ import annotations

import re

import pytest

from survey import frameworks
from survey.models import Role
from survey.statistics.rollup import breakdown, rollup
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
HIGH = factories.answers_at(FRAMEWORK, 1.0)
LOW = factories.answers_at(FRAMEWORK, 0.0)


@pytest.fixture
def city(db):
    """Manufacturing (C): 6 responses, 2 engaged. Transport (H): 2 responses (too few)."""
    wave = factories.wave(name="Đợt 2025")
    for index in range(6):
        firm = factories.enterprise(sector_code="C", employees=20)
        factories.response(
            wave, firm, HIGH if index < 2 else LOW, technologies=["cloud"] if index < 2 else []
        )
    for _ in range(2):
        factories.response(wave, factories.enterprise(sector_code="H", employees=20), HIGH)
    for _ in range(4):
        factories.enterprise(sector_code="H", employees=20)  # in the register, not responding
    db.session.commit()
    return wave


def _percent(value: float) -> str:
    return f"{value * 100:.1f}".replace(".", ",")  # Vietnamese decimal comma


def test_headline_is_the_rollups_population_estimate(client, db, as_role, city):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={city.id}").get_data(as_text=True)
    result = rollup(db.session, city)
    engaged = result["population"]["tiers"]["engaged"]
    shown = re.search(r'data-testid="estimate-engaged">([^<]+)<', page).group(1)
    assert shown.startswith(_percent(engaged["estimate"]))
    assert _percent(engaged["ci_low"]) in page and _percent(engaged["ci_high"]) in page
    # The 2022 reference figures are beside it, with their source.
    assert 'data-testid="reference"' in page and "Báo Xây dựng" in page and "76" in page


def test_small_groups_are_marked_not_shown_as_shares(client, db, as_role, city):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={city.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    row = re.search(r'<tr data-group="H" class="suppressed">(.*?)</tr>', page, re.S).group(1)
    assert "Too few responses to report" in row and "100" not in row
    manufacturing = next(g for g in breakdown(db.session, city, "sector") if g["key"] == "C")
    row = re.search(r'<tr data-group="C">(.*?)</tr>', page, re.S).group(1)
    assert _percent(manufacturing["tiers"]["engaged"]["share"]).replace(",", ".") in row


def test_filters_apply_to_every_figure_and_unknown_values_are_refused(client, db, as_role, city):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={city.id}&sector=C").get_data(as_text=True)
    filtered = rollup(db.session, city, filters={"sector": "C"})
    assert f"{filtered['overall']['n']} " in page or f"{filtered['overall']['n']}<" in page
    assert 'data-group="H"' not in page
    assert client.get(f"/staff/dashboard?wave={city.id}&sector=Z").status_code == 400
    assert client.get(f"/staff/dashboard?wave={city.id}&unit=' OR 1=1 --").status_code == 400


def test_charts_are_accessible_svg(client, db, as_role, city):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={city.id}").get_data(as_text=True)
    charts = re.findall(r'<svg [^>]*role="img" aria-labelledby="([^"]+)"', page)
    assert len(charts) >= 8
    for ids in charts:
        for part in ids.split():
            assert f'id="{part}"' in page


def test_public_summary_shows_the_city_and_never_a_small_group(app, client, db, city, monkeypatch):
    page = client.get("/summary").get_data(as_text=True)
    assert 'data-testid="headline"' in page
    assert 'data-group="H" class="suppressed"' in page
    row = page.split('data-group="H" class="suppressed">', 1)[1].split("</tr>", 1)[0]
    assert "%" not in row
    assert "Đợt 2025" in page
    monkeypatch.setitem(app.config, "PUBLIC_SUMMARY", False)
    assert client.get("/summary").status_code == 404


def test_trend_appears_with_two_waves(client, db, as_role, city):
    earlier = factories.wave(name="Đợt 2024", opens_at=city.opens_at.replace(year=2024))
    factories.response(earlier, factories.enterprise(), LOW)
    db.session.commit()
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={city.id}").get_data(as_text=True)
    trend = page.split('data-testid="trend"', 1)[1].split("</table>", 1)[0]
    assert trend.index("Đợt 2024") < trend.index("Đợt 2025")
