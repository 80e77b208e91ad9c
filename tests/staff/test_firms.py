"""The register to work in (/staff/firms): browse, search without diacritics, filter, sort,
open a firm, export the list; administrators edit a firm, audited and conflict-safe.
Analysts read, viewers are refused, personal IDs are whole for administrators only."""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey import work
from survey.extensions import db as _db
from survey.models import (
    AuditEvent,
    BusinessKind,
    Enterprise,
    IdType,
    Ownership,
    Role,
    SizeClass,
)
from survey.registry import editing
from tests import factories
from tests.concurrency import scratch_app
from tests.staff.staff_helpers import logged_in, staff_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERSONAL_ID = "031080123456"
MASKED = "031•••••••56"


def english(client) -> None:
    """Most tests read the English wording; the Vietnamese pages are tested on their own."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:1500]
    return html.unescape(response.get_data(as_text=True))


def listed(text: str) -> list[str]:
    """The firms' names in the order the list shows them."""
    return [
        html.unescape(n) for n in re.findall(r'<tr data-firm="\d+">\s*<td><a href="[^"]+">([^<]*)</a>', text)
    ]


@pytest.fixture
def register(db):
    """Five businesses across units, sectors, kinds and ownerships."""
    firms = {
        "le_chan": factories.enterprise(
            name="Công ty TNHH Lê Chân Xanh",
            unit_id=factories.unit("11383").id,
            sector_code="G",
            ownership=Ownership.STATE,
            employees=8,
            contact_email="lechan@example.vn",
        ),
        "anh": factories.enterprise(name="Ánh Dương JSC", sector_code="C", employees=150),
        "an": factories.enterprise(
            name="An Phát", sector_code="H", ownership=Ownership.FOREIGN, employees=60
        ),
        "binh": factories.enterprise(
            name="Bình Minh",
            unit_id=factories.unit("11602").id,
            sector_code="F",
            employees=None,
            ownership=None,
        ),
        "home": factories.household(
            tax_code=PERSONAL_ID,
            name="Hộ kinh doanh Cô Hoa",
            unit_id=factories.unit("11383").id,
            sector_code="I",
            contact_name="Trần Thị Hoa",
        ),
    }
    _db.session.commit()
    return firms


# --- who may ---------------------------------------------------------------------------


def test_viewers_are_refused_everything(client, db, register):
    logged_in(client, db, Role.VIEWER)
    firm = register["an"]
    for path in (
        "/staff/firms",
        "/staff/firms/export.xlsx",
        f"/staff/firms/{firm.id}",
        f"/staff/firms/{firm.id}/edit",
    ):
        assert client.get(path).status_code == 403, path
    token = staff_token(client)
    assert client.post(f"/staff/firms/{firm.id}/edit", data={"csrf_token": token}).status_code == 403


def test_analysts_read_and_export_but_do_not_edit(client, db, register):
    logged_in(client, db, Role.ANALYST)
    english(client)
    firm = register["an"]
    assert "An Phát" in page(client, "/staff/firms")
    detail = page(client, f"/staff/firms/{firm.id}")
    assert "An Phát" in detail and "Edit this firm" not in detail
    assert client.get("/staff/firms/export.xlsx").status_code == 200
    assert client.get(f"/staff/firms/{firm.id}/edit").status_code == 403
    token = staff_token(client)
    refused = client.post(f"/staff/firms/{firm.id}/edit", data={"csrf_token": token, "name": "Đổi tên"})
    assert refused.status_code == 403
    db.session.refresh(firm)
    assert firm.name == "An Phát"


def test_an_unknown_firm_is_not_found(client, db):
    logged_in(client, db, Role.ADMIN)
    for path in ("/staff/firms/999999", "/staff/firms/999999/edit", "/staff/firms/99999999999"):
        assert client.get(path).status_code == 404, path
    token = staff_token(client)
    assert client.post("/staff/firms/999999/edit", data={"csrf_token": token}).status_code == 404


# --- browse, search, filter, sort ------------------------------------------------------


def test_the_list_speaks_in_words_not_codes(client, db, register):
    logged_in(client, db, Role.ANALYST)
    text = page(client, "/staff/firms?q=Lê Chân Xanh")  # Vietnamese page (the default)
    assert listed(text) == ["Công ty TNHH Lê Chân Xanh"]
    row = text[text.index('<tr data-firm="') :]
    row = row[: row.index("</tr>")]
    assert "Phường Lê Chân" in row and "Nhà nước" in row and "Doanh nghiệp" in row
    assert "Bán buôn và bán lẻ" in row  # sector G by its name
    for code in (">state<", ">enterprise<", ">G<", ">micro<"):
        assert code not in row, code


@pytest.mark.parametrize(
    "term",
    ["le chan", "Lê Chân", "LÊ CHÂN", "lê chân xanh", unicodedata.normalize("NFD", "Lê Chân"), "LE CHAN"],
)
def test_search_by_name_ignores_diacritics_and_case(client, db, register, term):
    logged_in(client, db, Role.ANALYST)
    assert listed(page(client, f"/staff/firms?q={term}")) == ["Công ty TNHH Lê Chân Xanh"]


def test_search_by_tax_code_and_by_the_visible_part_of_a_personal_id(client, db, register):
    analyst = logged_in(client, db, Role.ANALYST)
    code = register["an"].tax_code
    assert listed(page(client, f"/staff/firms?q={code[:9]}")) == ["An Phát"]
    assert listed(page(client, f"/staff/firms?q={code}")) == ["An Phát"]
    # An analyst finds a personal ID by what the mask shows, never by its hidden digits.
    assert "Hộ kinh doanh Cô Hoa" in listed(page(client, "/staff/firms?q=56"))
    assert listed(page(client, "/staff/firms?q=0801234")) == []
    assert analyst.role is Role.ANALYST


def test_a_whole_personal_id_is_never_searched(client, db, register):
    logged_in(client, db, Role.ADMIN)
    english(client)
    for path in ("/staff/firms", "/staff/firms/export.xlsx"):
        response = client.get(f"{path}?q=031 080 123 456&sector=I")
        assert response.status_code == 303
        assert PERSONAL_ID not in response.headers["Location"] and "sector=I" in response.headers["Location"]
    assert "never searched" in page(client, "/staff/firms")
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).filter_by(action="register.exported"))
        == 0
    )


def test_personal_ids_are_whole_for_admins_only(app, client, db, register):
    logged_in(client, db, Role.ANALYST)
    text = page(client, "/staff/firms?q=Cô Hoa")
    assert MASKED in text and PERSONAL_ID not in text
    detail = page(client, f"/staff/firms/{register['home'].id}")
    assert MASKED in detail and PERSONAL_ID not in detail

    admin = app.test_client()
    logged_in(admin, db, Role.ADMIN)
    assert PERSONAL_ID in page(admin, "/staff/firms?q=Cô Hoa")
    assert PERSONAL_ID in page(admin, f"/staff/firms/{register['home'].id}")


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("unit=11383", ["Công ty TNHH Lê Chân Xanh", "Hộ kinh doanh Cô Hoa"]),
        ("area=Quận Hồng Bàng", ["An Phát", "Ánh Dương JSC", "Bình Minh"]),
        ("sector=C", ["Ánh Dương JSC"]),
        ("business=household", ["Hộ kinh doanh Cô Hoa"]),
        ("ownership=foreign", ["An Phát"]),
        ("size=medium", ["An Phát", "Ánh Dương JSC"]),
        ("unit=11383&sector=G&ownership=state", ["Công ty TNHH Lê Chân Xanh"]),
        ("unit=11602&q=binh", ["Bình Minh"]),
    ],
)
def test_filters_narrow_the_list(client, db, register, query, names):
    logged_in(client, db, Role.ANALYST)
    assert listed(page(client, f"/staff/firms?{query}")) == names


def test_a_filter_matching_nothing_says_so(client, db, register):
    logged_in(client, db, Role.ANALYST)
    english(client)
    text = page(client, "/staff/firms?sector=C&ownership=state")
    assert listed(text) == [] and 'data-testid="no-match"' in text
    assert "No business of the register matches" in text
    assert "export.xlsx" not in text


@pytest.mark.parametrize(
    "query", ["sector=Z", "unit=00000", "business=company", "sort=password", "dir=up", "page=x", "q=a%00b"]
)
def test_unknown_parameters_are_refused(client, db, query):
    logged_in(client, db, Role.ANALYST)
    assert client.get(f"/staff/firms?{query}").status_code == 400
    assert client.get(f"/staff/firms/export.xlsx?{query}").status_code == 400


def test_names_sort_without_regard_to_diacritics_both_ways(client, db, register):
    logged_in(client, db, Role.ANALYST)
    ascending = listed(page(client, "/staff/firms"))
    assert ascending == [
        "An Phát",
        "Ánh Dương JSC",
        "Bình Minh",
        "Công ty TNHH Lê Chân Xanh",
        "Hộ kinh doanh Cô Hoa",
    ]
    assert listed(page(client, "/staff/firms?sort=name&dir=desc")) == ascending[::-1]
    by_staff = listed(page(client, "/staff/firms?sort=employees&dir=desc&business=enterprise"))
    assert by_staff[:3] == ["Ánh Dương JSC", "An Phát", "Công ty TNHH Lê Chân Xanh"]
    # A firm whose figure is not known comes last both ways, on both databases.
    assert by_staff[-1] == "Bình Minh"
    assert listed(page(client, "/staff/firms?sort=employees"))[-1] == "Bình Minh"


def test_the_list_is_paged_and_sort_links_keep_the_filters(app, client, db, register, monkeypatch):
    logged_in(client, db, Role.ANALYST)
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    first = page(client, "/staff/firms?area=Quận Hồng Bàng")
    assert listed(first) == ["An Phát", "Ánh Dương JSC"]
    assert listed(page(client, "/staff/firms?area=Quận Hồng Bàng&page=2")) == ["Bình Minh"]
    assert listed(page(client, "/staff/firms?area=Quận Hồng Bàng&page=9")) == ["Bình Minh"]  # the last page
    links = re.findall(r'href="\?([^"]*sort=employees[^"]*)"', first)
    assert links and all("area=" in link for link in links)


# --- one firm --------------------------------------------------------------------------


def test_a_firm_shows_its_data_and_its_responses_by_wave(client, db, register, framework):
    firm = register["le_chan"]
    first = factories.wave(name="Đợt 2025")
    second = factories.wave(name="Đợt 2026")
    answered = factories.response(first, firm, factories.answers_at(framework, 0.5))
    draft = factories.response(second, firm)
    db.session.commit()
    logged_in(client, db, Role.ANALYST)
    english(client)

    text = page(client, f"/staff/firms/{firm.id}")

    assert "Công ty TNHH Lê Chân Xanh" in text and "Phường Lê Chân" in text and "State-owned" in text
    assert "lechan@example.vn" in text  # analysts see contacts
    assert f'href="/staff/responses/{answered.id}"' in text and f'href="/staff/responses/{draft.id}"' in text
    assert "Đợt 2025" in text and "Đợt 2026" in text
    assert "Submitted" in text and "Not submitted yet" in text and "Awaiting review" in text


# --- editing ---------------------------------------------------------------------------


def form_of(client, firm_id: int) -> dict[str, str]:
    """The edit form as the page fills it."""
    text = client.get(f"/staff/firms/{firm_id}/edit").get_data(as_text=True)
    values = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', text)
    }
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', text, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body)
        values[name] = next(v for v in chosen.groups() if v is not None) if chosen else ""
    return values


def edits(db) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).filter_by(action="register.edited")).all()


def test_the_edit_form_shows_the_stored_values_the_vietnamese_way(client, db, register):
    firm = register["an"]
    firm.revenue_vnd = 1_432_491_253
    db.session.commit()
    logged_in(client, db, Role.ADMIN)
    values = form_of(client, firm.id)
    assert values["name"] == "An Phát" and values["tax_code"] == firm.tax_code
    assert values["unit"] == "11311" and values["sector"] == "H" and values["ownership"] == "foreign"
    assert values["kind"] == "enterprise" and values["employees"] == "60"
    assert values["revenue_bn_vnd"] == "1,43" and values["capital_bn_vnd"] == "2"
    assert values["version"] == editing.version(firm)
    text = client.get(f"/staff/firms/{firm.id}/edit").get_data(as_text=True)
    assert 'inputmode="decimal"' in text and 'inputmode="numeric"' in text


def test_an_admin_edits_a_firm_audited_with_before_and_after(client, db, register):
    firm = register["an"]
    admin = logged_in(client, db, Role.ADMIN)
    english(client)
    values = form_of(client, firm.id)
    values.update(
        name="An Phát Logistics",
        unit="11329",
        sector="C – Công nghiệp chế biến, chế tạo",
        employees="1 200",
        revenue_bn_vnd="2,5 tỷ",
        capital_bn_vnd="",
        contact_email="Moi@AnPhat.vn",
    )

    saved = client.post(f"/staff/firms/{firm.id}/edit", data=values)

    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"/staff/firms/{firm.id}")
    db.session.refresh(firm)
    assert (firm.name, firm.unit.code, firm.sector_code, firm.employees) == (
        "An Phát Logistics",
        "11329",
        "C",
        1200,
    )
    assert (firm.revenue_vnd, firm.capital_vnd, firm.contact_email) == (2_500_000_000, None, "moi@anphat.vn")
    assert firm.size_class is SizeClass.LARGE  # re-derived: 1,200 employees in industry
    (event,) = edits(db)
    assert (event.actor_id, event.object_type, event.object_id) == (admin.id, "enterprises", str(firm.id))
    details = event.details
    assert details["before"]["name"] == "An Phát" and details["after"]["name"] == "An Phát Logistics"
    assert details["before"]["sector_code"] == "H" and details["after"]["sector_code"] == "C"
    assert details["after"]["revenue_vnd"] == 2_500_000_000 and details["after"]["capital_vnd"] is None
    assert details["before"]["size_class"] == "medium" and details["after"]["size_class"] == "large"
    # A contact is personal data erased after retention: named as changed, never kept.
    assert "contact_email" in details["changed"]
    assert "contact_email" not in details["before"] and "moi@anphat.vn" not in str(details)
    assert "Firm saved." in page(client, f"/staff/firms/{firm.id}")


def test_an_amount_left_as_shown_keeps_its_exact_value(client, db, register):
    firm = register["an"]
    firm.revenue_vnd = 1_432_491_253
    db.session.commit()
    logged_in(client, db, Role.ADMIN)
    values = form_of(client, firm.id)
    assert values["revenue_bn_vnd"] == "1,43"
    assert client.post(f"/staff/firms/{firm.id}/edit", data=values | {"name": "An Phát 2"}).status_code == 303
    db.session.refresh(firm)
    assert (firm.name, firm.revenue_vnd) == ("An Phát 2", 1_432_491_253)
    values = form_of(client, firm.id) | {"revenue_bn_vnd": "1,5"}
    assert client.post(f"/staff/firms/{firm.id}/edit", data=values).status_code == 303
    db.session.refresh(firm)
    assert firm.revenue_vnd == 1_500_000_000


def test_saving_without_a_change_writes_nothing(client, db, register):
    firm = register["binh"]
    logged_in(client, db, Role.ADMIN)
    english(client)
    saved = client.post(f"/staff/firms/{firm.id}/edit", data=form_of(client, firm.id))
    assert saved.status_code == 303
    assert edits(db) == []
    assert "Nothing was changed." in page(client, f"/staff/firms/{firm.id}")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("tax_code", "0100233487", "check digit"),
        ("tax_code", PERSONAL_ID, "looks like a personal ID"),
        ("name", "  ", "is empty"),
        ("unit", "99999", "is not a commune-level unit"),
        ("sector", "Z", "is not a VSIC section letter"),
        ("sector", "C – Xây dựng", "the name is not that of section C"),
        ("ownership", "public", "is not one of"),
        ("kind", "company", "kind of business 'company'"),
        ("employees", "nhiều", "is not a whole number"),
        ("revenue_bn_vnd", "1.500", "can be read as 1,5 or as 1500 billion đồng"),
        ("revenue_bn_vnd", "25000000,5", "is an amount in đồng"),
        ("capital_bn_vnd", "-1", "must be 0 or more"),
        ("contact_email", "not-an-address", "is not an e-mail address"),
        ("address", "a" * 301, "longer than 300 characters"),
    ],
)
def test_edits_follow_the_register_import_rules(client, db, register, field, value, words):
    firm = register["an"]
    logged_in(client, db, Role.ADMIN)
    english(client)
    values = form_of(client, firm.id) | {field: value}

    refused = client.post(f"/staff/firms/{firm.id}/edit", data=values)

    assert refused.status_code == 400
    text = html.unescape(refused.get_data(as_text=True))
    errors = re.search(rf'id="{field}-error">(.*?)</ul>', text, re.S)
    assert errors and words in errors.group(1), text[:3000]
    # What was typed stays in the form.
    assert (
        f'value="{value.strip()}"' in text
        or f'<option selected value="{value}"' in text
        or field
        in (
            "unit",
            "sector",
            "ownership",
            "kind",
        )
    )
    db.session.refresh(firm)
    assert firm.name == "An Phát" and edits(db) == []


def test_an_identifier_of_another_firm_is_refused(client, db, register):
    firm, other = register["an"], register["binh"]
    logged_in(client, db, Role.ADMIN)
    english(client)
    refused = client.post(
        f"/staff/firms/{firm.id}/edit", data=form_of(client, firm.id) | {"tax_code": other.tax_code}
    )
    assert refused.status_code == 400
    assert "another business of the register already has this identifier: Bình Minh" in html.unescape(
        refused.get_data(as_text=True)
    )


def test_a_household_gets_its_personal_id_and_the_audit_keeps_it_masked(client, db, register):
    firm = register["binh"]
    person = factories.personal_id()
    logged_in(client, db, Role.ADMIN)
    values = form_of(client, firm.id) | {"kind": "household", "tax_code": f"{person[:3]} {person[3:]}"}

    assert client.post(f"/staff/firms/{firm.id}/edit", data=values).status_code == 303

    db.session.refresh(firm)
    assert (firm.kind, firm.id_type, firm.tax_code) == (BusinessKind.HOUSEHOLD, IdType.CCCD12, person)
    assert firm.size_class is SizeClass.HOUSEHOLD
    (event,) = edits(db)
    assert person not in str(event.details)
    assert event.details["after"]["tax_code"] == person[:3] + "•" * 7 + person[-2:]
    assert event.details["after"]["id_type"] == "cccd12"


def test_two_edits_cannot_silently_overwrite_each_other(app, client, db, register):
    firm = register["an"]
    logged_in(client, db, Role.ADMIN)
    english(client)
    mine = form_of(client, firm.id)
    # Another administrator saves first, from the same starting point.
    other = app.test_client()
    logged_in(other, db, Role.ADMIN)
    theirs = form_of(other, firm.id) | {"name": "An Phát (của họ)", "employees": "70"}
    assert other.post(f"/staff/firms/{firm.id}/edit", data=theirs).status_code == 303

    late = client.post(f"/staff/firms/{firm.id}/edit", data=mine | {"name": "An Phát (của tôi)"})

    assert late.status_code == 409
    text = html.unescape(late.get_data(as_text=True))
    assert "Someone else changed this firm" in text
    assert 'value="An Phát (của tôi)"' in text  # what I typed is kept
    assert 'data-stored="name">Stored now: An Phát (của họ)' in text
    assert 'data-stored="employees">Stored now: 70' in text
    db.session.refresh(firm)
    assert (firm.name, firm.employees) == ("An Phát (của họ)", 70)
    assert len(edits(db)) == 1
    # Having seen theirs, I save again on the page's new version.
    fresh = re.search(r'name="version" type="hidden" value="([0-9a-f]+)"', text) or re.search(
        r'name="version"[^>]*value="([0-9a-f]+)"', text
    )
    again = client.post(
        f"/staff/firms/{firm.id}/edit",
        data=mine | {"name": "An Phát (của tôi)", "employees": "70", "version": fresh.group(1)},
    )
    assert again.status_code == 303
    db.session.refresh(firm)
    assert firm.name == "An Phát (của tôi)" and len(edits(db)) == 2


# --- export ----------------------------------------------------------------------------


def exported(client, query: str = "") -> tuple[list[str], list[tuple]]:
    response = client.get(f"/staff/firms/export.xlsx?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX and "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(BytesIO(response.get_data()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return list(rows[0]), rows[1:]


def test_the_export_holds_the_filtered_list_in_words(client, db, register):
    logged_in(client, db, Role.ADMIN)
    english(client)
    header, rows = exported(client, "unit=11383&sort=name")
    assert header[:4] == [
        "Name of the business",
        "Tax code or personal ID",
        "Kind of business",
        "Ward, commune or special zone",
    ]
    assert "Contact e-mail" in header
    column = {name: index for index, name in enumerate(header)}
    assert [r[0] for r in rows] == ["Công ty TNHH Lê Chân Xanh", "Hộ kinh doanh Cô Hoa"]
    firm, home = rows
    assert firm[column["Kind of business"]] == "Enterprise" and firm[column["Ownership"]] == "State-owned"
    assert firm[column["Unit code"]] == "11383" and firm[column["Sector code"]] == "G"
    assert firm[column["Sector (VSIC)"]].startswith("Wholesale and retail trade")
    assert firm[column["Size class"]] == "Micro enterprise"
    assert Decimal(str(firm[column["Revenue last year (billion đồng)"]])) == 5
    assert firm[column["Contact e-mail"]] == "lechan@example.vn"
    assert home[column["Tax code or personal ID"]] == PERSONAL_ID  # an admin sees it whole
    event = db.session.scalar(select(AuditEvent).filter_by(action="register.exported"))
    assert event.details["count"] == 2 and event.details["filters"] == {"unit": "11383"}
    assert event.details["personal_ids"] is True


def test_the_export_follows_the_search_and_masks_personal_ids_for_analysts(client, db, register):
    logged_in(client, db, Role.ANALYST)
    english(client)
    _, rows = exported(client, "q=co hoa")
    assert [(r[0], r[1]) for r in rows] == [("Hộ kinh doanh Cô Hoa", MASKED)]
    _, everything = exported(client)
    assert PERSONAL_ID not in str(everything) and len(everything) == 5
    events = db.session.scalars(select(AuditEvent).filter_by(action="register.exported")).all()
    assert [e.details["personal_ids"] for e in events] == [False, False]
    assert events[0].details["searched"] is True


def test_the_export_in_vietnamese(client, db, register):
    logged_in(client, db, Role.ADMIN)
    header, rows = exported(client, "ownership=state")
    assert "Loại hình cơ sở kinh doanh" in header and "Người liên hệ" in header
    (row,) = rows
    assert "Doanh nghiệp" in row and "Nhà nước" in row and "Doanh nghiệp siêu nhỏ" in row


# --- a real race: two saves at once ------------------------------------------------------


@pytest.fixture(scope="module")
def race_app(database_url, tmp_path_factory):
    with scratch_app(database_url, tmp_path_factory.mktemp("firm-race"), "race_firm") as app:
        yield app


def test_two_saves_at_the_same_moment_cannot_both_win(race_app):
    """The second save waits for the first's row lock, then finds a new version: a conflict."""
    with race_app.app_context():
        firm = Enterprise(tax_code=factories.tax_code(), name="Đua")
        _db.session.add(firm)
        _db.session.commit()
        firm_id, seen = firm.id, editing.version(firm)
        _db.session.remove()
    first_locked, results = threading.Event(), {}

    def save(name: str, wait: bool) -> None:
        with race_app.test_request_context():
            try:
                with work.unit(writes=True):
                    if not wait:
                        first_locked.wait(10)
                    business = editing.locked(_db.session, firm_id)
                    if wait:
                        first_locked.set()
                        threading.Event().wait(0.5)  # hold the lock while the other tries
                    values = {f: getattr(business, f) for f in (*editing.EDITABLE, "id_type")} | {
                        "name": name
                    }
                    editing.save(_db.session, business, seen, values)
                results[name] = "saved"
            except editing.Conflict:
                results[name] = "conflict"
            finally:
                _db.session.remove()

    threads = [
        threading.Thread(target=save, args=("first", True)),
        threading.Thread(target=save, args=("second", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert results == {"first": "saved", "second": "conflict"}
    with race_app.app_context():
        assert _db.session.get(Enterprise, firm_id).name == "first"
        _db.session.remove()
