"""Every dashboard chart downloads as a standalone SVG and as a PNG, under the page's filters,
for staff (viewers and up) and, for the public summary's charts, for anyone."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree

import pytest
from defusedxml import ElementTree as SafeXML
from PIL import Image

from survey import frameworks
from survey.dashboard import download
from survey.models import Role
from survey.models.business import ENTERPRISE_KINDS
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
HIGH = factories.answers_at(FRAMEWORK, 1.0)
LOW = factories.answers_at(FRAMEWORK, 0.0)
EN = {"Accept-Language": "en"}
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def city(db):
    """Manufacturing (C): 6 responses, 2 engaged. Transport (H): 2 responses, both engaged
    (too few to report); 4 more transport firms in the register."""
    wave = factories.wave(name="Đợt 2025", kinds=[k.value for k in ENTERPRISE_KINDS])
    for index in range(6):
        factories.response(wave, factories.enterprise(sector_code="C"), HIGH if index < 2 else LOW)
    for index in range(6):
        firm = factories.enterprise(sector_code="H")
        if index < 2:
            factories.response(wave, firm, HIGH)
    db.session.commit()
    return wave


def svg_of(response) -> ElementTree.Element:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    body = response.get_data()
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = SafeXML.fromstring(body)
    assert root.tag == f"{SVG}svg" and int(root.get("width")) > 600
    return root


def texts(root: ElementTree.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_every_chart_on_the_page_links_to_its_svg_and_png_under_the_filters(client, db, as_role, city):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={city.id}&size_class=small&sort=n", headers=EN).get_data(
        as_text=True
    )
    figures = re.findall(r'<figure class="dash-chart" data-chart="([^"]+)">(.*?)</figure>', page, re.S)
    names = [name for name, _ in figures]
    assert {"pillars", "levels", "by-sector", "by-unit", "by-economic_pillar"} <= set(names)
    for name, body in figures:
        links = re.findall(r'<a href="([^"]+)" download data-format="(svg|png)">', body)
        assert [fmt for _, fmt in links] == ["svg", "png"], name
        for href, fmt in links:
            href = href.replace("&amp;", "&")
            assert href.startswith(f"/staff/dashboard/charts/{name}.{fmt}?"), href
            assert f"wave={city.id}" in href and "size_class=small" in href and "sort=n" in href
    # Each link answers with its chart (the SVG of every one, the PNG of one).
    for name in names:
        root = svg_of(client.get(f"/staff/dashboard/charts/{name}.svg?wave={city.id}", headers=EN))
        assert root.get("data-chart") == name


def test_the_svg_is_the_pages_chart_with_its_title_wave_and_filters_written_on_it(client, db, as_role, city):
    as_role(Role.VIEWER)
    root = svg_of(client.get(f"/staff/dashboard/charts/levels.svg?wave={city.id}", headers=EN))
    words = texts(root)
    assert words[0] == "Enterprises by overall level"
    assert "Đợt 2025 · All firms of the wave, no filter" in words
    # 8 responses: the 4 low ones at level 0, the 4 high ones at level 5.
    assert "4 (50.0%)" in words
    assert root.find(f"{SVG}title").text == "Enterprises by overall level"
    # Under a filter: the filter in words, and the figures of the filtered wave only
    # (manufacturing: 4 of its 6 at level 0).
    root = svg_of(client.get(f"/staff/dashboard/charts/levels.svg?wave={city.id}&sector=C", headers=EN))
    words = texts(root)
    assert "4 (66.7%)" in words and "4 (50.0%)" not in words
    assert any(w.startswith("Đợt 2025 · Filters: Sector (VSIC): C – ") for w in words)


def test_a_breakdowns_svg_keeps_the_page_order_and_never_shows_a_small_group(client, db, as_role, city):
    as_role(Role.VIEWER)
    root = svg_of(client.get(f"/staff/dashboard/charts/by-sector.svg?wave={city.id}", headers=EN))
    words = texts(root)
    # Manufacturing: 2 of 6, ≈ 2 of its 6 register firms; transport too few, no bar.
    assert "33.3% (≈ 2)" in words and "too few" in words
    assert len(list(root.iter(f"{SVG}rect"))) == 2  # the white background and one bar
    assert words.index("Manufacturing") < words.index("Transportation and storage")


def test_the_png_is_the_svg_drawn(client, db, as_role, city):
    as_role(Role.VIEWER)
    svg = svg_of(client.get(f"/staff/dashboard/charts/levels.svg?wave={city.id}&sector=C"))
    response = client.get(f"/staff/dashboard/charts/levels.png?wave={city.id}&sector=C")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="chart-levels-wave-{city.id}.png"'
    )
    body = response.get_data()
    assert body.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(body))
    image.verify()
    # The same drawing at twice the SVG's size, for print.
    assert image.size == (2 * int(svg.get("width")), 2 * int(svg.get("height")))


def test_a_server_without_cairo_refuses_the_png_and_offers_the_svg(client, db, as_role, city, monkeypatch):
    as_role(Role.VIEWER)
    monkeypatch.setattr(download, "png_available", lambda: False)
    assert client.get(f"/staff/dashboard/charts/levels.png?wave={city.id}").status_code == 503
    page = client.get(f"/staff/dashboard?wave={city.id}").get_data(as_text=True)
    assert 'data-format="svg"' in page and 'data-format="png"' not in page


def test_chart_downloads_need_a_viewer_and_refuse_what_is_not_a_chart(app, client, db, as_role, city):
    url = f"/staff/dashboard/charts/levels.svg?wave={city.id}"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/staff/login")
    assert app.test_client().get(url.replace(".svg", ".png")).status_code == 302
    as_role(Role.VIEWER)
    assert client.get(url).status_code == 200
    for bad in (
        f"/staff/dashboard/charts/nothing.svg?wave={city.id}",
        f"/staff/dashboard/charts/by-nothing.svg?wave={city.id}",
        f"/staff/dashboard/charts/by-population.svg?wave={city.id}",  # one population: no such chart
        f"/staff/dashboard/charts/levels.gif?wave={city.id}",
        "/staff/dashboard/charts/levels.svg?wave=999999",
    ):
        assert client.get(bad).status_code == 404, bad
    assert client.get(f"/staff/dashboard/charts/levels.svg?wave={city.id}&sector=Z").status_code == 400
    assert client.get("/staff/dashboard/charts/levels.svg?wave=x").status_code == 400


def test_the_public_summarys_charts_download_for_anyone_with_its_suppression(
    app, client, db, city, monkeypatch
):
    page = client.get("/summary", headers=EN).get_data(as_text=True)
    links = re.findall(r'href="(/summary/charts/[^"]+)" download', page)
    assert "/summary/charts/by-sector.svg" in links and "/summary/charts/levels.png" in links
    root = svg_of(client.get("/summary/charts/by-sector.svg", headers=EN))
    words = texts(root)
    assert "too few" in words and "100.0%" not in " ".join(words)
    png = client.get("/summary/charts/by-sector.png")
    assert png.status_code == 200 and png.get_data().startswith(PNG_SIGNATURE)
    # Only the summary's own breakdowns: no chart by commune-level unit, nor by ownership.
    assert client.get("/summary/charts/by-unit.svg").status_code == 404
    assert client.get("/summary/charts/by-ownership.svg").status_code == 404
    monkeypatch.setitem(app.config, "PUBLIC_SUMMARY", False)
    assert client.get("/summary/charts/by-sector.svg").status_code == 404
