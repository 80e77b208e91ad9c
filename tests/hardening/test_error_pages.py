"""Error pages: the app's own, in the user's language, with nothing internal; size capped.

Each status is provoked the way it happens in use (a refused form, a page a role may
not see, a wrong address, a wrong method, a body over the cap, a rate limit, a crash)
once in Vietnamese, the default, and once in English, chosen with the language switch
as a user does. The expected words come from the translation catalogues, so the test
also proves that each message is translated.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel
from sqlalchemy.exc import OperationalError
from werkzeug import exceptions

from survey.errors import MESSAGES
from survey.extensions import limiter
from survey.models import Role
from tests.staff.conftest import log_in, make_staff

CATALOGUE = Path(__file__).resolve().parents[2] / "survey/translations/vi/LC_MESSAGES/messages.po"
with CATALOGUE.open("rb") as _fh:
    VIETNAMESE = {message.id: message.string for message in read_po(_fh) if message.id}

WERKZEUG_ERRORS = (
    exceptions.BadRequest,
    exceptions.Forbidden,
    exceptions.NotFound,
    exceptions.MethodNotAllowed,
    exceptions.RequestEntityTooLarge,
    exceptions.TooManyRequests,
    exceptions.InternalServerError,
)

#: What must never reach a user: traces, code, class names, SQL, framework defaults.
LEAKS = [
    "Traceback",
    'File "',
    ".py",
    "site-packages",
    "/work/",
    "werkzeug",
    "sqlalchemy",
    "psycopg",
    "SELECT ",
    "INSERT ",
    "password_hash",
    "staff_users",
    "RuntimeError",
    "OperationalError",
    "RateLimitExceeded",
    "CSRFError",
    "per 1 minute",
    # Werkzeug's own class names and default descriptions, which the app's pages replace.
    *(cls.__name__ for cls in WERKZEUG_ERRORS),
    *(cls.description for cls in WERKZEUG_ERRORS),
]


def english(code: int) -> tuple[str, str]:
    """The (title, text) msgids of an error page, from survey.errors itself.

    Asked of a bare app with no catalogues, where gettext gives back the msgid.
    """
    bare = Flask(__name__)
    Babel(bare)
    with bare.test_request_context():
        return MESSAGES[code]()


def expected(code: int, lang: str) -> tuple[str, str, str]:
    """(title, text, "Error N") in ``lang``; Vietnamese ones must really be translated."""
    strings = (*english(code), "Error %(code)s")
    if lang == "en":
        title, text, label = strings
    else:
        translated = [VIETNAMESE.get(s) for s in strings]
        for msgid, msgstr in zip(strings, translated, strict=True):
            assert msgstr and msgstr != msgid, f"no Vietnamese for {msgid!r}"
        title, text, label = translated
    return title, text, label % {"code": code}


def assert_own_error_page(response, code: int, lang: str) -> str:
    """The app's error template, in ``lang``, saying what ``code`` means, nothing internal."""
    assert response.status_code == code, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    raw = response.get_data(as_text=True)
    page = html.unescape(raw)
    assert f'<html lang="{lang}">' in raw
    assert 'class="site-header"' in raw and 'class="site-footer"' in raw  # the app's layout
    title, text, label = expected(code, lang)
    assert re.search(rf"<h1>\s*{re.escape(title)}\s*</h1>", page), title
    assert f"<title>{title} ·" in page
    assert text in page and label in page
    if lang == "vi":
        other_title, other_text = english(code)
        assert other_title not in page and other_text not in page, "English on a Vietnamese page"
    # A form's random token (CSRF) may hold any letters, ".py" among them: not a leak.
    shown = re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "<input>", page)
    for leak in LEAKS:
        assert leak not in shown, f"{leak!r} on the {code} page"
    return page


def detail_of(page: str) -> str:
    """The error page's specific reason, the paragraph after the general text."""
    match = re.search(r'<p class="error-detail">(.*?)</p>', page, re.S)
    assert match, "no reason on the error page"
    return match.group(1).strip()


@pytest.fixture(params=["vi", "en"])
def lang(request):
    return request.param


def csrf_token(client, path: str = "/staff/login") -> str:
    """The CSRF token of a page (any test client, not only the suite's own)."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def speaking(client, lang: str):
    """The client, with ``lang`` chosen through the language switch (vi is the default)."""
    if lang != "vi":
        token = csrf_token(client)
        switched = client.post("/language", data={"lang": lang, "next": "/", "csrf_token": token})
        assert switched.status_code == 302
    return client


# --- each status, as it happens ------------------------------------------------------------


def test_400_a_refused_request(client, lang):
    """An unknown language in the switch: the view itself refuses with a plain 400."""
    speaking(client, lang)
    token = client.csrf_token("/staff/login")
    response = client.post("/language", data={"lang": "xx", "csrf_token": token})
    page = assert_own_error_page(response, 400, lang)
    assert "error-detail" not in page


def test_400_an_expired_form_says_so_in_the_users_language(client, lang):
    """A form posted without its CSRF token (an expired session, typically).

    Flask-WTF describes this in English ("The CSRF token is missing."); the page must
    say it in the user's language instead, without naming the mechanism.
    """
    speaking(client, lang)
    response = client.post("/start", data={"tax_code": "0100233488", "consent": "y"})
    page = assert_own_error_page(response, 400, lang)
    expired = "The form has expired. Please try again."
    assert detail_of(page) == (expired if lang == "en" else VIETNAMESE[expired])


def test_403_a_page_the_role_may_not_see(client, db, lang):
    speaking(client, lang)
    viewer = make_staff(db, Role.VIEWER)
    assert log_in(client, viewer.email).status_code == 302
    assert_own_error_page(client.get("/staff/users"), 403, lang)


def test_404_an_unknown_address(client, lang):
    speaking(client, lang)
    assert_own_error_page(client.get("/no/such/page"), 404, lang)


def test_404_with_a_reason_gives_the_reason_in_the_users_language(client, db, lang):
    """Staff opening the responses before any wave exists are told why, in their language."""
    speaking(client, lang)
    viewer = make_staff(db, Role.VIEWER)
    assert log_in(client, viewer.email).status_code == 302
    page = assert_own_error_page(client.get("/staff/responses"), 404, lang)
    reason = "There is no survey wave yet."
    assert detail_of(page) == (reason if lang == "en" else VIETNAMESE[reason])


def test_405_a_wrong_method(client, lang):
    speaking(client, lang)
    response = client.get("/submit")
    assert_own_error_page(response, 405, lang)
    assert "POST" in response.headers["Allow"]  # the 405 still says which method works


def test_413_a_body_over_the_cap(app, client, lang, monkeypatch):
    speaking(client, lang)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    token = client.csrf_token("/start")
    response = client.post("/start", data={"csrf_token": token, "tax_code": "0" * 4000, "consent": "y"})
    assert_own_error_page(response, 413, lang)


def test_429_too_many_wrong_resume_links(client, lang):
    """Wrong resume tokens are rate limited (RATELIMIT_TOKEN_FAILURES: 10 a minute)."""
    speaking(client, lang)
    limiter.reset()
    for n in range(10):
        assert client.get(f"/resume/not-a-token-{n}").status_code == 404
    assert_own_error_page(client.get("/resume/not-a-token-again"), 429, lang)


def test_429_too_many_failed_log_ins(client, lang):
    speaking(client, lang)
    limiter.reset()
    for n in range(5):
        assert log_in(client, "someone@staff.example.org", f"wrong-password-{n}").status_code == 401
    assert_own_error_page(log_in(client, "someone@staff.example.org", "wrong-again"), 429, lang)


@pytest.fixture
def crashing_app(own_app):
    """An app of its own whose routes fail: one with a plain error, one with a database
    error carrying SQL. Its errors are not propagated, as in production."""
    app = own_app(PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError('File "/work/main/survey/secret.py", line 3: Traceback in boom()')

    def database():
        raise OperationalError("SELECT password_hash FROM staff_users", {}, Exception("connection lost"))

    app.add_url_rule("/boom", view_func=boom)
    app.add_url_rule("/database", view_func=database)
    yield app
    limiter.reset()


@pytest.mark.parametrize("path", ["/boom", "/database"])
def test_500_an_unexpected_error_is_logged_not_shown(crashing_app, lang, path, caplog):
    client = speaking(crashing_app.test_client(), lang)
    assert_own_error_page(client.get(path), 500, lang)
    # "The error has been logged": with its trace, for the administrator.
    assert any(record.exc_info for record in caplog.records if record.levelname == "ERROR")


@pytest.mark.parametrize(("path", "code"), [("/boom", 500), ("/no/such/page", 404)])
def test_json_clients_get_the_same_words_and_nothing_internal(crashing_app, lang, path, code):
    """Pages polled by script ask for JSON; the error comes as JSON, in the same language."""
    client = speaking(crashing_app.test_client(), lang)
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == code
    title, text, _ = expected(code, lang)
    assert response.json == {"error": title, "detail": text}


# --- the size cap ------------------------------------------------------------------------------


def test_requests_are_capped_by_default(app):
    """Small bodies everywhere; 25 MB on the register upload, so a register file fits
    (tests/hardening/test_body_limits.py sends them)."""
    assert app.config["MAX_CONTENT_LENGTH"] == 256 * 1024
    assert app.config["UPLOAD_MAX_CONTENT_LENGTH"] == 25 * 1024 * 1024
    assert app.config["UPLOAD_ENDPOINTS"] == ["staff.register_upload"]


def test_a_register_upload_over_the_cap_is_refused_before_it_is_read(app, client, db, monkeypatch):
    """The biggest legitimate request, a register file, is refused whole with 413."""
    from io import BytesIO

    admin = make_staff(db, Role.ADMIN)
    assert log_in(client, admin.email).status_code == 302
    token = client.csrf_token("/staff/register")
    monkeypatch.setitem(app.config, "UPLOAD_MAX_CONTENT_LENGTH", 64 * 1024)
    response = client.post(
        "/staff/register",
        data={"csrf_token": token, "file": (BytesIO(b"x" * 100_000), "register.xlsx")},
        content_type="multipart/form-data",
    )
    assert_own_error_page(response, 413, "vi")
    uploads = Path(app.instance_path) / "uploads"
    assert not uploads.is_dir() or not any(
        path.stat().st_size >= 100_000 for path in uploads.glob("*.xlsx")
    ), "the oversized file was saved"
