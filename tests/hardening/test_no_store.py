"""Pages with personal data are never stored by a cache: ``Cache-Control: no-store``.

The respondent's journey, every staff page and download, and any response that sets a
cookie carry it; the public pages (home, summary, static files) may be cached. Like the
header test beside it, this walks ``app.url_map``, so a new route is checked too.
"""

from __future__ import annotations

from tests.hardening.test_headers_cookies import sample_urls, set_cookies, site  # noqa: F401

PRIVATE_BLUEPRINTS = ("respondent.", "staff.", "auth.")


def test_every_private_get_route_is_no_store(app, client, site):  # noqa: F811
    """As an administrator and as a visitor: pages, redirects to the log-in, downloads, 404s."""
    # test_headers_cookies.py proves that every GET route has a sample there.
    samples = sample_urls(site)
    visitor = app.test_client()
    problems = []
    checked = 0
    for endpoint, urls in samples.items():
        if not endpoint.startswith(PRIVATE_BLUEPRINTS):
            continue
        for url in urls:
            for who, c in (("admin", client), ("visitor", visitor)):
                response = c.get(url)
                checked += 1
                if response.headers.get("Cache-Control") != "no-store":
                    problems.append(
                        f"{who} {url} ({response.status_code}): {response.headers.get('Cache-Control')}"
                    )
                response.close()
    assert checked > 40
    assert not problems, "\n".join(problems)


def test_downloads_are_no_store(client, site):  # noqa: F811
    for url in (f"/staff/exports/{site['job']}/download", f"/staff/register/{site['upload']}/errors.xlsx"):
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_public_pages_may_be_cached(app, client, db):
    """Static files and the health check never are no-store; home and summary only when
    they set a cookie (a visitor's first page creates the session for its CSRF token)."""
    for url in ("/static/css/app.css", "/static/js/survey.js", "/healthz"):
        response = app.test_client().get(url)
        assert set_cookies(response) == [], url
        assert "no-store" not in response.headers.get("Cache-Control", ""), url
        response.close()
    for url in ("/", "/summary", "/", "/summary"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert ("no-store" in response.headers.get("Cache-Control", "")) == bool(set_cookies(response)), url


def test_a_response_that_sets_a_cookie_is_no_store(app, client, db):
    """Public or not: the first visit (a new session), a language switch (a changed one)."""
    first = client.get("/")
    assert set_cookies(first) and first.headers["Cache-Control"] == "no-store"
    token = client.csrf_token("/")
    switched = client.post("/language", data={"lang": "en", "csrf_token": token})
    assert switched.status_code == 302
    assert set_cookies(switched) and switched.headers["Cache-Control"] == "no-store"
