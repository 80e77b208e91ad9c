"""The review queue: "next awaiting review" under the list's filters, bulk verification
with a confirmation page (one audit entry per response, stale versions respected), the
search without diacritics, and the history in words (issue 15)."""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from survey import frameworks
from survey.models import AuditEvent, Response, ReviewState, Role
from survey.models.base import utcnow
from tests import factories
from tests.staff.staff_helpers import logged_in, staff_token

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
ANSWERS = factories.answers_at(FRAMEWORK, 0.5)
EN = {"Accept-Language": "en"}


def submitted(wave, name: str, minutes_ago: int, sector: str = "C", **fields) -> Response:
    firm = factories.enterprise(name=name, sector_code=sector)
    response = factories.response(wave, firm, ANSWERS, firm_name=name, **fields)
    response.submitted_at = utcnow() - timedelta(minutes=minutes_ago)
    return response


@pytest.fixture
def queue(db):
    """Submitted responses of one wave, oldest first, and others that are not in its queue."""
    wave = factories.wave(name="Đợt xét duyệt")
    oldest = submitted(wave, "Công ty Lê Chân", 50)
    trade = submitted(wave, "Công ty Thương Mại", 40, sector="G")
    done = submitted(wave, "Công ty Đã Xong", 45)
    done.review_state = ReviewState.VERIFIED
    flagged = submitted(wave, "Công ty Cần Xem", 35)
    flagged.review_state = ReviewState.FLAGGED
    newest = submitted(wave, "Công ty Hải An", 10)
    draft = factories.response(wave, factories.enterprise(name="Nháp"), {}, submit=False, firm_name="Nháp")
    other_wave = factories.wave()
    elsewhere = submitted(other_wave, "Công ty Đợt Khác", 500)
    db.session.commit()
    return {
        "wave": wave,
        "oldest": oldest,
        "trade": trade,
        "done": done,
        "flagged": flagged,
        "newest": newest,
        "draft": draft,
        "elsewhere": elsewhere,
    }


def opened(client, **params):
    """Where "next awaiting review" leads: (response id or None, the query it carries)."""
    response = client.get("/staff/responses/next", query_string=params, headers=EN)  # its flash in English
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = urlsplit(response.headers["Location"])
    found = re.fullmatch(r"/staff/responses/(\d+)", location.path)
    return (int(found.group(1)) if found else None), parse_qs(location.query)


# --- next awaiting review ---------------------------------------------------------------


def test_next_pending_is_the_oldest_submitted_awaiting_review(client, db, queue):
    logged_in(client, db, Role.ANALYST)
    wave = queue["wave"].id
    found, carried = opened(client, wave=wave)
    assert found == queue["oldest"].id
    assert carried["wave"] == [str(wave)]
    # On from there, in the order they were submitted; verified, flagged and drafts never come.
    assert opened(client, wave=wave, after=queue["oldest"].id)[0] == queue["trade"].id
    assert opened(client, wave=wave, after=queue["trade"].id)[0] == queue["newest"].id
    # Past the last, back to the oldest (never the one the officer is on).
    assert opened(client, wave=wave, after=queue["newest"].id)[0] == queue["oldest"].id


def test_next_pending_follows_the_filters_and_the_search(client, db, queue):
    logged_in(client, db, Role.ANALYST)
    wave = queue["wave"].id
    found, carried = opened(client, wave=wave, sector="G")
    assert found == queue["trade"].id and carried["sector"] == ["G"]
    assert opened(client, wave=wave, q="hai an")[0] == queue["newest"].id
    # The list's own review filter gives way: the queue is what awaits review.
    assert opened(client, wave=wave, review="verified")[0] == queue["oldest"].id
    # Nothing awaits review: back to the list, with the filters, and a message.
    found, carried = opened(client, wave=wave, sector="I")
    assert found is None and carried["sector"] == ["I"]
    assert "No response awaits review" in client.get(
        f"/staff/responses?wave={wave}&sector=I", headers=EN
    ).get_data(as_text=True)
    # Bad filters are refused as on the list.
    assert client.get("/staff/responses/next", query_string={"wave": wave, "sector": "ZZ"}).status_code == 400
    assert client.get("/staff/responses/next", query_string={"wave": wave, "after": "x"}).status_code == 400


def test_the_queue_carries_its_filters_through_a_review(client, db, queue):
    logged_in(client, db, Role.ANALYST)
    wave, oldest = queue["wave"].id, queue["oldest"]
    page = client.get(f"/staff/responses/{oldest.id}?wave={wave}&sector=C").get_data(as_text=True)
    link = html.unescape(re.search(r'data-testid="next-pending" href="([^"]+)"', page).group(1))
    assert parse_qs(urlsplit(link).query) == {"wave": [str(wave)], "sector": ["C"], "after": [str(oldest.id)]}
    # The review form keeps them; "save and open the next" goes on to the next pending in sector C.
    action = html.unescape(re.search(r'<form method="post" action="([^"]*/review[^"]*)"', page).group(1))
    saved = client.post(
        action,
        data={
            "csrf_token": staff_token(client),
            "decision": "verified",
            "version_id": oldest.version_id,
            "then": "next",
        },
    )
    assert saved.status_code == 303
    found, carried = opened(
        client, **{k: v[0] for k, v in parse_qs(urlsplit(saved.headers["Location"]).query).items()}
    )
    assert found == queue["newest"].id and carried["sector"] == ["C"]
    db.session.expire_all()
    assert db.session.get(Response, oldest.id).review_state == ReviewState.VERIFIED


def test_viewers_have_no_queue(client, db, queue):
    logged_in(client, db, Role.VIEWER)
    assert client.get(f"/staff/responses/next?wave={queue['wave'].id}").status_code == 403
    page = client.get(f"/staff/responses?wave={queue['wave'].id}").get_data(as_text=True)
    assert 'data-testid="next-pending"' not in page and 'type="checkbox"' not in page


# --- bulk verification ------------------------------------------------------------------


def ticked(client, *responses, **params):
    query = [("response", str(r.id)) for r in responses] + list(params.items())
    return client.get(f"/staff/responses/verify?{urlencode(query)}")


def confirmation(page: str) -> MultiDict:
    form = re.search(r'<form method="post" action="/staff/responses/verify">(.*?)</form>', page, re.S)
    assert form, "no confirmation form"
    fields = []
    for tag in re.findall(r"<input[^>]*>", form.group(1)):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        fields.append((attributes["name"], html.unescape(attributes.get("value", ""))))
    return MultiDict(fields)


def verified_events(db) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).filter_by(action="response.verified")).all()


def test_the_list_offers_a_box_for_what_can_be_verified(client, db, queue):
    logged_in(client, db, Role.ANALYST)
    page = client.get(f"/staff/responses?wave={queue['wave'].id}").get_data(as_text=True)
    boxes = set(re.findall(r'type="checkbox" name="response" value="(\d+)"', page))
    assert boxes == {str(queue[k].id) for k in ("oldest", "trade", "flagged", "newest")}
    assert '<form method="get" action="/staff/responses/verify"' in page


def test_bulk_verify_confirms_then_verifies_each_with_its_own_audit_entry(client, db, queue):
    analyst = logged_in(client, db, Role.ANALYST)
    wave = queue["wave"].id
    chosen = [queue["oldest"], queue["flagged"]]
    shown = ticked(client, *chosen, queue["done"], queue["draft"], wave=wave, sector="C")
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert re.search(r'data-testid="verify-count" data-count="2"', page)
    assert set(re.findall(r'data-verify="(\d+)"', page)) == {str(r.id) for r in chosen}
    assert set(re.findall(r'data-left-out="(\d+)"', page)) == {str(queue["done"].id), str(queue["draft"].id)}
    assert "Công ty Lê Chân" in page and "Công ty Cần Xem" in page
    # Asking verified nothing.
    db.session.expire_all()
    assert [db.session.get(Response, r.id).review_state for r in chosen] == [
        ReviewState.PENDING,
        ReviewState.FLAGGED,
    ]
    assert verified_events(db) == []

    fields = confirmation(page)
    assert f"{queue['oldest'].id}:{queue['oldest'].version_id}" in fields.getlist("response")
    done = client.post("/staff/responses/verify", data=fields)
    assert done.status_code == 303
    # Back to the list with its filters.
    assert parse_qs(urlsplit(done.headers["Location"]).query) == {"wave": [str(wave)], "sector": ["C"]}
    db.session.expire_all()
    for r in chosen:
        assert db.session.get(Response, r.id).review_state == ReviewState.VERIFIED
    events = verified_events(db)
    assert sorted(e.object_id for e in events) == sorted(str(r.id) for r in chosen)
    assert {e.actor_id for e in events} == {analyst.id}
    by_id = {e.object_id: e.details for e in events}
    assert by_id[str(queue["oldest"].id)]["before"]["review_state"] == "pending"
    assert by_id[str(queue["flagged"].id)]["before"]["review_state"] == "flagged"
    assert all(d["after"]["review_state"] == "verified" for d in by_id.values())
    # The ones left out were not touched.
    assert db.session.get(Response, queue["draft"].id).review_state == ReviewState.PENDING


def test_a_response_changed_meanwhile_stops_the_whole_verification(client, db, queue):
    logged_in(client, db, Role.ANALYST)
    a, b = queue["oldest"], queue["trade"]
    fields = confirmation(ticked(client, a, b).get_data(as_text=True))

    # A colleague flags b after the page was shown.
    b = db.session.get(Response, b.id)
    b.review_state = ReviewState.FLAGGED
    db.session.commit()

    again = client.post("/staff/responses/verify", data=fields)
    assert again.status_code == 409
    page = again.get_data(as_text=True)
    assert 'data-testid="changed"' in page
    assert re.search(rf'data-verify="{b.id}" class="changed"', page)
    db.session.expire_all()
    assert db.session.get(Response, a.id).review_state == ReviewState.PENDING
    assert db.session.get(Response, b.id).review_state == ReviewState.FLAGGED
    assert verified_events(db) == []
    # The page shown again carries the new versions: confirming it verifies both.
    assert client.post("/staff/responses/verify", data=confirmation(page)).status_code == 303
    assert len(verified_events(db)) == 2


def test_bulk_verify_needs_csrf_and_refuses_junk(client, db, queue):
    logged_in(client, db, Role.ANALYST)
    r = queue["oldest"]
    pair = f"{r.id}:{r.version_id}"
    assert client.post("/staff/responses/verify", data={"response": pair}).status_code == 400
    token = staff_token(client)
    for junk in ([], ["abc"], [f"{r.id}"], [f"{r.id}:x"], [f"{r.id}:1", f"{r.id}:2"], ["1:1"] * 201):
        response = client.post("/staff/responses/verify", data={"csrf_token": token, "response": junk})
        assert response.status_code == 400, junk
    assert (
        client.post("/staff/responses/verify", data={"csrf_token": token, "response": "999999:1"}).status_code
        == 404
    )
    assert ticked(client).status_code == 303  # nothing ticked: back to the list
    assert client.get("/staff/responses/verify?response=abc").status_code == 400
    assert client.get("/staff/responses/verify?response=999999").status_code == 404
    assert verified_events(db) == []


def test_bulk_verify_is_for_analysts(client, db, queue):
    logged_in(client, db, Role.VIEWER)
    r = queue["oldest"]
    assert ticked(client, r).status_code == 403
    token = staff_token(client)
    refused = client.post(
        "/staff/responses/verify", data={"csrf_token": token, "response": f"{r.id}:{r.version_id}"}
    )
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(Response, r.id).review_state == ReviewState.PENDING
    assert verified_events(db) == []


# --- search without diacritics ------------------------------------------------------------


def listed(client, wave, q: str) -> set[int]:
    page = client.get("/staff/responses", query_string={"wave": wave.id, "q": q}).get_data(as_text=True)
    return {int(i) for i in re.findall(r'<tr data-response="(\d+)">', page)}


@pytest.mark.parametrize(
    "q",
    ["Lê Chân", "le chan", "LE CHAN", "LÊ CHÂN", "lê chan", unicodedata.normalize("NFD", "Lê Chân"), "e cha"],
)
def test_search_ignores_diacritics_and_case(client, db, queue, q):
    logged_in(client, db, Role.VIEWER)
    assert listed(client, queue["wave"], q) == {queue["oldest"].id}


def test_search_finds_the_register_name_and_escapes_wildcards(client, db, queue):
    wave = queue["wave"]
    unnamed = factories.response(
        wave, factories.enterprise(name="Hợp tác xã Đồ Sơn"), ANSWERS, firm_name=None
    )
    db.session.commit()
    logged_in(client, db, Role.VIEWER)
    assert listed(client, wave, "do son") == {unnamed.id}
    assert listed(client, wave, "Đồ Sơn") == {unnamed.id}
    assert listed(client, wave, "%") == set() and listed(client, wave, "_") == set()
    assert listed(client, wave, "le chân") == {queue["oldest"].id}


# --- words, not codes ----------------------------------------------------------------------


def test_the_history_and_the_states_are_in_words(client, db, queue):
    logged_in(client, db, Role.ANALYST)
    r = queue["oldest"]
    fields = confirmation(ticked(client, r).get_data(as_text=True))
    assert client.post("/staff/responses/verify", data=fields).status_code == 303
    page = client.get(f"/staff/responses/{r.id}", headers=EN).get_data(as_text=True)
    history = page[page.index('class="history"') :]
    assert "Review state: Awaiting review → Verified" in history
    assert "Reviewed: verified" in history
    for code in ("response.verified", "review_state", '"pending"', "{"):
        assert code not in history, code
    facts = page[page.index('class="facts"') : page.index("</dl>")]
    assert re.search(r'data-testid="review-state" data-state="verified">Verified<', facts)
    assert re.search(r'data-testid="state" data-state="submitted">Submitted<', facts)
    # The unit by its name, the sector with its name.
    assert factories.unit("11311").name_vi in facts
    listing = client.get(f"/staff/responses?wave={queue['wave'].id}", headers=EN).get_data(as_text=True)
    assert ">Awaiting review<" in listing and ">pending<" not in listing and ">submitted<" not in listing


def test_a_refusal_names_the_states_in_words(client, db, queue):
    logged_in(client, db, Role.ANALYST)
    r = queue["done"]
    page = client.post(
        f"/staff/responses/{r.id}/review",
        data={"csrf_token": staff_token(client), "decision": "verified", "version_id": r.version_id},
        headers=EN,
    )
    assert page.status_code == 409
    assert "A response that is verified cannot become verified." in page.get_data(as_text=True)
