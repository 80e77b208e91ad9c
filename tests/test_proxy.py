"""Behind a reverse proxy: whose address counts, depending on PROXY_FIX."""

from __future__ import annotations

import pytest
from flask import url_for

from survey.extensions import limiter
from survey.urls import external_url


def wrong_token_statuses(app, addresses: list[str]) -> list[int]:
    """GET a wrong resume link once from each claimed client address."""
    limiter.reset()
    client = app.test_client()
    return [
        client.get(f"/resume/wrong-token-{i:03d}", headers={"X-Forwarded-For": address}).status_code
        for i, address in enumerate(addresses)
    ]


def test_without_proxy_fix_a_client_cannot_choose_its_address(app, own_app):
    # The wrong-token budget is 10 a minute per address; inventing addresses must not reset it.
    statuses = wrong_token_statuses(own_app(), [f"10.0.0.{i}" for i in range(12)])
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]


def test_with_proxy_fix_each_forwarded_client_has_its_own_budget(app, own_app):
    proxied = own_app(PROXY_FIX={"x_for": 1, "x_proto": 1})
    assert wrong_token_statuses(proxied, [f"10.0.0.{i}" for i in range(12)]) == [404] * 12
    # ...and one client behind the proxy is still limited.
    assert wrong_token_statuses(proxied, ["10.0.0.99"] * 11)[-1] == 429


def test_forwarded_scheme_makes_external_links_https(app, own_app):
    proxied = own_app(PROXY_FIX={"x_for": 1, "x_proto": 1})
    # Resume links are external URLs: behind TLS they must say https.
    proxied.add_url_rule("/_probe", "probe", lambda: url_for("main.home", _external=True))
    page = proxied.test_client().get("/_probe", headers={"X-Forwarded-Proto": "https"})
    assert page.get_data(as_text=True) == "https://localhost/"


def test_the_base_url_wins_over_the_forwarded_scheme_and_host(app, own_app):
    """Links that leave the site (survey.urls.external_url) follow BASE_URL only: a proxy
    that says http, or a client that names its own host, changes nothing in them."""
    proxied = own_app(PROXY_FIX={"x_for": 1, "x_proto": 1}, BASE_URL="https://khaosat.example.gov.vn")
    proxied.add_url_rule("/_probe", "probe", lambda: external_url("respondent.resume", token="t0k"))
    client = proxied.test_client()
    for proto in ("http", "https"):
        page = client.get("/_probe", headers={"X-Forwarded-Proto": proto, "Host": "localhost"})
        assert page.get_data(as_text=True) == "https://khaosat.example.gov.vn/resume/t0k"


@pytest.mark.parametrize("bad", [{"x_forwarded": 1}, [1], "x_for"])
def test_a_malformed_proxy_fix_setting_is_refused(bad, own_app):
    with pytest.raises(RuntimeError, match="PROXY_FIX"):
        own_app(PROXY_FIX=bad)
