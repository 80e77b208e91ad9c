"""Links that leave the site are built on BASE_URL, never on the client's Host header.

A probe once had a resume link to http://survey-login.evil.example/resume/<token>
mailed to a firm: the link had been built from the request's Host header. Now every
outgoing link comes from ``survey.urls.external_url``, and with BASE_URL set a request
naming another host is refused (Flask's TRUSTED_HOSTS, derived from BASE_URL).
"""

from __future__ import annotations

import pytest

from survey.extensions import limiter
from survey.models import Role
from survey.urls import external_url
from tests import factories
from tests.staff.staff_helpers import logged_in, rows_of
from tests.staff.test_invitations import issue, register_firm

BASE = "https://khaosat.example.gov.vn"


@pytest.fixture
def based(own_app):
    app = own_app(BASE_URL=BASE)
    yield app
    limiter.reset()


def test_trusted_hosts_come_from_the_base_url(based):
    assert based.config["TRUSTED_HOSTS"] == ["khaosat.example.gov.vn", "localhost", "127.0.0.1"]


@pytest.mark.parametrize("host", ["evil.example", "khaosat.example.gov.vn.evil.example", "evil.example:443"])
def test_a_request_for_another_host_is_refused(based, host):
    response = based.test_client().get("/", headers={"Host": host})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="site-header"' in page  # the app's own page, in Vietnamese
    assert "evil.example" not in page


@pytest.mark.parametrize(
    "host", ["khaosat.example.gov.vn", "khaosat.example.gov.vn:443", "localhost", "127.0.0.1:8000"]
)
def test_the_public_host_and_the_machine_itself_are_served(based, host):
    """The public name, and loopback for health checks on the app server itself."""
    assert based.test_client().get("/healthz", headers={"Host": host}).status_code == 200


def test_explicit_trusted_hosts_win(own_app):
    app = own_app(BASE_URL=BASE, TRUSTED_HOSTS=["khaosat.example.gov.vn", "10.0.0.11"])
    assert app.test_client().get("/healthz", headers={"Host": "10.0.0.11:8000"}).status_code == 200
    assert app.test_client().get("/healthz", headers={"Host": "localhost"}).status_code == 400


@pytest.mark.parametrize(
    "bad", ["khaosat.example.gov.vn", "ftp://khaosat.example.gov.vn", "https://x.vn/?a=1"]
)
def test_a_malformed_base_url_is_refused(own_app, bad):
    with pytest.raises(RuntimeError, match="BASE_URL"):
        own_app(BASE_URL=bad)


def test_external_urls_use_the_base_url_whatever_the_request_says(based):
    with based.test_request_context("/", base_url="http://localhost:5000"):
        assert external_url("respondent.resume", token="abc") == f"{BASE}/resume/abc"
        assert external_url("main.home") == f"{BASE}/"


def test_a_base_url_with_a_path_prefixes_the_links(own_app):
    app = own_app(BASE_URL="https://so.example.gov.vn/khaosat/")
    with app.test_request_context("/"):
        assert external_url("respondent.invitation", token="t0k") == "https://so.example.gov.vn/khaosat/i/t0k"


def test_without_a_base_url_only_debug_testing_or_loopback_may_use_the_request(own_app):
    app = own_app(TESTING=False)
    with (
        app.test_request_context("/", base_url="http://evil.example"),
        pytest.raises(RuntimeError, match="BASE_URL is not set"),
    ):
        external_url("respondent.resume", token="abc")
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        assert external_url("respondent.resume", token="abc") == "http://127.0.0.1:5000/resume/abc"
    testing = own_app()
    with testing.test_request_context("/", base_url="http://survey.test"):
        assert external_url("respondent.resume", token="abc") == "http://survey.test/resume/abc"


def test_the_invitation_workbook_links_use_the_base_url(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    wave = factories.wave()
    firm = register_firm()
    logged_in(client, db, Role.ANALYST)
    response = issue(client, wave.id)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    rows = rows_of(response.get_data())
    links = [row[-1] for row in rows[1:] if row[0] == firm.tax_code]
    assert len(links) == 1 and links[0].startswith(f"{BASE}/i/"), links
