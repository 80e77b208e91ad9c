"""Security headers on every response, and the attributes of every cookie the app sets.

The header test walks ``app.url_map``: every GET route has a sample address below (a
new route without one fails the test, so none is forgotten), fetched both by an
administrator and by an anonymous visitor, so pages, redirects, downloads, static
files, JSON and error responses are all covered. The cookie tests collect every
Set-Cookie a visit, a respondent's start, a language switch, a log-in and a log-out
produce.
"""

from __future__ import annotations

import re

import pytest

from survey.extensions import limiter
from survey.models import Role
from tests import factories
from tests.registry_import._support import row, workbook
from tests.staff.conftest import log_in, make_staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Where a script may come from: never inline code, eval, another origin or data:.
FORBIDDEN_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:")


def csp_directives(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def security_problems(label: str, response) -> list[str]:
    """What is missing or weak in the security headers of one response."""
    headers = response.headers
    problems = []
    policies = headers.getlist("Content-Security-Policy")
    if len(policies) != 1:
        return [f"{label}: {len(policies)} Content-Security-Policy headers"]
    csp = csp_directives(policies[0])
    for directive in ("script-src", "style-src", "default-src"):
        sources = csp.get(directive)
        if not sources:
            problems.append(f"{label}: no {directive}")
        elif any(source in FORBIDDEN_SOURCES for source in sources):
            problems.append(f"{label}: {directive} {' '.join(sources)}")
    for directive, sources in {
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }.items():
        if csp.get(directive) != sources:
            problems.append(f"{label}: {directive} is {csp.get(directive)}")
    expected = {
        "X-Content-Type-Options": {"nosniff"},
        "X-Frame-Options": {"DENY"},
        # Resume and invitation links carry a secret in the path: never sent to other sites.
        "Referrer-Policy": {"same-origin", "no-referrer"},
    }
    for name, allowed in expected.items():
        if headers.get(name) not in allowed:
            problems.append(f"{label}: {name} is {headers.get(name)!r}")
    return problems


@pytest.fixture
def site(app, client, db, framework):
    """An administrator's client and the ids the sample addresses need: a wave with a
    response, a finished export, and a register upload with an error row."""
    wave = factories.wave(name="Khảo sát 2025")
    response = factories.response(wave, answers=factories.answers_at(framework, 0.5))
    db.session.commit()
    admin = make_staff(db, Role.ADMIN)
    assert log_in(client, admin.email).status_code == 302
    token = client.csrf_token("/staff/")
    exported = client.post(
        "/staff/exports", data={"csrf_token": token, "wave": str(wave.id), "kind": "summary"}
    )
    job = int(exported.headers["Location"].rsplit("/", 1)[1])
    # The rows as a person types them from the template's drop-downs.
    typed = {
        "unit": "Phường Hồng Bàng",
        "sector": "C – Công nghiệp chế biến, chế tạo",
        "ownership": "Ngoài nhà nước",
    }
    preview = client.post(
        "/staff/register",
        data={
            "csrf_token": token,
            "file": (workbook([row(**typed), row(**{**typed, "unit": "99999"})]), "register.xlsx", XLSX),
        },
        content_type="multipart/form-data",
        follow_redirects=True,  # through the check's task page, which shows the preview
    )
    task = int(preview.request.path.rsplit("/", 1)[1])
    upload = re.search(r"/staff/register/([0-9a-f]{32})/confirm", preview.get_data(as_text=True)).group(1)
    from survey.instruments import drafts
    from survey.models import SupportProgramme
    from tests.staff.test_instrument_drafts import _edited

    draft = drafts.import_workbook(db.session, _edited("dbi-2021-sme", 2, 3), "dbi.xlsx")
    programme = SupportProgramme(name="Chương trình <b>thử</b>", provider="Sở", offers="Tư vấn")
    db.session.add(programme)
    # A mail-out, and a sent message whose unsubscribe link the sample opens.
    from survey import tokens
    from survey.invitations import mailouts
    from survey.models import MailMessage, MailPurpose, MailStatus

    mailout = mailouts.queue(db.session, wave, MailPurpose.INVITATION, {}, admin.id)
    unsubscribe, digest = tokens.new_token()
    db.session.add(
        MailMessage(
            mailout_id=mailout.id,
            enterprise_id=factories.enterprise().id,
            status=MailStatus.SENT,
            unsubscribe_hash=digest,
        )
    )
    db.session.commit()
    yield {
        "wave": wave.id,
        "response": response.id,
        "firm": response.enterprise_id,
        "job": job,
        "upload": upload,
        "task": task,
        "draft": draft.id,
        "programme": programme.id,
        "version": factories.framework_version(2).id,
        "mailout": mailout.id,
        "unsubscribe": unsubscribe,
    }
    # The preview's file is kept until confirmed: confirming removes it.
    client.post(f"/staff/register/{upload}/confirm", data={"csrf_token": token})


def sample_urls(ids: dict) -> dict[str, list[str]]:
    """A sample address for every GET route (several for static files)."""
    return {
        "api-docs.openapi_json": ["/api/v1/openapi.json"],
        "api.summary": ["/api/v1/summary"],
        "api.summary_csv": ["/api/v1/summary.csv"],
        "api.problem_type": ["/api/v1/problems/not_found"],
        "api.framework_versions": ["/api/v1/frameworks"],
        "api.framework_version": ["/api/v1/frameworks/dbi-2021-sme/versions/1"],
        "api.waves": ["/api/v1/waves"],
        "api.rollup": [f"/api/v1/waves/{ids['wave']}/rollup?by=sector"],
        "api.wave_responses": [f"/api/v1/waves/{ids['wave']}/responses"],
        "staff.api_tokens": ["/staff/api-tokens"],
        "auth.change_password": ["/staff/password"],
        "auth.login": ["/staff/login"],
        "main.healthz": ["/healthz"],
        "main.home": ["/"],
        "main.public_summary": ["/summary"],
        "main.summary_chart": ["/summary/charts/levels.svg", "/summary/charts/pillars.png"],
        "respondent.assessment": ["/assessment/1"],
        "respondent.firm": ["/firm"],
        "respondent.invitation": ["/i/not-a-real-token"],
        "respondent.recover": ["/recover"],
        "respondent.recovered": ["/recover/not-a-real-token"],
        "respondent.result": ["/result"],
        "respondent.result_pdf": ["/result.pdf"],
        "respondent.resume": ["/resume/not-a-real-token"],
        "respondent.review": ["/review"],
        "respondent.start": ["/start"],
        "respondent.unsubscribe": [f"/unsubscribe/{ids['unsubscribe']}", "/unsubscribe/not-a-real-token"],
        "staff.audit_log": ["/staff/audit"],
        "staff.city_dashboard": [f"/staff/dashboard?wave={ids['wave']}"],
        "staff.dashboard": ["/staff/"],
        "staff.dashboard_chart": [
            f"/staff/dashboard/charts/levels.svg?wave={ids['wave']}",
            f"/staff/dashboard/charts/by-sector.png?wave={ids['wave']}",
        ],
        "staff.firms": ["/staff/firms?q=c%C3%B4ng&sector=C&sort=employees&dir=desc"],
        "staff.firm": [f"/staff/firms/{ids['firm']}"],
        "staff.export_firms": ["/staff/firms/export.xlsx?sector=C"],
        "staff.edit_firm": [f"/staff/firms/{ids['firm']}/edit"],
        "staff.edit_wave": [f"/staff/waves/{ids['wave']}/edit"],
        "staff.rescore_wave": [f"/staff/waves/{ids['wave']}/rescore"],
        "staff.rescore_run": ["/staff/rescore-runs/1"],
        "staff.export_download": [f"/staff/exports/{ids['job']}/download"],
        "staff.export_status": [f"/staff/exports/{ids['job']}"],
        "staff.invitations": [f"/staff/invitations?wave={ids['wave']}"],
        "staff.instruments": ["/staff/instruments"],
        "staff.enter_response": ["/staff/entry"],
        "staff.confirm_issue_invitations": [f"/staff/invitations/{ids['wave']}/issue"],
        "staff.confirm_revoke_invitation": ["/staff/invitations/link/1/revoke"],
        "staff.confirm_reissue_invitation": ["/staff/invitations/link/1/reissue"],
        "staff.confirm_mailout": [
            f"/staff/invitations/{ids['wave']}/mail?purpose=invitation",
            f"/staff/invitations/{ids['wave']}/mail?purpose=reminder&sector=C",
        ],
        "staff.mailout": [f"/staff/invitations/mailouts/{ids['mailout']}"],
        "staff.mail_template": [
            "/staff/invitations/templates/invitation",
            "/staff/invitations/templates/reminder",
        ],
        "staff.next_pending": [f"/staff/responses/next?wave={ids['wave']}"],
        "staff.confirm_bulk_verify": [
            f"/staff/responses/verify?wave={ids['wave']}&response={ids['response']}"
        ],
        "staff.support_programmes": ["/staff/support"],
        "staff.new_support_programme": ["/staff/support/new"],
        "staff.edit_support_programme": [f"/staff/support/{ids['programme']}/edit"],
        "staff.instrument_export": [f"/staff/instruments/framework/{ids['version']}.xlsx"],
        "staff.instrument_draft": [f"/staff/instruments/drafts/{ids['draft']}?count=50&seed=2"],
        "staff.instrument_draft_export": [f"/staff/instruments/drafts/{ids['draft']}.xlsx"],
        "staff.instrument_preview": [f"/staff/instruments/drafts/{ids['draft']}/preview/1"],
        "staff.instrument_preview_result": [f"/staff/instruments/drafts/{ids['draft']}/preview/result"],
        "staff.module_texts": [f"/staff/waves/{ids['wave']}/texts?q=c%C3%A1p"],
        "staff.my_exports": ["/staff/exports"],
        "staff.new_wave": ["/staff/waves/new"],
        "staff.register_errors": [f"/staff/register/{ids['upload']}/errors.xlsx"],
        "staff.register_import": ["/staff/register"],
        "staff.task_status": [f"/staff/tasks/{ids['task']}"],
        "staff.register_template": ["/staff/register/template.xlsx"],
        "staff.response_detail": [f"/staff/responses/{ids['response']}"],
        "staff.responses": [f"/staff/responses?wave={ids['wave']}"],
        "staff.users": ["/staff/users"],
        "staff.waves": ["/staff/waves"],
        "static": ["/static/css/app.css", "/static/js/survey.js", "/static/favicon.svg"],
    }


def test_every_get_route_sends_the_security_headers(app, client, site):
    """Every GET route, as an administrator and as a visitor (who is mostly redirected)."""
    samples = sample_urls(site)
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert routes - samples.keys() == set(), "GET routes without a sample address here"
    problems = []
    statuses = {}
    visitor = app.test_client()
    for url in (url for urls in samples.values() for url in urls):
        for who, c in (("admin", client), ("visitor", visitor)):
            response = c.get(url)
            statuses[who, url] = response.status_code
            problems += security_problems(f"{who} {url} ({response.status_code})", response)
            response.close()
    assert not problems, "\n".join(problems)
    # The sample really reached the pages, the downloads and the static files.
    for url in (
        f"/staff/exports/{site['job']}/download",
        f"/staff/register/{site['upload']}/errors.xlsx",
        "/staff/register/template.xlsx",
        "/static/css/app.css",
        f"/staff/responses/{site['response']}",
        f"/staff/firms/{site['firm']}",
        f"/staff/firms/{site['firm']}/edit",
        "/staff/firms/export.xlsx?sector=C",
        f"/staff/dashboard/charts/levels.svg?wave={site['wave']}",
        f"/staff/invitations/{site['wave']}/mail?purpose=invitation",
        f"/staff/invitations/mailouts/{site['mailout']}",
        "/staff/invitations/templates/invitation",
        f"/unsubscribe/{site['unsubscribe']}",
    ):
        assert statuses["admin", url] == 200, url
    assert statuses["visitor", "/staff/users"] == 302


def test_error_json_and_post_responses_send_the_security_headers(app, client, db, monkeypatch):
    """Responses that are not pages: errors of every kind, JSON, redirects after a POST."""
    responses = {"404": client.get("/no/such/page"), "405": client.get("/submit")}
    token = client.csrf_token("/staff/login")
    responses["400 (no CSRF token)"] = client.post("/language", data={"lang": "en"})
    responses["302 after a POST"] = client.post("/language", data={"lang": "en", "csrf_token": token})
    responses["JSON"] = client.get("/healthz", headers={"Accept": "application/json"})
    responses["404 as JSON"] = client.get("/no/such/page", headers={"Accept": "application/json"})
    for n in range(10):
        client.get(f"/resume/wrong-{n}")
    responses["429"] = client.get("/resume/wrong-again")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 512)
    responses["413"] = client.post("/language", data={"lang": "en", "csrf_token": token, "x": "y" * 2000})
    assert [r.status_code for r in responses.values()] == [404, 405, 400, 302, 200, 404, 429, 413]
    problems = []
    for label, response in responses.items():
        problems += security_problems(label, response)
    assert not problems, "\n".join(problems)


def test_an_unexpected_error_sends_the_security_headers(own_app):
    """A 500 from an exception nobody caught, on an app of its own that does not propagate."""
    crashing = own_app(PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("boom")

    crashing.add_url_rule("/boom", view_func=boom)
    try:
        response = crashing.test_client().get("/boom")
    finally:
        limiter.reset()
    assert response.status_code == 500
    assert security_problems("500", response) == []


# --- cookies ---------------------------------------------------------------------------------


def cookie_attributes(header: str) -> tuple[str, str, dict[str, str]]:
    """(name, value, {attribute (lower case): value}) of one Set-Cookie header."""
    name_value, *attributes = (part.strip() for part in header.split(";"))
    found = {}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        found[key.lower()] = value
    name, _, value = name_value.partition("=")
    return name, value, found


def set_cookies(*responses) -> list[str]:
    return [header for r in responses for header in r.headers.getlist("Set-Cookie")]


def is_deletion(value: str, attributes: dict) -> bool:
    """An empty cookie that expires at once: how a cookie is removed, carrying nothing.

    Flask-Login sends one for its "remember me" cookie (never set here: nobody is
    remembered) when a session ends, without attributes; there is nothing in it to protect.
    """
    return value in ("", '""') and attributes.get("max-age") == "0"


def cookie_problems(headers: list[str], secure: bool) -> list[str]:
    problems = []
    for header in headers:
        name, value, attributes = cookie_attributes(header)
        if is_deletion(value, attributes):
            continue
        if "httponly" not in attributes:
            problems.append(f"{name}: not HttpOnly")
        if attributes.get("samesite", "").lower() not in ("lax", "strict"):
            problems.append(f"{name}: SameSite={attributes.get('samesite')}")
        if ("secure" in attributes) != secure:
            problems.append(f"{name}: Secure is {'secure' in attributes}, expected {secure}")
    return problems


def test_every_cookie_is_httponly_and_samesite(app, client, db):
    """Every cookie set on the way through the site: the session cookie, and no other
    (the log-in never offers "remember me", so Flask-Login's cookie is only ever removed).

    Not Secure by default (a development server speaks plain HTTP); see the next test.
    """
    factories.wave(name="Khảo sát 2025")
    db.session.commit()
    analyst = make_staff(db, Role.ANALYST)
    seen = []
    respondent = app.test_client()
    seen.append(respondent.get("/start"))
    token = respondent.csrf_token("/start")
    seen.append(respondent.post("/language", data={"lang": "en", "next": "/start", "csrf_token": token}))
    seen.append(
        respondent.post(
            "/start", data={"tax_code": factories.tax_code(), "consent": "y", "csrf_token": token}
        )
    )
    seen.append(client.get("/staff/login"))
    seen.append(log_in(client, analyst.email))
    seen.append(client.post("/staff/logout", data={"csrf_token": client.csrf_token("/staff/")}))
    headers = set_cookies(*seen)
    kept = {
        name
        for name, value, attributes in map(cookie_attributes, headers)
        if not is_deletion(value, attributes)
    }
    assert kept == {"session"}, headers
    assert cookie_problems(headers, secure=False) == []


@pytest.mark.parametrize("how", ["environment", "config"])
def test_cookies_are_secure_when_configured(own_app, monkeypatch, how):
    """SURVEY_SESSION_COOKIE_SECURE=true (how production sets it), or the setting itself,
    on an app made for the purpose: every cookie then carries Secure as well."""
    if how == "environment":
        monkeypatch.setenv("SURVEY_SESSION_COOKIE_SECURE", "true")
        secure_app = own_app()
    else:
        secure_app = own_app(SESSION_COOKIE_SECURE=True)
    assert secure_app.config["SESSION_COOKIE_SECURE"] is True
    client = secure_app.test_client()
    https = "https://localhost"
    try:
        first = client.get("/staff/login", base_url=https)
        token = re.search(r'name="csrf_token" value="([^"]+)"', first.get_data(as_text=True)).group(1)
        # Over HTTPS Flask-WTF also wants a same-site Referer, as browsers send.
        switched = client.post(
            "/language",
            data={"lang": "en", "csrf_token": token},
            base_url=https,
            headers={"Referer": f"{https}/staff/login"},
        )
    finally:
        limiter.reset()
    assert switched.status_code == 302, switched.get_data(as_text=True)[:500]
    headers = set_cookies(first, switched)
    assert [cookie_attributes(h)[0] for h in set_cookies(switched)].count("session") == 1
    assert cookie_problems(headers, secure=True) == []


def test_the_remember_cookie_follows_the_session_cookies_secure_setting(own_app):
    """Flask-Login's "remember me" cookie (never offered today) is Secure with the session's."""
    assert own_app(SESSION_COOKIE_SECURE=True).config["REMEMBER_COOKIE_SECURE"] is True
    assert own_app().config["REMEMBER_COOKIE_SECURE"] is False
    assert own_app(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=True).config["REMEMBER_COOKIE_SECURE"]
