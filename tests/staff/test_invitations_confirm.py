"""Invitations that cannot misfire: firms that submitted are left out unless asked for, an
issue shows its count and asks first, revoking and reissuing ask too (issue 15)."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey import tokens
from survey.models import AuditEvent, Invitation, Role
from tests import factories
from tests.staff.staff_helpers import by_testid, logged_in, staff_token
from tests.staff.test_invitations import (
    confirmation_fields,
    count,
    exported,
    invitation_of,
    invitations_page,
    issue,
    new_client,
    other_unit,
    path_of,
    register_firm,
)


def confirmation(client, wave_id: int, **params):
    response = client.get(f"/staff/invitations/{wave_id}/issue", query_string=params)
    return response, response.get_data(as_text=True)


def shown_count(page: str) -> int:
    match = re.search(r'data-testid="issue-count" data-count="(\d+)"', page)
    assert match, "no count on the confirmation page"
    return int(match.group(1))


def submitted_and_draft(wave):
    """A firm that submitted in ``wave``, one with a draft, one that has not started."""
    done = register_firm(name="Công ty Đã Nộp")
    factories.response(wave, done, answers=factories.answers_at(_framework(), 0.5))
    started = register_firm(name="Công ty Đang Làm")
    factories.response(wave, started, {}, submit=False)
    silent = register_firm(name="Công ty Chưa Mở")
    return done, started, silent


def _framework():
    from survey import frameworks

    return frameworks.load("dbi-2021-sme", 1)


def test_firms_that_submitted_are_left_out_unless_the_box_is_ticked(client, db):
    wave = factories.wave()
    done, started, silent = submitted_and_draft(wave)
    # A submission in another wave does not count for this one.
    elsewhere = register_firm()
    factories.response(factories.wave(), elsewhere, answers=factories.answers_at(_framework(), 0.5))
    logged_in(client, db, Role.ANALYST)

    _, page = confirmation(client, wave.id)
    assert shown_count(page) == 3
    assert re.search(r'data-testid="left-out">[^<]*\b1\b', page), "the firm left out is not counted"
    assert by_testid(page, "submitted-rule") in ("Left out", "Không bao gồm")
    links = exported(issue(client, wave.id))
    assert set(links) == {started.tax_code, silent.tax_code, elsewhere.tax_code}
    assert done.tax_code not in links
    event = db.session.scalars(select(AuditEvent).filter_by(action="invitations.issued")).one()
    assert event.details["include_submitted"] is False and event.details["count"] == 3

    # Ticked: the firm that submitted is offered too (the others have live links by now).
    _, page = confirmation(client, wave.id, include_submitted="1")
    assert shown_count(page) == 1
    assert set(exported(issue(client, wave.id, include_submitted="1"))) == {done.tax_code}


def test_the_confirmation_page_counts_and_creates_nothing(client, db):
    wave = factories.wave()
    here = [register_firm(sector_code="C") for _ in range(2)]
    register_firm(unit_id=other_unit(db).id, sector_code="G")
    logged_in(client, db, Role.ANALYST)

    response, page = confirmation(client, wave.id, unit="11311")
    assert response.status_code == 200
    assert shown_count(page) == 2
    # For which filter, in words: the unit's name, not its code.
    filters = re.search(r'data-testid="issue-filters">(.*?)</dl>', page, re.S).group(1)
    assert factories.unit("11311").name_vi in filters and "11311" not in filters
    # Looking (and looking again) creates nothing and records nothing.
    confirmation(client, wave.id, unit="11311")
    assert count(db, Invitation) == 0
    assert db.session.scalars(select(AuditEvent).filter_by(action="invitations.issued")).all() == []

    # The page's form carries the filter and the count it showed, under CSRF.
    fields = confirmation_fields(page, f"/staff/invitations/{wave.id}/issue")
    assert fields is not None and fields["unit"] == "11311" and fields["count"] == "2"
    assert fields["csrf_token"]
    assert set(exported(client.post(f"/staff/invitations/{wave.id}/issue", data=fields))) == {
        f.tax_code for f in here
    }


def test_a_changed_count_issues_nothing_and_asks_again(client, db):
    wave = factories.wave()
    register_firm()
    logged_in(client, db, Role.ANALYST)
    _, page = confirmation(client, wave.id)
    fields = confirmation_fields(page, f"/staff/invitations/{wave.id}/issue")
    assert fields["count"] == "1"

    register_firm()  # the register grew while the officer read the page
    db.session.commit()
    again = client.post(f"/staff/invitations/{wave.id}/issue", data=fields)
    assert again.status_code == 409
    text = again.get_data(as_text=True)
    assert 'data-testid="count-changed"' in text and shown_count(text) == 2
    assert count(db, Invitation) == 0
    # Confirming the new count issues both.
    fresh = confirmation_fields(text, f"/staff/invitations/{wave.id}/issue")
    assert fresh["count"] == "2"
    assert len(exported(client.post(f"/staff/invitations/{wave.id}/issue", data=fresh))) == 2


def test_nothing_to_issue_offers_no_button(client, db):
    wave = factories.wave()
    done = register_firm()
    factories.response(wave, done, answers=factories.answers_at(_framework(), 0.5))
    logged_in(client, db, Role.ANALYST)
    _, page = confirmation(client, wave.id)
    assert shown_count(page) == 0
    assert 'data-testid="nothing-to-issue"' in page
    assert confirmation_fields(page, f"/staff/invitations/{wave.id}/issue") is None


def test_an_issue_needs_its_csrf_token_and_refuses_junk(client, db):
    wave = factories.wave()
    register_firm()
    logged_in(client, db, Role.ANALYST)
    path = f"/staff/invitations/{wave.id}/issue"
    assert client.post(path, data={"count": "1"}).status_code == 400
    token = staff_token(client)
    for junk in ({"count": "-1"}, {"count": "1.0"}, {"count": "9" * 12}, {"include_submitted": "yes"}):
        assert client.post(path, data={"csrf_token": token, **junk}).status_code == 400, junk
    assert client.get(path, query_string={"include_submitted": "on"}).status_code == 400
    assert client.get(path, query_string={"unit": "99999"}).status_code == 400
    assert count(db, Invitation) == 0


def _live_invitation(db, wave, firm) -> tuple[Invitation, str]:
    token, digest = tokens.new_token()
    invitation = Invitation(wave_id=wave.id, enterprise_id=firm.id, token_hash=digest)
    db.session.add(invitation)
    db.session.commit()
    return invitation, f"/i/{token}"


def test_revoke_and_reissue_ask_first(app, client, db):
    wave = factories.wave()
    firm = register_firm(name="Công ty Hỏi Trước")
    invitation, link = _live_invitation(db, wave, firm)
    logged_in(client, db, Role.ANALYST)

    # The list offers each action as a link to its confirmation page, no one-click POST.
    listing = invitations_page(client, wave.id)
    row = re.search(rf'<tr data-invitation="{invitation.id}">(.*?)</tr>', listing, re.S).group(1)
    assert "<form" not in row
    assert f"/staff/invitations/link/{invitation.id}/revoke" in row
    assert f"/staff/invitations/link/{invitation.id}/reissue" in row
    assert re.search(r'data-status-of="\d+">(Not opened|Chưa mở)<', row), row

    for action in ("revoke", "reissue"):
        path = f"/staff/invitations/link/{invitation.id}/{action}"
        shown = client.get(path)
        assert shown.status_code == 200
        page = shown.get_data(as_text=True)
        assert "Công ty Hỏi Trước" in page
        assert by_testid(page, "invitation-status") in ("Not opened", "Chưa mở")
        assert confirmation_fields(page, path)["csrf_token"]
        # Asking changed nothing: the link is live, the same link.
        db.session.expire_all()
        still = db.session.get(Invitation, invitation.id)
        assert (still.revoked_at, still.token_hash) == (None, invitation.token_hash)
        assert count(db, Invitation) == 1
    assert new_client(app).get(link).status_code == 302  # and it still opens

    # Confirmed: revoked; the confirmation page for it now says it is gone.
    path = f"/staff/invitations/link/{invitation.id}/revoke"
    assert client.post(path, data={"csrf_token": staff_token(client)}).status_code == 200
    assert new_client(app).get(link).status_code == 404
    assert client.get(path).status_code == 409
    assert client.get(f"/staff/invitations/link/{invitation.id}/reissue").status_code == 409


def test_reissue_confirmed_from_its_page(app, client, db):
    wave = factories.wave()
    firm = register_firm()
    logged_in(client, db, Role.ANALYST)
    old = exported(issue(client, wave.id))[firm.tax_code]["link"]
    invitation = invitation_of(db, old)
    path = f"/staff/invitations/link/{invitation.id}/reissue"
    fields = confirmation_fields(client.get(path).get_data(as_text=True), path)
    done = client.post(path, data=fields)
    assert done.status_code == 200 and 'data-testid="new-link"' in done.get_data(as_text=True)
    assert new_client(app).get(path_of(old)).status_code == 404


def test_viewers_may_not_see_the_confirmation_pages(client, db):
    wave = factories.wave()
    invitation, _ = _live_invitation(db, wave, register_firm())
    logged_in(client, db, Role.VIEWER)
    for path in (
        f"/staff/invitations/{wave.id}/issue",
        f"/staff/invitations/link/{invitation.id}/revoke",
        f"/staff/invitations/link/{invitation.id}/reissue",
    ):
        assert client.get(path).status_code == 403, path


def test_statuses_are_words_on_vietnamese_pages(client, db):
    wave = factories.wave()
    _live_invitation(db, wave, register_firm())
    logged_in(client, db, Role.ANALYST)
    page = invitations_page(client, wave.id)
    for code in ("not_opened", "opened", "draft", "submitted"):
        assert not re.search(rf">\s*{code}\s*<", page), code
    assert "Chưa mở" in page
