"""Household businesses' personal IDs (Law 91/2025/QH15): whole for admins, masked for
everyone else, on every page and in every export; never in a search address; erased with
the register's contacts after retention, while enterprises' tax codes stay."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from survey import frameworks, maintenance
from survey.exports import rows as export_rows
from survey.exports import workbooks
from survey.exports.requests import sees_contacts, sees_personal_ids
from survey.invitations import services as invitations
from survey.models import (
    AuditEvent,
    BusinessKind,
    Enterprise,
    ExportJob,
    IdType,
    Invitation,
    Response,
    Role,
    WaveState,
)
from survey.models.base import utcnow
from survey.registry.identifiers import mask
from survey.responses.scoring import framework_of
from tests import factories
from tests.exports.helpers import header, records, responses_workbook
from tests.respondent import helpers
from tests.staff.conftest import log_in, make_staff
from tests.staff.staff_helpers import rows_of, staff_token

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
PERSONAL_ID = "031080123456"
MASKED = "031•••••••56"
HOUSEHOLD_KINDS = ["household", "individual"]
ROLES = [Role.ADMIN, Role.ANALYST, Role.VIEWER]


def household(**fields) -> Enterprise:
    defaults = {
        "kind": BusinessKind.HOUSEHOLD,
        "id_type": IdType.CCCD12,
        "tax_code": PERSONAL_ID,
        "name": "Hộ kinh doanh Cô Hoa",
        "contact_name": "Trần Thị Hoa",
        "contact_email": "hoa@example.vn",
        "contact_phone": "0912 000 111",
    }
    return factories.household(**{**defaults, **fields})


@pytest.fixture
def world(db):
    """A wave with one household's response and one enterprise's."""
    wave = factories.wave(name="Đợt hộ kinh doanh")
    home = household()
    firm = factories.enterprise(name="Công ty TNHH Cảng Xanh")
    home_response = factories.response(
        wave, home, factories.answers_at(FRAMEWORK, 0.5), firm_name=home.name, kind=BusinessKind.HOUSEHOLD
    )
    firm_response = factories.response(wave, firm, factories.answers_at(FRAMEWORK, 0.5), firm_name=firm.name)
    db.session.commit()
    return wave, home, firm, home_response, firm_response


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    return response.get_data(as_text=True)


def as_(client, db, role: Role):
    user = make_staff(db, role, email=f"{role.value}.ids@staff.example.org")
    assert log_in(client, user.email).status_code == 302
    return user


# --- the rule -------------------------------------------------------------------------


def test_only_admins_see_personal_ids_in_full(db):
    admin, analyst, viewer = (make_staff(db, r, email=f"{r.value}.rule@staff.example.org") for r in ROLES)
    assert [sees_personal_ids(u) for u in (admin, analyst, viewer, None)] == [True, False, False, False]
    assert sees_contacts(analyst) and not sees_personal_ids(analyst)
    assert mask(IdType.CCCD12, PERSONAL_ID) == MASKED


# --- staff pages ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_responses_list_and_detail_show_the_personal_id_only_to_admins(client, db, world, role):
    wave, _home, firm, home_response, firm_response = world
    as_(client, db, role)
    for path in (f"/staff/responses?wave={wave.id}", f"/staff/responses/{home_response.id}"):
        text = page(client, path)
        if role is Role.ADMIN:
            assert PERSONAL_ID in text, path
        else:
            assert PERSONAL_ID not in text and MASKED in text, path
    # An enterprise's tax code is public: whole for everyone.
    assert firm.tax_code in page(client, f"/staff/responses?wave={wave.id}")
    assert firm.tax_code in page(client, f"/staff/responses/{firm_response.id}")


def issue(client, wave_id: int):
    token = staff_token(client, f"/staff/invitations?wave={wave_id}")
    return client.post(f"/staff/invitations/{wave_id}/issue", data={"csrf_token": token})


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST])
def test_invitations_workbook_page_and_audit_by_role(client, db, role):
    wave = factories.wave(name="Mời hộ kinh doanh", kinds=HOUSEHOLD_KINDS)
    home = household()
    db.session.commit()
    as_(client, db, role)
    issued = issue(client, wave.id)
    assert issued.status_code == 200, issued.get_data(as_text=True)[:1000]
    rows = rows_of(issued.get_data())
    assert rows[0][0] == "tax_code" and len(rows) == 2
    full = role is Role.ADMIN
    assert rows[1][0] == (PERSONAL_ID if full else MASKED) and rows[1][1] == home.name
    text = page(client, f"/staff/invitations?wave={wave.id}")
    assert (PERSONAL_ID in text) is full and (MASKED in text) is not full
    event = db.session.scalar(select(AuditEvent).filter_by(action="invitations.issued"))
    assert event.details["personal_ids"] is full and event.actor.role is role


def test_a_household_wave_invites_households_only_and_the_link_opens_its_response(app, client, db):
    households = factories.wave(name="Hộ 2026", kinds=HOUSEHOLD_KINDS)
    home = household()
    firm = factories.enterprise()
    db.session.commit()
    as_(client, db, Role.ADMIN)
    rows = rows_of(issue(client, households.id).get_data())
    assert [r[0] for r in rows[1:]] == [PERSONAL_ID]  # not the enterprise
    link = rows[1][5]

    respondent = app.test_client()
    opened = respondent.get(link.removeprefix("http://localhost"))
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/firm")
    draft = db.session.scalars(select(Response).filter_by(wave_id=households.id)).one()
    assert draft.enterprise_id == home.id and draft.kind == BusinessKind.HOUSEHOLD
    assert firm.id not in {i.enterprise_id for i in db.session.scalars(select(Invitation))}
    firm_page = page(respondent, "/firm")
    assert PERSONAL_ID not in firm_page
    data = helpers.firm_data(
        firm_name=home.name, employees="2", revenue_bn="0,5", contact_email="hoa@example.vn"
    )
    data.pop("ownership")
    saved = respondent.post(
        "/firm", data={**data, "consent": "y", "csrf_token": respondent.csrf_token("/firm")}
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    helpers.complete(respondent)
    # The respondent's own pages show the number masked, to the respondent too.
    review = page(respondent, "/review")
    assert PERSONAL_ID not in review and MASKED in review
    assert helpers.submit(respondent).status_code == 303
    result = page(respondent, "/result")
    assert PERSONAL_ID not in result and MASKED in result


# --- the search -----------------------------------------------------------------------


@pytest.mark.parametrize("typed", [PERSONAL_ID, "031 080 123 456", "031.080.123.456", f"Hoa {PERSONAL_ID}"])
@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER])
def test_a_whole_personal_id_is_never_searched(client, db, world, role, typed):
    wave, *_ = world
    as_(client, db, role)
    response = client.get("/staff/responses", query_string={"wave": wave.id, "q": typed, "sort": "name"})
    # Back to the same list without the search, so the number is in no link of the page.
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "q=" not in location and "sort=name" in location and f"wave={wave.id}" in location
    text = page(client, location)
    assert "flash-error" in text and "Không tìm kiếm theo cả số định danh cá nhân" in text
    # In no address, field or link of the page (an admin still sees it in the table).
    attributes = " ".join(re.findall(r'(?:href|value|action)="([^"]*)"', text))
    assert PERSONAL_ID not in attributes and typed not in attributes
    assert "031+080" not in attributes and "031%20080" not in attributes
    if role is not Role.ADMIN:
        assert PERSONAL_ID not in text
    # The search box refuses it before it is sent (a browser checks the pattern).
    assert 'pattern="(?![\\s\\S]*[0-9]{12})[\\s\\S]*"' in text


def test_a_refused_search_matches_nothing_in_the_query_layer(db, world):
    from survey.staff import response_query

    wave, *_ = world
    query = response_query.parse({"q": PERSONAL_ID}, wave.id, db.session, personal_ids=True)
    assert query.refused and query.q == ""
    assert response_query.run(db.session, query, 50).total == 0


def found(client, wave, q: str) -> set[int]:
    text = page(client, f"/staff/responses?wave={wave.id}&q={q}")
    assert 'data-testid="search-refused"' not in text
    return {int(n) for n in re.findall(r'data-response="(\d+)"', text)}


def test_digits_find_personal_ids_only_by_what_the_user_sees(client, db, world):
    wave, _home, firm, home_response, firm_response = world
    as_(client, db, Role.ANALYST)
    assert found(client, wave, firm.tax_code[:6]) == {firm_response.id}  # tax codes as before
    assert home_response.id in found(client, wave, "56")  # the mask's last two digits
    assert home_response.id in found(client, wave, "031")  # its first three
    # More digits than the mask shows would let an analyst guess the number: not matched.
    assert home_response.id not in found(client, wave, "0310801")
    assert home_response.id not in found(client, wave, "123456")
    assert home_response.id in found(client, wave, "Hoa")  # the name, always


def test_admins_find_a_household_by_the_last_digits(client, db, world):
    wave, _home, _firm, home_response, _firm_response = world
    as_(client, db, Role.ADMIN)
    assert found(client, wave, "123456") == {home_response.id}
    assert found(client, wave, "0310801") == {home_response.id}


# --- the responses workbook -----------------------------------------------------------


def test_the_responses_rows_mask_personal_ids_unless_asked(db, world):
    wave, _home, firm, home_response, firm_response = world
    masked = {r["id"]: r for r in export_rows.response_rows(db.session, wave)}
    full = {r["id"]: r for r in export_rows.response_rows(db.session, wave, personal_ids=True)}
    assert masked[home_response.id]["tax_code"] == MASKED
    assert full[home_response.id]["tax_code"] == PERSONAL_ID
    assert masked[firm_response.id]["tax_code"] == full[firm_response.id]["tax_code"] == firm.tax_code
    assert (masked[home_response.id]["kind"], masked[firm_response.id]["kind"]) == ("household", "enterprise")
    assert "_id_type" not in masked[home_response.id]


def test_the_workbook_has_the_kind_of_business_and_says_whether_ids_are_whole(db, world):
    wave, _home, *_ = world
    for personal_ids, shown in ((False, MASKED), (True, PERSONAL_ID)):
        buffer = BytesIO()
        workbooks.write_responses_workbook(
            buffer,
            framework_of(wave.framework_version),
            export_rows.response_rows(db.session, wave, personal_ids=personal_ids),
            wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
            filters={},
            exported_by="x@example.org",
            exported_at=utcnow(),
            include_personal_ids=personal_ids,
        )
        book = load_workbook(BytesIO(buffer.getvalue()))
        names = header(book["Responses"])
        assert names.index("kind") == names.index("size_class") + 1
        by_kind = {r["kind"].value: r["tax_code"].value for r in records(book["Responses"])}
        assert by_kind["household"] == shown
        assert shown in {r["tax_code"].value for r in records(book["Scores"])}
        about = {r["item"].value: r["value"].value for r in records(book["About"])}
        assert about["personal_ids_included"].startswith(str(personal_ids))
        codebook = {r["column"].value: r for r in records(book["Codebook"]) if r["option"].value is None}
        assert "Kind of business" in codebook["kind"]["text_en"].value
        assert "Loại hình kinh doanh" in codebook["kind"]["text_vi"].value


def test_the_export_helper_masks_by_default(db, world):
    wave, *_ = world
    book, _ = responses_workbook(db.session, wave)
    assert MASKED in {r["tax_code"].value for r in records(book["Responses"])}


def request_export(client, wave):
    token = client.csrf_token(f"/staff/dashboard?wave={wave.id}")
    return client.post("/staff/exports", data={"csrf_token": token, "wave": wave.id, "kind": "responses"})


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST])
def test_an_exported_workbook_and_its_audit_line_by_role(client, db, world, role):
    wave, *_ = world
    user = as_(client, db, role)
    asked = request_export(client, wave)
    assert asked.status_code == 303, asked.get_data(as_text=True)[:500]
    downloaded = client.get(asked.headers["Location"] + "/download")
    assert downloaded.status_code == 200
    book = load_workbook(BytesIO(downloaded.get_data()))
    downloaded.close()
    codes = {r["tax_code"].value for r in records(book["Responses"])}
    full = role is Role.ADMIN
    assert (PERSONAL_ID in codes) is full and (MASKED in codes) is not full
    event = db.session.scalar(select(AuditEvent).filter_by(action="export.responses"))
    assert event.actor_id == user.id and event.details["personal_ids"] is full
    taken = db.session.scalar(select(AuditEvent).filter_by(action="export.downloaded"))
    assert taken.actor_id == user.id and taken.details["personal_ids"] is full
    # The audit page names who exported them, and says the IDs were in full.
    if full:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        text = page(client, "/staff/audit?action=export.responses")
        (line,) = re.findall(r'<tr data-action="export.responses">(.*?)</tr>', text, re.S)
        assert user.email in line and "Responses workbook requested" in line
        assert "<li>With personal IDs in full: yes</li>" in line


def test_an_admin_made_analyst_cannot_take_a_file_with_whole_ids(client, db, world):
    wave, *_ = world
    admin = as_(client, db, Role.ADMIN)
    asked = request_export(client, wave)
    job = db.session.scalars(select(ExportJob)).one()
    assert job.params["personal_ids"] is True
    admin.role = Role.ANALYST
    db.session.commit()
    assert client.get(asked.headers["Location"] + "/download").status_code == 403


# --- retention ------------------------------------------------------------------------


def past_wave(**fields):
    return factories.wave(
        opens_at=utcnow() - timedelta(days=4000),
        closes_at=utcnow() - timedelta(days=3000),
        state=WaveState.CLOSED,
        **fields,
    )


def test_erase_contacts_erases_personal_ids_and_keeps_tax_codes(client, db):
    old, recent = past_wave(name="Hộ 2015"), factories.wave(name="Hộ 2026")
    gone = household()
    kept = household(tax_code="031080654321", name="Hộ đang khảo sát")
    firm = factories.enterprise(contact_email="a@example.vn")
    for business in (gone, kept, firm):
        factories.response(old, business, factories.answers_at(FRAMEWORK, 0.5), kind=business.kind)
    factories.response(recent, kept, kind=kept.kind)  # a wave still within retention
    long_ago = utcnow() - timedelta(days=2000)
    db.session.execute(update(Enterprise).values(updated_at=long_ago))
    firm_code = firm.tax_code

    erased = maintenance.erase_contacts(db.session, 365)
    db.session.commit()
    db.session.expire_all()

    assert erased.personal_ids == 1
    assert (gone.tax_code, gone.id_erased_at is not None) == (None, True)
    assert (kept.tax_code, kept.id_erased_at) == ("031080654321", None)
    assert (firm.tax_code, firm.id_erased_at) == (firm_code, None)
    assert erased.enterprises == 2  # both erased rows' contacts too: the ID erasure kept updated_at
    event = db.session.scalar(select(AuditEvent).filter_by(action="retention.contacts_erased"))
    assert event.details["personal_ids"] == 1

    # Pages and exports say it was erased.
    as_(client, db, Role.ADMIN)
    response = db.session.scalars(select(Response).filter_by(enterprise_id=gone.id)).one()
    assert "(đã xoá)" in page(client, f"/staff/responses/{response.id}")
    assert "(đã xoá)" in page(client, f"/staff/responses?wave={old.id}")
    rows = {
        r["id"]: r for r in export_rows.response_rows(db.session, old, personal_ids=True, erased="(đã xoá)")
    }
    assert rows[response.id]["tax_code"] == "(đã xoá)"
    # Nothing left to invite: an erased household gets no link.
    later = factories.wave(name="Hộ sau")
    invited = {link.enterprise.id for link in invitations.issue(db.session, later, {}, None)}
    assert gone.id not in invited and kept.id in invited


def test_the_privacy_notice_says_why_who_and_how_long(app, client, db):
    text = page(client, "/")
    match = re.search(r'data-testid="privacy-personal-id">(.*?)</section>', text, re.S)
    assert match, "no notice on the personal ID"
    notice = match.group(1)
    assert "86/2024/TT-BTC" in notice and "031•••••••23" in notice
    assert str(app.config["RETENTION_DAYS"]) in notice.replace(".", "").replace(",", "")


@pytest.mark.parametrize("role", ROLES)
def test_the_identifier_filter_masks_on_public_pages_whoever_is_logged_in(app, db, world, role):
    from flask import render_template_string
    from flask_login import login_user

    _wave, _home, firm, home_response, _ = world
    user = make_staff(db, role, email=f"{role.value}.filter@staff.example.org")
    with app.test_request_context("/"):
        login_user(user)
        staff = render_template_string("{{ r | identifier }}", r=home_response)
        public = render_template_string("{{ r | identifier(public=True) }}", r=home_response)
        firm_code = render_template_string("{{ f | identifier(public=True) }}", f=firm)
    assert staff == (PERSONAL_ID if role is Role.ADMIN else MASKED)
    assert public == MASKED and firm_code == firm.tax_code
    # The respondent's pages use the public form.
    for name in ("_result_body.html", "review.html"):
        source = (Path(__file__).parents[2] / "templates" / "respondent" / name).read_text()
        assert "identifier(public=True)" in source and ".tax_code" not in source, name
