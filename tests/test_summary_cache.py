"""The public summary: its figures are cached until the data behind them changes, and
each client may only ask for it so often (RATELIMIT_SUMMARY)."""

from __future__ import annotations

import pytest

from survey.main import summary
from tests import factories
from tests.hardening.test_error_pages import assert_own_error_page


@pytest.fixture
def computed(monkeypatch):
    """The ``n`` of every board the summary computed (not served from the cache)."""
    summary.forget()
    calls = []
    real = summary.compute

    def counting(session, wave):
        board = real(session, wave)
        calls.append(board.overall["n"])
        return board

    monkeypatch.setattr(summary, "compute", counting)
    yield calls
    summary.forget()


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves: ``clock.now += seconds``."""

    class Clock:
        now = 1000.0

    monkeypatch.setattr(summary, "clock", lambda: Clock.now)
    return Clock


@pytest.fixture
def wave(db, framework):
    w = factories.wave(name="Đợt 2025")
    for _ in range(3):
        factories.response(w, answers=factories.answers_at(framework, 0.5))
    db.session.commit()
    return w


def submit_one(db, wave, framework):
    factories.response(wave, answers=factories.answers_at(framework, 0.8))
    db.session.commit()


def test_a_second_request_is_served_from_the_cache(client, wave, computed, clock):
    first = client.get("/summary")
    clock.now += 5
    second = client.get("/summary")
    assert first.status_code == second.status_code == 200
    assert computed == [3]
    # The same page: the wave (its name) comes from this request, the figures from the cache.
    assert "Đợt 2025" in second.get_data(as_text=True)
    assert 'data-testid="headline"' in second.get_data(as_text=True)


def test_a_new_submission_is_counted_at_the_next_request(
    app, client, db, wave, framework, computed, clock, monkeypatch
):
    """With no minimum age, every change of the data is seen at once."""
    monkeypatch.setitem(app.config, "PUBLIC_SUMMARY_CACHE_MIN_AGE", 0)
    client.get("/summary")
    client.get("/summary")
    submit_one(db, wave, framework)
    client.get("/summary")
    client.get("/summary")
    assert computed == [3, 4]


def test_changes_are_seen_after_the_minimum_age(client, db, wave, framework, computed, clock):
    """By default figures younger than a minute are served as they are, so a busy
    deadline day does not mean a new rollup at every submission."""
    client.get("/summary")
    submit_one(db, wave, framework)
    clock.now += 30
    client.get("/summary")
    assert computed == [3]
    clock.now += 31
    client.get("/summary")
    client.get("/summary")
    assert computed == [3, 4]


def test_a_register_change_and_the_maximum_age_recompute(client, db, wave, computed, clock):
    client.get("/summary")
    clock.now += 61
    client.get("/summary")  # the stamp is read again, and has not changed
    assert computed == [3]
    factories.enterprise()  # the population estimates divide by the register
    db.session.commit()
    client.get("/summary")
    assert len(computed) == 2
    clock.now += 601
    client.get("/summary")
    assert len(computed) == 3


def test_the_summary_is_rate_limited_per_client(app, client, wave, computed, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_SUMMARY", "3 per minute")
    statuses = [client.get("/summary").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert_own_error_page(client.get("/summary"), 429, "vi")
    # Another address has its own budget.
    other = client.get("/summary", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200


def test_the_cached_figures_serve_every_language(client, wave, computed, clock):
    """The cache holds figures, not pages: labels carry both languages."""
    vietnamese = client.get("/summary").get_data(as_text=True)
    token = client.csrf_token("/")
    client.post("/language", data={"lang": "en", "csrf_token": token})
    english = client.get("/summary").get_data(as_text=True)
    assert computed == [3]
    assert '<html lang="vi">' in vietnamese and '<html lang="en">' in english
    assert "Digital transformation of Hai Phong's enterprises" in english.replace("&#39;", "'")
