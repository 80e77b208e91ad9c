"""The application factory, configuration layering, health check and language switch."""

from __future__ import annotations

import stat

import pytest

from survey import create_app
from tests.conftest import TEST_SECRET, make_app


def test_defaults_then_instance_config_then_environment(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        "DATABASE_URL = 'sqlite:///from-instance.sqlite'\nROLLUP_STRATA = ['sector']\nSECRET_KEY = 'inst'\n"
    )
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SURVEY_SECRET_KEY", "from-env")
    app = create_app()
    assert app.instance_path == str(tmp_path)
    # instance/config.py overrides the defaults ...
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-instance.sqlite"
    assert app.config["ROLLUP_STRATA"] == ["sector"]
    # ... the environment overrides the instance file ...
    assert app.config["SECRET_KEY"] == "from-env"
    # ... and untouched defaults stay.
    assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"

    monkeypatch.setenv("SURVEY_DATABASE_URL", "sqlite:///from-env.sqlite")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-env.sqlite"


def test_default_database_is_sqlite_in_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SURVEY_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/survey.sqlite"


def test_relative_instance_path_is_refused(monkeypatch):
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", "relative/dir")
    with pytest.raises(RuntimeError, match="absolute"):
        create_app()


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SURVEY_SECRET_KEY", raising=False)
    first = create_app().config["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # A restart reads the same key: sessions survive it.
    assert create_app().config["SECRET_KEY"] == first


def test_secret_key_failure_is_fatal_in_production_but_not_in_testing(tmp_path, monkeypatch):
    import survey.config as config

    def unwritable(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SURVEY_SECRET_KEY", raising=False)
    monkeypatch.setattr(config.os, "open", unwritable)
    with pytest.raises(RuntimeError, match="No secret key"):
        create_app()
    testing = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    assert len(testing.config["SECRET_KEY"]) == 64


def test_healthz_round_trips_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "url",
    ["sqlite:////nonexistent-dir/for/sure/x.sqlite", "postgresql+psycopg://nobody@127.0.0.1:1/none"],
)
def test_healthz_reports_503_when_the_database_is_unreachable(url):
    app = make_app(url, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {}})
    if url.startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"connect_timeout": 2}}
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_home_page_without_a_wave_says_so(client):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No survey is open at the moment" in page


def test_home_page_shows_the_open_wave(client, db):
    from tests import factories

    wave = factories.wave(name="Khảo sát <b>2025</b>")
    factories.response(wave, answers=factories.answers_at(_framework(), 0.5))
    db.session.commit()
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    # Escaped, never rendered as markup.
    assert "Khảo sát &lt;b&gt;2025&lt;/b&gt;" in page
    assert 'data-testid="submitted-count">1<' in page


def _framework():
    from survey import frameworks

    return frameworks.load("dbi-2021-sme", 1)


def test_vietnamese_is_the_default_language(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Hiện chưa có đợt khảo sát nào đang mở" in page


def test_browser_language_is_honoured(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_language_switch_persists_in_the_session(client):
    token = client.csrf_token("/")
    response = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "No survey is open at the moment" in page


def test_language_switch_needs_csrf_and_a_known_language(client):
    assert client.post("/language", data={"lang": "en"}).status_code == 400
    token = client.csrf_token("/")
    assert client.post("/language", data={"lang": "fr", "csrf_token": token}).status_code == 400


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_language_switch_never_redirects_off_site(client, target):
    token = client.csrf_token("/")
    response = client.post("/language", data={"lang": "en", "next": target, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_static_assets_are_served_by_the_app(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["Content-Type"]
    assert b".site-header" in response.data
    response.close()


def test_test_config_wins_over_environment(monkeypatch):
    monkeypatch.setenv("SURVEY_DATABASE_URL", "sqlite:///env.sqlite")
    app = make_app("sqlite:///test.sqlite")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///test.sqlite"
    assert app.config["SECRET_KEY"] == TEST_SECRET


def test_templates_have_no_inline_script_or_style():
    """The CSP forbids inline code; this keeps templates from growing any."""
    import pathlib
    import re

    for template in pathlib.Path("templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert " style=" not in text and "<style" not in text, template
        assert not re.search(r"\son[a-z]+=", text), template


def test_every_translation_formats():
    """Templates format every message (Jinja's new-style gettext), so a lone % breaks a page."""
    import re

    from babel.messages.pofile import read_po

    with open("survey/translations/vi/LC_MESSAGES/messages.po", "rb") as fh:
        catalogue = read_po(fh)
    for message in catalogue:
        if not message.id or not message.string:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        names = set(re.findall(r"%\((\w+)\)", message.id if isinstance(message.id, str) else message.id[0]))
        for text in strings:
            text % dict.fromkeys(names, 1)  # raises on a lone % or an unknown placeholder
