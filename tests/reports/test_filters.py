"""The filter vocabulary's one parser: canonical names and their aliases, every bad value
refused with a message naming it, unknown filters refused, nothing unchecked reaches SQL."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from survey.models import AdminUnit, Role
from survey.reports import filters

AREA = "Quận Hồng Bàng"


def test_canonical_names_and_their_aliases_give_the_same_filters(db):
    canonical = {"unit": "11311", "former_area": AREA, "sector": "C", "economic_pillar": "other"}
    canonical |= {"size_class": "small", "ownership": "private"}
    short = {"unit": "11311", "area": AREA, "sector": "C", "pillar": "other", "size": "small"}
    short |= {"ownership": "private"}
    assert filters.parse(canonical, db.session) == canonical
    assert filters.parse(short, db.session) == canonical
    # Both names of one filter with the same value is one filter; empty values are none.
    assert filters.parse({"area": AREA, "former_area": AREA, "sector": ""}, db.session) == {
        "former_area": AREA
    }


def test_two_names_of_one_filter_with_different_values_are_refused(db):
    with pytest.raises(filters.BadFilter, match="size and size_class are one filter"):
        filters.parse({"size": "small", "size_class": "large"}, db.session)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("unit", "99999", "Unknown unit code '99999'"),
        ("unit", "11311 ", "Unknown unit code '11311 '"),
        ("former_area", "Atlantis", "Unknown former area 'Atlantis'; choose from "),
        ("area", "hồng bàng", "Unknown former area 'hồng bàng'"),
        ("sector", "Z", "Unknown sector 'Z'; choose from A, B, C,"),
        ("sector", "c", "Unknown sector 'c'"),
        ("economic_pillar", "space", "Unknown economic pillar 'space'; choose from high_tech_industry, "),
        ("pillar", "OTHER", "Unknown economic pillar 'OTHER'"),
        ("size_class", "giant", "Unknown size class 'giant'; choose from micro, small, medium, large, h"),
        ("ownership", "public", "Unknown ownership 'public'; choose from state, private, foreign,"),
        ("sector", "C\x00", "Unknown sector 'C\\x00'"),  # PostgreSQL would refuse the NUL itself
    ],
)
def test_each_bad_value_gets_a_clear_message(db, name, value, message):
    with pytest.raises(filters.BadFilter) as refused:
        filters.parse({name: value}, db.session)
    assert message in str(refused.value)


def test_the_former_area_message_lists_the_areas(db):
    with pytest.raises(filters.BadFilter) as refused:
        filters.parse({"former_area": "Atlantis"}, db.session)
    areas = set(db.session.scalars(select(AdminUnit.former_area)))
    assert AREA in areas and all(area in str(refused.value) for area in areas)


def test_an_unknown_filter_is_refused_when_strict_and_left_to_the_page_otherwise(db):
    with pytest.raises(filters.BadFilter, match="Unknown filter 'colour'; the filters are unit, former_area"):
        filters.parse({"colour": "red"}, db.session, strict=True)
    # A page's own parameters (wave, sort, page, …) are not filters.
    assert filters.parse({"wave": "3", "sort": "n", "sector": "C"}, db.session) == {"sector": "C"}


def test_a_page_offers_only_its_filters(db):
    offered = ("unit", "former_area", "sector")
    assert filters.parse({"pillar": "other", "area": AREA}, db.session, names=offered) == {
        "former_area": AREA
    }
    with pytest.raises(filters.BadFilter, match="Unknown filter 'pillar'"):
        filters.parse({"pillar": "other"}, db.session, names=offered, strict=True)


def test_conditions_refuse_what_is_no_dimension():
    from survey.reports.dimensions import UnknownDimension

    with pytest.raises(UnknownDimension):
        filters.conditions({"colour": "red"}, filters.Response)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/staff/dashboard", "size_class"),
        ("/staff/dashboard", "size"),
        ("/staff/responses", "size"),
        ("/staff/responses", "size_class"),
    ],
)
def test_pages_refuse_a_bad_value_with_the_parsers_message(client, as_role, export_wave, path, name):
    as_role(Role.VIEWER)
    response = client.get(f"{path}?wave={export_wave.wave.id}&{name}=giant")
    assert response.status_code == 400
    assert "Unknown size class &#39;giant&#39;" in response.get_data(as_text=True)


def test_pages_read_a_filter_under_either_name(client, as_role, export_wave):
    as_role(Role.VIEWER)
    wave = export_wave.wave.id

    def total(**query) -> str:
        page = client.get(f"/staff/responses?{urlencode({'wave': wave, **query})}").get_data(as_text=True)
        return page.split('data-testid="total">')[1].split("<")[0]

    assert total(area=AREA) == total(former_area=AREA) != total()
    assert total(size="small") == total(size_class="small")
    dashboard = client.get(f"/staff/dashboard?wave={wave}&pillar=other")
    assert dashboard.status_code == 200
    page = dashboard.get_data(as_text=True)
    assert '<input type="hidden" name="economic_pillar" value="other">' in page
