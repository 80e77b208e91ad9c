"""Contract tests of each endpoint: the answers are the existing figures' own, and refusals are problems."""

from __future__ import annotations

import pytest

from survey import frameworks
from survey.dashboard.figures import comparable_waves
from survey.reports import privacy
from survey.scoring.export import framework_contract
from survey.statistics.rollup import compare, rollup
from tests import factories
from tests.api.conftest import HIGH, LOW


def _problem(answer, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.get_data(as_text=True)[:400]
    assert answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert body["code"] == code, body
    return body


def test_the_openapi_document_describes_every_api_route(app, client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    spec = answer.get_json()
    assert spec["openapi"].startswith("3.")
    documented = set(spec["paths"])
    routes = {
        "/api/v1"
        + rule.rule.removeprefix("/api/v1").replace("<int:", "<").replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == documented
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    # Errors are documented as problem details, and nothing as a catch-all "default".
    assert "application/problem+json" in spec["components"]["responses"]["NOT_FOUND"]["content"]
    operations = [op for path in spec["paths"].values() for name, op in path.items() if name != "parameters"]
    assert operations and all("default" not in op["responses"] for op in operations)


def test_frameworks_are_every_recorded_version(client, db, viewer):
    items = client.get("/api/v1/frameworks", headers=viewer).get_json()["items"]
    found = {(i["code"], i["version"]): i for i in items}
    assert {("dbi-2021-sme", 1), ("dbi-2021-sme", 2)} <= set(found)
    assert found["dbi-2021-sme", 1]["offered"] is False and found["dbi-2021-sme", 2]["offered"] is True
    assert found["dbi-2021-sme", 2]["content_hash"] == frameworks.load("dbi-2021-sme", 2).content_hash


@pytest.mark.parametrize("version", [1, 2])
def test_a_framework_version_is_the_framework_export_contract(client, db, viewer, version):
    answer = client.get(f"/api/v1/frameworks/dbi-2021-sme/versions/{version}", headers=viewer)
    assert answer.get_json() == framework_contract(frameworks.load("dbi-2021-sme", version))


@pytest.mark.parametrize(
    "path",
    [
        "/frameworks/dbi-2021-sme/versions/9",
        "/frameworks/nope/versions/1",
        "/frameworks/x/versions/99999999999",
    ],
)
def test_an_unknown_framework_version_is_not_found(client, db, viewer, path):
    _problem(client.get("/api/v1" + path, headers=viewer), 404, "not_found")


def test_waves_are_listed_newest_first_with_their_counted_responses(client, db, viewer, city):
    factories.with_modules(city, "barriers-needs")
    later = factories.wave(name="Đợt 2026", opens_at=city.opens_at + (city.closes_at - city.opens_at))
    db.session.commit()
    items = client.get("/api/v1/waves", headers=viewer).get_json()["items"]
    assert [i["id"] for i in items] == [later.id, city.id]
    wave = items[1]
    assert (
        wave["counted"] == 8
        and wave["state"] == "open"
        and wave["framework"] == {"code": "dbi-2021-sme", "version": 1}
    )
    assert wave["modules"] == [{"code": "barriers-needs", "version": 1}]
    assert wave["opens_at"].endswith("+00:00")


def test_the_rollup_is_flask_rollups_with_small_groups_suppressed(client, db, viewer, city):
    data = client.get(f"/api/v1/waves/{city.id}/rollup?by=sector", headers=viewer).get_json()
    expected = rollup(db.session, city, by="sector", strata=["business_kind", "size_group", "size_class"])
    assert data["overall"] == expected["overall"] and data["population"] == expected["population"]
    assert data["framework"] == expected["framework"] and data["min_group"] == privacy.min_group()
    groups = {g["key"]: g for g in data["groups"]}
    assert groups["C"]["tiers"] == next(g for g in expected["groups"] if g["key"] == "C")["tiers"]
    assert not groups["C"]["suppressed"]
    assert groups["H"]["suppressed"] and groups["H"]["n"] == 2
    assert groups["H"]["tiers"]["engaged"] == {"count": None, "share": None, "ci_low": None, "ci_high": None}


def test_the_rollup_takes_the_filters_of_every_report(client, db, viewer, city):
    data = client.get(f"/api/v1/waves/{city.id}/rollup?sector=C&size_class=small", headers=viewer).get_json()
    expected = rollup(db.session, city, filters={"sector": "C", "size_class": "small"})
    assert data["filters"] == {"sector": "C", "size_class": "small"}
    assert data["overall"] == expected["overall"] and data["overall"]["n"] == 6


@pytest.mark.parametrize(
    "query, code",
    [
        ("sector=Z", "invalid_parameter"),  # the shape is right, the database has no such sector
        ("sector=CC", "invalid_parameter"),
        ("unit=99999", "invalid_parameter"),
        ("unit=' OR 1=1 --", "invalid_parameter"),
        ("former_area=" + "x" * 101, "invalid_parameter"),
        ("size_class=giant", "invalid_parameter"),
        ("by=colour", "invalid_parameter"),
        ("compare_to=abc", "invalid_parameter"),
        ("compare_to=0", "invalid_parameter"),
        ("area=Ngô Quyền", "invalid_parameter"),  # the short names are the pages' aliases, not the API's
        ("secter=C", "invalid_parameter"),  # a misspelt filter is refused, not ignored
        ("sector=%00", "bad_request"),
        ("sector=%FF", "invalid_parameter"),  # not UTF-8: read as U+FFFD, no sector's shape
    ],
)
def test_every_parameter_is_validated(client, db, viewer, city, query, code):
    body = _problem(client.get(f"/api/v1/waves/{city.id}/rollup?{query}", headers=viewer), 400, code)
    if code == "invalid_parameter":
        assert body["errors"]


def test_compare_to_gives_the_change_from_an_earlier_comparable_wave(client, db, viewer, city):
    earlier = factories.wave(name="Đợt 2024", open_now=False, year=2024)
    for answers in (HIGH, LOW, LOW, LOW, LOW):
        factories.response(earlier, factories.enterprise(sector_code="C", employees=20), answers)
    db.session.commit()
    assert earlier in comparable_waves(db.session, city)
    data = client.get(f"/api/v1/waves/{city.id}/rollup?compare_to={earlier.id}", headers=viewer).get_json()
    assert data["change"] == compare(db.session, earlier, city, ["business_kind", "size_group", "size_class"])
    body = _problem(
        client.get(
            f"/api/v1/waves/{city.id}/rollup?compare_to={earlier.id}&sector=C",
            headers={**viewer, "Accept-Language": "en"},
        ),
        400,
        "not_comparable",
    )
    assert "filters" in body["detail"]
    _problem(
        client.get(f"/api/v1/waves/{city.id}/rollup?compare_to=999999", headers=viewer),
        400,
        "invalid_parameter",
    )


def test_waves_on_another_framework_version_are_not_compared(client, db, viewer, city):
    other = factories.wave(name="Đợt v2", open_now=False, framework_version=factories.framework_version(2))
    db.session.commit()
    _problem(
        client.get(f"/api/v1/waves/{city.id}/rollup?compare_to={other.id}", headers=viewer),
        400,
        "not_comparable",
    )


@pytest.mark.parametrize("wave_id", ["999999", "2147483648", "99999999999999999999", "0"])
def test_an_unknown_wave_is_not_found(client, db, viewer, wave_id):
    _problem(client.get(f"/api/v1/waves/{wave_id}/rollup", headers=viewer), 404, "not_found")
    _problem(client.get(f"/api/v1/waves/{wave_id}/responses"), 401, "token_missing")


def test_addresses_and_methods_the_api_does_not_have_are_problems_too(client, db):
    _problem(client.get("/api/v1/nothing-here"), 404, "not_found")
    _problem(client.get("/api/v1/waves/-1/rollup"), 404, "not_found")
    answer = client.post("/api/v1/summary")
    _problem(answer, 405, "method_not_allowed")
    assert "GET" in answer.headers["Allow"]
    # Outside the API, the app's own error pages are unchanged.
    assert client.get("/no/such/page").mimetype == "text/html"


def test_each_problem_type_describes_itself(client, db):
    body = client.get("/api/v1/problems/token_expired").get_json()
    assert body == {"code": "token_expired", "status": 401, "title": body["title"]} and body["title"]
    _problem(client.get("/api/v1/problems/no_such_code"), 404, "not_found")


def test_an_unexpected_error_is_a_500_problem_without_detail(client, db, viewer, city, monkeypatch):
    from survey.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.rollups, "rollup", broken)
    body = _problem(client.get(f"/api/v1/waves/{city.id}/rollup", headers=viewer), 500, "internal_error")
    assert "secret" not in str(body)


def test_titles_follow_the_language_asked_for(client, db):
    vi = client.get("/api/v1/nothing", headers={"Accept-Language": "vi"}).get_json()
    en = client.get("/api/v1/nothing", headers={"Accept-Language": "en"}).get_json()
    assert en["title"] == "Not found" and vi["code"] == en["code"] == "not_found"
