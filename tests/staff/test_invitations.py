"""Personal invitation links: issue and export, open, follow up, revoke, reissue, refuse."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select

from survey import tokens
from survey.extensions import limiter
from survey.models import (
    AdminUnit,
    AuditEvent,
    Enterprise,
    Invitation,
    Response,
    ResponseState,
    Role,
    WaveState,
)
from survey.models.base import utcnow
from tests import factories
from tests.respondent import helpers
from tests.staff.staff_helpers import by_testid, cells_of, logged_in, rows_of, staff_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ("tax_code", "name", "contact_name", "contact_email", "contact_phone", "link")
LINK = re.compile(r"^http://localhost/i/[A-Za-z0-9_-]{40,}$")


# --- helpers -------------------------------------------------------------------------


def register_firm(**fields) -> Enterprise:
    """A register firm with contact details, as an import would leave it."""
    n = factories.tax_code()
    defaults = {
        "tax_code": n,
        "name": f"Công ty TNHH Mời {n}",
        "contact_name": "Phạm Văn Minh",
        "contact_email": f"minh.{n}@example.vn",
        "contact_phone": "0225 3842 999",
    }
    return factories.enterprise(**{**defaults, **fields})


def issue(client, wave_id: int, **filters):
    """Issue as an officer does: the confirmation page first, then its form as it was shown."""
    path = f"/staff/invitations/{wave_id}/issue"
    shown = client.get(path, query_string=filters)
    if shown.status_code != 200:
        return shown
    fields = confirmation_fields(shown.get_data(as_text=True), path)
    if fields is None:  # nothing to issue: no form; the POST alone still answers (an empty file)
        fields = {"csrf_token": staff_token(client), "count": "0", **filters}
    return client.post(path, data=fields)


def confirmation_fields(page: str, action: str) -> dict[str, str] | None:
    """The hidden fields of the page's form that POSTs to ``action`` (None: no such form)."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', page, re.S)
    if form is None:
        return None
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(1)):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if attributes.get("type") == "hidden":
            fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
    return fields


def exported(response) -> dict[str, dict]:
    """The issue response's workbook as {tax code: row}; checks the file and its header."""
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    rows = rows_of(response.get_data())
    assert rows[0] == HEADER
    result = {}
    for values in rows[1:]:
        row = dict(zip(HEADER, values, strict=True))
        assert row["tax_code"] not in result, f"{row['tax_code']} exported twice"
        result[row["tax_code"]] = row
    return result


def path_of(link: str) -> str:
    return urlsplit(link).path


def invitation_of(db, link: str) -> Invitation:
    token = path_of(link).rsplit("/", 1)[1]
    return db.session.scalars(select(Invitation).filter_by(token_hash=tokens.digest(token))).one()


def invitations_page(client, wave_id: int) -> str:
    response = client.get(f"/staff/invitations?wave={wave_id}")
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    return response.get_data(as_text=True)


def counts(client, wave_id: int) -> dict[str, int]:
    page = invitations_page(client, wave_id)
    found = dict(re.findall(r'data-status="(\w+)">([\d.,\s]+)<', page))
    return {status: int(value.strip()) for status, value in found.items()}


def rate_rows(page: str, by: str) -> dict[str, tuple[str, str, str]]:
    """A response-rate table as {group: (invited, submitted, rate)}."""
    match = re.search(rf'data-rates="{by}">(.*?)</table>', page, re.S)
    assert match, f"no {by} rate table"
    rows = re.findall(
        r'<th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>', match.group(1)
    )
    return {key: (invited, submitted, rate) for key, invited, submitted, rate in rows}


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def new_client(app):
    """Another device: a client with no cookies."""
    return app.test_client()


def post_action(client, path: str):
    token = staff_token(client)
    return client.post(path, data={"csrf_token": token})


def other_unit(db) -> AdminUnit:
    return db.session.scalars(
        select(AdminUnit).where(AdminUnit.code != "11311").order_by(AdminUnit.code)
    ).first()


# --- issuing ---------------------------------------------------------------------------


def test_issue_exports_one_link_per_register_firm_and_only_once(client, db):
    wave = factories.wave()
    firms = [register_firm() for _ in range(3)]
    logged_in(client, db, Role.ANALYST)

    links = exported(issue(client, wave.id))

    # Every register firm, each once (the test database holds no other firms).
    everyone = set(db.session.scalars(select(Enterprise.tax_code)))
    assert set(links) == everyone >= {f.tax_code for f in firms}
    first = links[firms[0].tax_code]
    assert (first["name"], first["contact_name"], first["contact_email"], first["contact_phone"]) == (
        firms[0].name,
        "Phạm Văn Minh",
        firms[0].contact_email,
        "0225 3842 999",
    )
    assert all(LINK.match(row["link"]) for row in links.values()), links
    assert len({row["link"] for row in links.values()}) == len(links)
    # Only digests are stored; each link's digest is a live invitation of its own firm.
    for firm in firms:
        invitation = invitation_of(db, links[firm.tax_code]["link"])
        assert (invitation.wave_id, invitation.enterprise_id, invitation.revoked_at) == (
            wave.id,
            firm.id,
            None,
        )
    assert count(db, Invitation, Invitation.wave_id == wave.id) == len(everyone)
    event = db.session.scalars(select(AuditEvent).filter_by(action="invitations.issued")).one()
    assert event.details["count"] == len(everyone)

    # Issuing again issues nothing new for the same firms...
    assert exported(issue(client, wave.id)) == {}
    assert count(db, Invitation, Invitation.wave_id == wave.id) == len(everyone)
    # ... but a firm added to the register since gets its link.
    newcomer = register_firm()
    assert set(exported(issue(client, wave.id))) == {newcomer.tax_code}


def test_issue_follows_the_unit_and_sector_filters(client, db):
    wave = factories.wave()
    here = register_firm(sector_code="C")
    there = register_firm(unit_id=other_unit(db).id, sector_code="C")
    trade = register_firm(unit_id=other_unit(db).id, sector_code="G")
    logged_in(client, db, Role.ANALYST)

    assert set(exported(issue(client, wave.id, unit="11311"))) == {here.tax_code}
    assert set(exported(issue(client, wave.id, sector="G"))) == {trade.tax_code}
    assert set(exported(issue(client, wave.id))) == {there.tax_code}
    # Values not on the lists are refused, not passed on.
    assert issue(client, wave.id, unit="99999").status_code == 400
    assert issue(client, wave.id, sector="C' OR 1=1").status_code == 400


def test_names_that_look_like_formulas_are_exported_as_inert_text(client, db):
    wave = factories.wave()
    firm = register_firm(
        name='=HYPERLINK("http://x")', contact_name="@SUM(1)", contact_phone="+84 225 3842 999"
    )
    logged_in(client, db, Role.ANALYST)

    response = issue(client, wave.id)
    row = exported(response)[firm.tax_code]
    assert row["name"] in ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")')

    for cells in cells_of(response.get_data())[1:]:
        for cell in cells:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "@", "-")), f"{cell.coordinate}: {cell.value!r}"


# --- following a link ------------------------------------------------------------------


def test_a_link_opens_the_firms_own_response_prefilled_and_is_followed_up(app, client, db):
    wave = factories.wave()
    firm = register_firm(unit_id=factories.unit("11311").id, sector_code="C")
    logged_in(client, db, Role.ANALYST)
    link = exported(issue(client, wave.id))[firm.tax_code]["link"]
    assert counts(client, wave.id) == {"not_opened": 1, "opened": 0, "draft": 0, "submitted": 0}

    respondent = new_client(app)
    opened = respondent.get(path_of(link))
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/firm")

    invitation = invitation_of(db, link)
    assert invitation.opened_at is not None
    draft = db.session.scalars(select(Response).filter_by(wave_id=wave.id)).one()
    assert draft.enterprise_id == firm.id and draft.state == ResponseState.DRAFT
    assert draft.consent_at is None
    # Prefilled from the register, personal contact included: the link is the firm's own.
    assert (draft.firm_name, draft.contact_name, draft.contact_email, draft.contact_phone) == (
        firm.name,
        firm.contact_name,
        firm.contact_email,
        firm.contact_phone,
    )
    page = respondent.get("/firm").get_data(as_text=True)
    assert by_testid(page, "tax-code") == firm.tax_code
    for value in (firm.name, firm.contact_name, firm.contact_email, firm.contact_phone):
        assert f'value="{value}"' in page, value
    assert 'name="consent"' in page

    profile = helpers.firm_data(
        firm_name=firm.name,
        contact_name=firm.contact_name,
        contact_email=firm.contact_email,
        contact_phone=firm.contact_phone,
    )
    # Invited firms skipped the start page, so they consent here, on the first save.
    refused = respondent.post("/firm", data={**profile, "csrf_token": respondent.csrf_token("/firm")})
    assert refused.status_code == 400
    assert 'id="consent-error"' in refused.get_data(as_text=True)
    assert db.session.get(Response, draft.id).consent_at is None

    saved = respondent.post(
        "/firm", data={**profile, "consent": "y", "csrf_token": respondent.csrf_token("/firm")}
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/assessment/1")
    assert db.session.get(Response, draft.id).consent_at is not None
    assert counts(client, wave.id) == {"not_opened": 0, "opened": 0, "draft": 1, "submitted": 0}

    helpers.complete(respondent)
    submitted = helpers.submit(respondent)
    assert submitted.status_code == 303 and submitted.headers["Location"].endswith("/result")
    assert db.session.get(Response, draft.id).state == ResponseState.SUBMITTED
    # Still one response: the link reached the same draft throughout.
    assert count(db, Response, Response.wave_id == wave.id) == 1

    assert counts(client, wave.id) == {"not_opened": 0, "opened": 0, "draft": 0, "submitted": 1}
    page = invitations_page(client, wave.id)
    # A sector by its code and its name, never the bare code.
    (sector,) = [key for key in rate_rows(page, "sector") if key.startswith("C – ")]
    assert len(sector) > len("C – ") and rate_rows(page, "sector")[sector][:2] == ("1", "1")
    assert rate_rows(page, "unit")[factories.unit("11311").name_vi][:2] == ("1", "1")
    assert rate_rows(page, "area")[factories.unit("11311").former_area][:2] == ("1", "1")

    # Opening the link again after submitting shows the result, not a new draft.
    again = new_client(app).get(path_of(link))
    assert again.status_code == 302 and again.headers["Location"].endswith("/result")


def test_a_link_never_reaches_another_firms_response(app, client, db):
    wave = factories.wave()
    first, second = register_firm(), register_firm()
    logged_in(client, db, Role.ANALYST)
    links = exported(issue(client, wave.id))

    for firm in (first, second):
        respondent = new_client(app)
        assert respondent.get(path_of(links[firm.tax_code]["link"])).status_code == 302
        page = respondent.get("/firm").get_data(as_text=True)
        assert by_testid(page, "tax-code") == firm.tax_code

    # One device following both links ends on the second firm's response, never a mix.
    device = new_client(app)
    for firm in (first, second, first):
        assert device.get(path_of(links[firm.tax_code]["link"])).status_code == 302
        assert by_testid(device.get("/firm").get_data(as_text=True), "tax-code") == firm.tax_code

    responses = db.session.scalars(select(Response).filter_by(wave_id=wave.id)).all()
    assert sorted(r.enterprise_id for r in responses) == sorted([first.id, second.id])


def test_revoke_makes_the_link_404(app, client, db):
    wave = factories.wave()
    firm = register_firm()
    logged_in(client, db, Role.ANALYST)
    link = exported(issue(client, wave.id))[firm.tax_code]["link"]
    invitation = invitation_of(db, link)

    done = post_action(client, f"/staff/invitations/link/{invitation.id}/revoke")
    assert done.status_code == 200
    assert 'data-testid="new-link"' not in done.get_data(as_text=True)

    assert db.session.get(Invitation, invitation.id).revoked_at is not None
    assert new_client(app).get(path_of(link)).status_code == 404
    assert count(db, Response, Response.wave_id == wave.id) == 0
    assert counts(client, wave.id)["not_opened"] == 0
    # The firm has no live link any more, so issuing again gives it one.
    assert set(exported(issue(client, wave.id))) == {firm.tax_code}


def test_reissue_shows_a_new_link_and_the_old_one_stops_working(app, client, db):
    wave = factories.wave()
    firm = register_firm()
    logged_in(client, db, Role.ANALYST)
    old = exported(issue(client, wave.id))[firm.tax_code]["link"]
    invitation = invitation_of(db, old)

    done = post_action(client, f"/staff/invitations/link/{invitation.id}/reissue")
    assert done.status_code == 200
    tag = re.search(r'<input[^>]*data-testid="new-link"[^>]*>', done.get_data(as_text=True))
    assert tag, "no new link on the page"
    new = re.search(r'value="([^"]+)"', tag.group(0)).group(1)
    assert LINK.match(new) and new != old

    assert new_client(app).get(path_of(old)).status_code == 404
    opened = new_client(app).get(path_of(new))
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/firm")
    fresh = invitation_of(db, new)
    assert (fresh.enterprise_id, fresh.wave_id, fresh.revoked_at) == (firm.id, wave.id, None)
    assert fresh.opened_at is not None
    # Still one live invitation for the firm, now opened.
    assert counts(client, wave.id) == {"not_opened": 0, "opened": 0, "draft": 1, "submitted": 0}


def test_viewers_may_not_issue_revoke_or_reissue(client, db):
    wave = factories.wave()
    firm = register_firm()
    _, digest = tokens.new_token()
    invitation = Invitation(wave_id=wave.id, enterprise_id=firm.id, token_hash=digest)
    db.session.add(invitation)
    db.session.flush()
    logged_in(client, db, Role.VIEWER)

    assert client.get(f"/staff/invitations?wave={wave.id}").status_code == 403
    for path in (
        f"/staff/invitations/{wave.id}/issue",
        f"/staff/invitations/link/{invitation.id}/revoke",
        f"/staff/invitations/link/{invitation.id}/reissue",
    ):
        assert post_action(client, path).status_code == 403, path

    assert count(db, Invitation) == 1
    assert db.session.get(Invitation, invitation.id).revoked_at is None


def test_wrong_tokens_are_throttled(app, client, db):
    limiter.reset()
    factories.wave()
    stranger = new_client(app)
    for attempt in range(10):
        response = stranger.get(f"/i/not-a-real-token-{attempt}")
        assert response.status_code == 404, attempt
    assert stranger.get("/i/not-a-real-token-10").status_code == 429


def test_a_link_to_a_closed_wave_answers_409_unless_the_firm_already_answered(app, client, db, framework):
    now = utcnow()
    wave = factories.wave(opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=30))
    wave.state = WaveState.CLOSED
    silent = register_firm()
    answered = register_firm()
    factories.response(wave, answered, answers=factories.answers_at(framework, 0.5))
    logged_in(client, db, Role.ANALYST)
    # The firm that answered gets a link only when asked for (they are left out by default).
    links = exported(issue(client, wave.id, include_submitted="1"))

    assert new_client(app).get(path_of(links[silent.tax_code]["link"])).status_code == 409
    assert count(db, Response, Response.enterprise_id == silent.id) == 0

    # The firm that answered before the wave closed still reaches its result.
    shown = new_client(app).get(path_of(links[answered.tax_code]["link"]))
    assert shown.status_code == 302 and shown.headers["Location"].endswith("/result")
