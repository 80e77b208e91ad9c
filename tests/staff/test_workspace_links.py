"""The workspace leads to its pages: the menu shows each role what it may open, the list
of responses tells the business's own from those staff entered, and a firm's page leads
to entering a response for it."""

from __future__ import annotations

import re

import pytest

from survey.models import Role
from survey.models.response import EntryMethod
from tests import factories

MENU = {
    "/staff/entry": Role.ANALYST,
    "/staff/firms": Role.ANALYST,
    "/staff/register": Role.ADMIN,
    "/staff/api-tokens": Role.ADMIN,
    "/staff/users": Role.ADMIN,
}
RANK = [Role.VIEWER, Role.ANALYST, Role.ADMIN]


def menu_links(page: str) -> set[str]:
    nav = re.search(r'<nav class="staff-nav".*?</nav>', page, re.S).group(0)
    return set(re.findall(r'href="([^"?#]+)', nav))


@pytest.mark.parametrize("role", RANK)
def test_the_menu_shows_each_role_the_pages_it_may_open(client, as_role, role):
    as_role(role)
    links = menu_links(client.get("/staff/").get_data(as_text=True))
    for url, needed in MENU.items():
        allowed = RANK.index(role) >= RANK.index(needed)
        assert (url in links) == allowed, (role, url)
        if allowed:  # and the page it leads to opens
            assert client.get(url).status_code == 200, url


def test_the_list_tells_the_businesss_own_responses_from_those_staff_entered(client, db, as_role):
    wave = factories.wave(name="Đợt 2025")
    own = factories.response(wave, factories.enterprise(name="Công ty Tự Khai"), {}, submit=False)
    entered = factories.response(wave, factories.enterprise(name="Công ty Qua Điện Thoại"), {}, submit=False)
    clerk = as_role(Role.ANALYST)
    entered.entry_method, entered.entered_by_id = EntryMethod.PHONE, clerk.id
    db.session.commit()

    def names(query: str) -> set[str]:
        page = client.get(f"/staff/responses?wave={wave.id}{query}").get_data(as_text=True)
        return {n for n in ("Công ty Tự Khai", "Công ty Qua Điện Thoại") if n in page}

    assert own.entry_method is None
    assert names("") == {"Công ty Tự Khai", "Công ty Qua Điện Thoại"}
    assert names("&entry=staff") == {"Công ty Qua Điện Thoại"}
    assert names("&entry=self") == {"Công ty Tự Khai"}
    page = client.get(f"/staff/responses?wave={wave.id}&entry=staff").get_data(as_text=True)
    assert re.search(r'<option value="staff" selected>', page)
    assert client.get(f"/staff/responses?wave={wave.id}&entry=robot").status_code == 400


def test_a_firms_page_leads_to_entering_a_response_for_it(client, db, as_role):
    factories.wave(name="Đợt 2025")
    firm = factories.enterprise(name="Công ty Giấy Tiên Lãng")
    db.session.commit()
    as_role(Role.ANALYST)
    page = client.get(f"/staff/firms/{firm.id}").get_data(as_text=True)
    link = f'href="/staff/entry?enterprise={firm.id}"'
    assert link in page
    entry = client.get(f"/staff/entry?enterprise={firm.id}", headers={"Accept-Language": "vi"})
    assert entry.status_code == 200 and "Công ty Giấy Tiên Lãng" in entry.get_data(as_text=True)
