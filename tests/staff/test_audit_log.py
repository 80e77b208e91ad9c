"""The audit log in words: actions, objects and changes named as people say them, filters to
choose from, never codes or JSON; and every action the code records has its name."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

import survey
from survey import labels
from survey.auth import accounts
from survey.models import Ownership, ReviewState, Role, StaffUser, WaveState
from survey.responses import review
from tests import factories
from tests.intent.test_vietnamese import problems_in, visible_text
from tests.staff.conftest import make_staff

SOURCE = Path(survey.__file__).parent

#: Actions recorded through an f-string, and every action each one can make.
FORMATTED = {
    "f'wave.{action}'": {"wave.open", "wave.close"},
    "f'export.{kind}'": {"export.responses", "export.summary"},
    "f'response.{decision.value}'": {"response.verified", "response.flagged", "response.rejected"},
}


def _constants(node: ast.AST) -> set[str] | None:
    """The action strings an argument can be: a string, either branch of an if, or None
    when it is computed some other way."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _constants(node.body), _constants(node.orelse)
        return None if body is None or orelse is None else body | orelse
    if isinstance(node, ast.JoinedStr):
        return FORMATTED.get(ast.unparse(node))
    return None


def recorded_actions() -> tuple[set[str], list[str]]:
    """Every action survey/ records with audit.record (as far as the code says), and the
    calls whose action this test cannot read (a variable, an unknown f-string)."""
    found, unread = set(), []
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
                and len(node.args) > 1
            ):
                continue
            actions = _constants(node.args[1])
            if actions is None:
                unread.append(f"{path.relative_to(SOURCE.parent)}:{node.lineno} {ast.unparse(node.args[1])}")
            else:
                found |= actions
    return found, unread


#: Calls whose action is a parameter, and the actions their callers pass.
PASSED_ON = {"survey/respondent/recovery.py": {"response.recovery_requested", "response.link_sent"}}


def test_every_recorded_action_has_a_name_in_the_catalogue():
    found, unread = recorded_actions()
    unread = [call for call in unread if call.split(":")[0] not in PASSED_ON]
    assert not unread, f"actions this test cannot read (add them to FORMATTED or PASSED_ON): {unread}"
    found |= {action for actions in PASSED_ON.values() for action in actions}
    assert "response.verified" in found and "user.role" in found  # the scan sees the calls
    missing = sorted(found - set(labels.AUDIT_ACTION))
    assert not missing, f"audit actions without a name in survey/labels.py AUDIT_ACTION: {missing}"


def test_every_audited_object_type_has_a_name():
    from survey.models import Base

    tables = {mapper.class_.__tablename__ for mapper in Base.registry.mappers}
    named = set(labels.AUDIT_OBJECT)
    assert named <= tables
    # What audit.record is given (a model, or the object_type it names) is named.
    given = set()
    for path in SOURCE.rglob("*.py"):
        given |= set(re.findall(r'object_type="([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert given <= named, sorted(given - named)


@pytest.fixture
def logged(app, client, db, as_role, framework):
    """A review, a correction, a role change and a wave closed; the admin's client, in English."""
    admin = as_role(Role.ADMIN)
    wave = factories.wave(name="Khảo sát 2025")
    firm = factories.enterprise(ownership=Ownership.STATE, sector_code="G")
    response = factories.response(wave, firm, factories.answers_at(framework, 0.5))
    reviewer = db.session.get(StaffUser, admin.id)
    review.set_review_state(db.session, response, ReviewState.VERIFIED, None, reviewer)
    review.correct_profile(
        db.session,
        response,
        {**{f: getattr(response, f) for f in review.CORRECTABLE}, "ownership": Ownership.PRIVATE},
        "Theo giấy phép",
    )
    other = make_staff(db, Role.VIEWER, email="nguoi.xem@staff.example.org")
    accounts.change_role(db.session, other, Role.ANALYST)
    from survey import waves

    waves.set_state(db.session, wave, WaveState.CLOSED)
    db.session.commit()
    token = client.csrf_token("/staff/")
    client.post("/language", data={"lang": "en", "csrf_token": token, "next": "/"})
    return {"response": response.id, "wave": wave.id, "admin": admin.email, "other": other.id}


def _rows(html: str) -> dict[str, list[str]]:
    """The log's rows by their action code: each row's visible texts."""
    rows = {}
    for match in re.finditer(r'<tr data-action="([^"]+)">(.*?)</tr>', html, re.S):
        rows.setdefault(match.group(1), visible_text(match.group(2)))
    return rows


def test_the_log_tells_each_change_in_words(client, logged):
    html = client.get("/staff/audit").get_data(as_text=True)
    rows = _rows(html)
    verified = rows["response.verified"]
    assert "Reviewed: verified" in verified
    assert f"Response no. {logged['response']}" in verified
    assert "Review state: Awaiting review → Verified" in verified
    corrected = rows["response.corrected"]
    assert "Ownership: State-owned → Private domestic" in corrected
    assert "Reason: Theo giấy phép" in corrected
    assert "Role: Viewer → Analyst" in rows["user.role"]
    assert "Staff account: nguoi.xem@staff.example.org" in rows["user.role"]
    assert "Wave closed" in rows["wave.close"] and "State of the wave: Open → Closed" in rows["wave.close"]
    # Never the recorded JSON, nor a code where a word belongs.
    text = " ".join(t for texts in rows.values() for t in texts)
    assert "{" not in text and '"review_state"' not in html and "pending" not in text
    assert not re.search(r"\b(response|user|wave)\.[a-z_]+\b", text)


def test_the_log_in_vietnamese_has_no_codes(client, logged):
    token = client.csrf_token("/staff/")
    client.post("/language", data={"lang": "vi", "csrf_token": token, "next": "/"})
    html = client.get("/staff/audit").get_data(as_text=True)
    rows = _rows(html)
    with force_locale("vi"):
        expected = (
            f"{labels.label('review_state', 'audit_field')}: "
            f"{labels.label(ReviewState.PENDING)} → {labels.label(ReviewState.VERIFIED)}"
        )
    assert expected in rows["response.verified"]
    codes = [p for p in problems_in("audit log", visible_text(html)) if "codes" in p]
    assert not codes, codes


def test_the_filters_are_lists_to_choose_from(client, logged):
    html = client.get("/staff/audit").get_data(as_text=True)
    start = html.index('<form method="get" class="filters">')
    form = html[start : html.index("</form>", start)]
    for name in ("action", "object_type", "actor"):
        assert f'<select name="{name}">' in form
        assert f'<input type="text" name="{name}"' not in form
    actions = re.search(r'<select name="action">(.*?)</select>', form, re.S).group(1)
    assert set(re.findall(r'value="([^"]+)"', actions)) == set(labels.AUDIT_ACTION)
    assert '<option value="response.verified">Reviewed: verified</option>' in actions
    assert '<option value="staff_users">Staff account</option>' in form
    assert f'<option value="{logged["admin"]}">{logged["admin"]}</option>' in form


def test_filtering_by_action_object_and_actor(client, logged):
    rows = _rows(client.get("/staff/audit?action=response.verified").get_data(as_text=True))
    assert set(rows) == {"response.verified"}
    chosen = client.get("/staff/audit?action=response.verified").get_data(as_text=True)
    assert '<option value="response.verified" selected>' in chosen
    rows = _rows(client.get("/staff/audit?object_type=staff_users").get_data(as_text=True))
    assert set(rows) == {"login", "user.role"}
    rows = _rows(client.get(f"/staff/audit?actor={logged['admin']}").get_data(as_text=True))
    assert "login" in rows and "user.role" not in rows  # the role change was made outside a request
    # A value from no list (an old link) matches nothing, as a filter should.
    page = client.get("/staff/audit?action=response.").get_data(as_text=True)
    assert _rows(page) == {}


def test_a_refused_date_says_what_to_type(client, logged):
    page = client.get("/staff/audit?from=yesterday")
    assert page.status_code == 400
    assert "year-month-day" in page.get_data(as_text=True)
