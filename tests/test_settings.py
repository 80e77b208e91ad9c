"""Settings that can be wrong are checked when the app is built, with a message that
names the setting, the value and what it may be (survey.config.check)."""

from __future__ import annotations

import re

import pytest

from survey import create_app
from survey.config import DEFAULTS, RATE_LIMIT_SETTINGS, ConfigError
from tests.conftest import TEST_SECRET


def build(**settings):
    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": TEST_SECRET, **settings})


def refused(**settings) -> str:
    with pytest.raises(ConfigError) as caught:
        build(**settings)
    return str(caught.value)


def test_the_defaults_pass():
    assert build().config["ROLLUP_STRATA"] == ["business_kind", "size_group", "size_class"]


def test_a_misspelt_stratum_is_refused_at_start_up():
    # It used to start, and /summary answered 500.
    message = refused(ROLLUP_STRATA=["size_grup"])
    assert "ROLLUP_STRATA is ['size_grup']" in message
    assert "unknown: size_grup" in message
    assert "size_group" in message.split("unknown")[0]  # the allowed names are listed
    assert "former_area" in message


@pytest.mark.parametrize("strata", ["size_group", ["size_group", "size_group"], [1], None])
def test_strata_must_be_a_list_of_distinct_dimensions(strata):
    assert "ROLLUP_STRATA" in refused(ROLLUP_STRATA=strata)


def test_other_strata_are_accepted():
    assert build(ROLLUP_STRATA=("sector", "unit")).config["ROLLUP_STRATA"] == ("sector", "unit")


def test_the_environment_is_checked_too(monkeypatch):
    monkeypatch.setenv("SURVEY_ROLLUP_STRATA", '["size_group", "size_clas"]')
    with pytest.raises(ConfigError, match=re.escape("ROLLUP_STRATA is ['size_group', 'size_clas']")):
        create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": TEST_SECRET})


def test_a_language_without_a_catalogue_is_refused():
    message = refused(LANGUAGES=["vi", "fr"])
    assert "LANGUAGES is ['vi', 'fr']" in message
    assert "with a catalogue: en, vi" in message


@pytest.mark.parametrize("languages", [[], "vi", None])
def test_languages_must_be_a_list(languages):
    assert "LANGUAGES is" in refused(LANGUAGES=languages, BABEL_DEFAULT_LOCALE="vi")


def test_the_default_locale_must_be_one_of_the_languages():
    message = refused(LANGUAGES=["en"])
    assert "BABEL_DEFAULT_LOCALE is 'vi'; it must be one of LANGUAGES (en)" in message
    assert build(LANGUAGES=["en"], BABEL_DEFAULT_LOCALE="en").config["LANGUAGES"] == ["en"]


@pytest.mark.parametrize("name", ["DASHBOARD_MIN_GROUP", "PEER_MIN_GROUP", "PER_PAGE", "RETENTION_DAYS"])
@pytest.mark.parametrize("value", [0, -5, "5", 2.5, True, None])
def test_counts_must_be_whole_numbers_above_zero(name, value):
    message = refused(**{name: value})
    assert f"{name} is {value!r}; it must be a whole number above 0" in message


def test_a_count_of_one_is_allowed():
    assert build(DASHBOARD_MIN_GROUP=1, PER_PAGE=1).config["PER_PAGE"] == 1


@pytest.mark.parametrize("name", RATE_LIMIT_SETTINGS)
@pytest.mark.parametrize("value", ["30 per minit", "thirty a minute", "", 30, None, "0 per minute"])
def test_rate_limits_must_parse(name, value):
    message = refused(**{name: value})
    assert f"{name} is {value!r}; it must be rate limits like" in message


def test_rate_limits_in_the_usual_forms_are_accepted():
    app = build(RATELIMIT_START="5/minute", RATELIMIT_SUBMIT="10 per 2 hours; 100 per day")
    assert app.config["RATELIMIT_START"] == "5/minute"


def test_every_rate_limit_setting_is_checked():
    # A new RATELIMIT_* limit in DEFAULTS must join RATE_LIMIT_SETTINGS to be checked.
    limits = {k for k, v in DEFAULTS.items() if k.startswith("RATELIMIT_") and isinstance(v, str)}
    assert limits - {"RATELIMIT_STORAGE_URI"} == set(RATE_LIMIT_SETTINGS)


@pytest.mark.parametrize(
    "base",
    ["khaosat.example.gov.vn", "ftp://khaosat.example.gov.vn", "https:///nohost", "https://x.vn/?a=1", 42],
)
def test_the_base_url_must_be_an_absolute_http_address(base):
    message = refused(BASE_URL=base)
    assert f"BASE_URL is {base!r}" in message
    assert "https://khaosat.example.gov.vn" in message


def test_an_unknown_default_framework_is_refused():
    message = refused(DEFAULT_FRAMEWORK="dbi-2012-sme")
    assert "DEFAULT_FRAMEWORK is 'dbi-2012-sme'; it must be a packaged framework: dbi-2021-sme" in message


def test_every_wrong_setting_is_named_at_once():
    message = refused(ROLLUP_STRATA=["sectr"], PER_PAGE=0, RATELIMIT_SUBMIT="lots")
    problems = [line for line in message.splitlines() if line.startswith("- ")]
    assert [p.split(" is ")[0] for p in problems] == ["- ROLLUP_STRATA", "- PER_PAGE", "- RATELIMIT_SUBMIT"]


def test_the_error_is_a_runtime_error():
    # Code that catches the factory's RuntimeError (a missing secret key, a bad PROXY_FIX) sees these too.
    assert issubclass(ConfigError, RuntimeError)
