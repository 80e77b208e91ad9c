"""Keeping the catalogue over HTTP: list, new, edit, withdraw and restore; who may; audited."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from survey.models import AuditEvent, Role, SupportProgramme
from tests.support.helpers import stored

EN = {"Accept-Language": "en"}


def form(**overrides) -> dict:
    data = {
        "name": "Hỗ trợ chuyển đổi số theo Nghị định 80",
        "provider": "Sở Khoa học và Công nghệ",
        "offers": "Hỗ trợ một phần chi phí tư vấn chuyển đổi số.",
        "link": "https://hotro.example.vn/nd80",
        "contact": "cds@example.vn",
        "pillars": ["strategy", "data"],
        "levels": ["0", "1", "2"],
        "sizes": ["micro", "small"],
        "kinds": ["enterprise"],
        "needs": ["assessment", "cloud"],
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, path: str, data: dict, token_from: str | None = None):
    token = client.csrf_token(token_from or path)
    return client.post(path, data={**data, "csrf_token": token}, headers=EN)


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(SupportProgramme))


def audits(db, action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_an_admin_adds_a_programme_and_it_is_audited(client, db, as_role):
    admin = as_role(Role.ADMIN)
    response = post(client, "/staff/support/new", form())
    assert response.status_code == 302, text_of(response)[:2000]
    p = db.session.scalar(select(SupportProgramme))
    assert (p.name, p.provider, p.link, p.contact) == (
        "Hỗ trợ chuyển đổi số theo Nghị định 80",
        "Sở Khoa học và Công nghệ",
        "https://hotro.example.vn/nd80",
        "cds@example.vn",
    )
    assert p.pillars == ["strategy", "data"] and p.levels == [0, 1, 2]
    assert p.sizes == ["micro", "small"] and p.kinds == ["enterprise"] and p.needs == ["assessment", "cloud"]
    assert (p.starts_on, p.ends_on, p.active) == (date(2026, 1, 1), date(2026, 12, 31), True)
    [event] = audits(db, "support.created")
    assert (event.actor_id, event.object_type, event.object_id) == (admin.id, "support_programmes", str(p.id))
    assert event.details["after"]["levels"] == [0, 1, 2]
    assert event.details["after"]["ends_on"] == "2026-12-31"


def test_the_list_and_the_form_show_words_never_codes(client, db, as_role):
    as_role(Role.ADMIN)
    stored(
        db,
        name="Đào tạo kỹ năng số",
        pillars=["culture"],
        levels=[0],
        sizes=["household"],
        needs=["training"],
    )
    page = text_of(client.get("/staff/support", headers=EN))
    row = re.search(r'<tr data-programme="\d+">.*?</tr>', page, re.S).group(0)
    for label in (
        "Digital transformation of corporate culture",
        "0 – Not yet digital",
        "Household or individual business",
    ):
        assert label in row
    assert "Digital-skills training for leaders and staff" in row
    assert "culture," not in row and ">training<" not in row
    new = text_of(client.get("/staff/support/new", headers=EN))
    assert (
        'value="management_software"' in new
        and "Management software (accounting, e-invoices, HR, ERP)" in new
    )
    assert "Branch or dependent unit" in new and "5 – Leading" in new


def test_an_admin_edits_with_before_and_after_in_the_audit(client, db, as_role):
    as_role(Role.ADMIN)
    p = stored(db, name="Cũ", sizes=["micro"])
    path = f"/staff/support/{p.id}/edit"
    assert "Cũ" in client.get(path).get_data(as_text=True)
    response = post(client, path, form(name="Mới", sizes=["micro", "medium"], levels=None))
    assert response.status_code == 302
    db.session.refresh(p)
    assert p.name == "Mới" and p.sizes == ["micro", "medium"] and p.levels == []
    [event] = audits(db, "support.edited")
    assert event.details["before"]["name"] == "Cũ" and event.details["after"]["name"] == "Mới"
    assert event.details["before"]["sizes"] == ["micro"]
    assert event.details["after"]["sizes"] == ["micro", "medium"]
    # Saving the same values again changes nothing and records nothing.
    assert post(client, path, form(name="Mới", sizes=["micro", "medium"], levels=None)).status_code == 302
    assert len(audits(db, "support.edited")) == 1


def test_withdraw_and_restore(client, db, as_role):
    as_role(Role.ADMIN)
    p = stored(db, name="Chương trình")
    assert post(client, f"/staff/support/{p.id}/withdraw", {}, "/staff/support").status_code == 302
    db.session.refresh(p)
    assert p.active is False
    assert "Withdrawn" in text_of(client.get("/staff/support", headers=EN))
    assert post(client, f"/staff/support/{p.id}/restore", {}, "/staff/support").status_code == 302
    db.session.refresh(p)
    assert p.active is True
    [withdrawn], [restored] = audits(db, "support.withdrawn"), audits(db, "support.restored")
    assert withdrawn.details == {"before": {"active": True}, "after": {"active": False}}
    assert restored.details == {"before": {"active": False}, "after": {"active": True}}
    assert client.post(f"/staff/support/{p.id}/delete", data={}).status_code == 404
    assert post(client, "/staff/support/999999/withdraw", {}, "/staff/support").status_code == 404


def test_without_the_csrf_token_nothing_is_written(client, db, as_role):
    as_role(Role.ADMIN)
    p = stored(db, name="Chương trình")
    for path, data in [
        ("/staff/support/new", form()),
        (f"/staff/support/{p.id}/edit", form(name="Khác")),
        (f"/staff/support/{p.id}/withdraw", {}),
    ]:
        assert client.post(path, data=data).status_code == 400
        assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 400
    db.session.refresh(p)
    assert count(db) == 1 and p.name == "Chương trình" and p.active
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action.startswith("support.")))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_lower_roles_read_the_list_but_write_nothing(client, db, as_role, role):
    p = stored(db, name="Chương trình đọc được")
    as_role(role)
    page = text_of(client.get("/staff/support", headers=EN))
    assert "Chương trình đọc được" in page
    assert "/staff/support/new" not in page and "/withdraw" not in page
    token = client.csrf_token("/staff/support")
    for path, data in [
        ("/staff/support/new", form()),
        (f"/staff/support/{p.id}/edit", form(name="Khác")),
        (f"/staff/support/{p.id}/withdraw", {}),
    ]:
        assert client.get(path).status_code in (403, 405)
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403
    db.session.refresh(p)
    assert count(db) == 1 and p.name == "Chương trình đọc được" and p.active


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("link", "javascript:alert(1)", "Give a web address starting with http:// or https://."),
        ("link", "ftp://files.example.vn/x", "Give a web address starting with http:// or https://."),
        ("link", "https://", "Give a web address starting with http:// or https://."),
        ("link", "https://example.vn/a b", "Give a web address starting with http:// or https://."),
        ("link", "https://[::1", "Give a web address starting with http:// or https://."),
        ("link", "hotro.example.vn", "Give a web address starting with http:// or https://."),
        ("link", "https://example.vn/" + "x" * 500, None),
        ("offers", "x" * 4001, None),
        ("ends_on", "2025-12-31", "A programme cannot end before it starts."),
        ("starts_on", "0001-01-01", "Please enter a date between the years 2000 and 2100."),
        ("name", "   ", None),
        ("sizes", ["micro", "giant"], None),
        ("levels", ["6"], None),
        ("levels", ["one"], None),
        ("levels", ["\u0661"], None),  # an Arabic-Indic 1, which int() reads
        ("levels", [" 1"], None),
        ("sizes", ["micro "], None),
        ("pillars", ["strategy", "marketing"], None),
        ("needs", ["cloud", "yachts"], None),
        ("kinds", ["state"], None),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(client, db, as_role, field, value, message):
    as_role(Role.ADMIN)
    p = stored(db, name="Chương trình")
    for path in ("/staff/support/new", f"/staff/support/{p.id}/edit"):
        response = post(client, path, form(**{field: value}))
        assert response.status_code == 400, path
        page = text_of(response)
        assert 'class="error-summary"' in page
        if message:
            assert message in page
    db.session.refresh(p)
    assert count(db) == 1 and p.name == "Chương trình" and p.link is None
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action.startswith("support.")))


def test_the_staff_menu_links_the_catalogue(client, db, as_role):
    as_role(Role.VIEWER)
    assert 'href="/staff/support"' in client.get("/staff/", headers=EN).get_data(as_text=True)
