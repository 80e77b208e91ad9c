"""The public summary through the API: the page's own figures and suppression, as JSON and CSV,
anonymous and cached."""

from __future__ import annotations

import csv
import io
import re

from survey.reports import privacy
from survey.statistics.rollup import rollup
from tests import factories
from tests.api.conftest import HIGH


def test_the_json_is_the_pages_figures_with_the_framework_version_and_the_method(client, db, city):
    answer = client.get("/api/v1/summary")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    data = answer.get_json()
    assert data["wave"] == {"id": city.id, "name": "Đợt 2025", "year": city.year}
    assert data["framework"]["code"] == "dbi-2021-sme" and data["framework"]["version"] == 1
    assert data["method"]["min_group"] == privacy.min_group()
    assert data["method"]["strata_by"] == ["business_kind", "size_group", "size_class"]
    assert "post-stratified" in data["method"]["estimate"]["en"]
    result = rollup(db.session, city, strata=data["method"]["strata_by"])
    engaged = next(t for t in data["headline"]["tiers"] if t["code"] == "engaged")
    assert engaged["estimate"] == result["population"]["tiers"]["engaged"]["estimate"]
    assert engaged["respondents_share"] == result["overall"]["tiers"]["engaged"]["share"]
    assert data["headline"]["responses"] == 8  # the draft does not count
    assert {lv["level"]: lv["count"] for lv in data["levels"]} == {
        int(k): v for k, v in result["overall"]["levels"].items()
    }
    assert next(t for t in data["technologies"] if t["code"] == "cloud")["count"] == 2
    sectors = next(b for b in data["breakdowns"] if b["dimension"] == "sector")
    assert sectors["label"]["en"] and sectors["label"]["vi"]
    # The ownership and unit breakdowns are the staff dashboard's, never the public one's.
    assert {b["dimension"] for b in data["breakdowns"]}.isdisjoint({"ownership", "unit"})
    assert answer.headers["Cache-Control"].startswith("public, max-age=")
    assert "Set-Cookie" not in answer.headers


def _page_groups(page: str) -> dict[tuple[str, str], tuple[int, bool]]:
    """(dimension, group) → (n, suppressed) as the public page shows them."""
    shown = {}
    for dimension, body in re.findall(
        r'<table class="data breakdown" data-dimension="([^"]+)">(.*?)</table>', page, re.S
    ):
        for group, suppressed, n in re.findall(
            r'<tr data-group="([^"]*)"( class="suppressed")?>\s*<th scope="row">.*?</th>\s*<td>(\d+)</td>',
            body,
            re.S,
        ):
            shown[dimension, group] = (int(n), bool(suppressed))
    return shown


def test_suppression_in_the_json_is_the_pages(client, db, city):
    page = client.get("/summary").get_data(as_text=True)
    data = client.get("/api/v1/summary").get_json()
    given = {
        (b["dimension"], "None" if g["key"] is None else g["key"]): (g["n"], g["suppressed"])
        for b in data["breakdowns"]
        for g in b["groups"]
    }
    shown = _page_groups(page)
    assert shown and given == shown
    # Transport has two responses: too few; its shares are not given, its n is.
    transport = next(
        g for b in data["breakdowns"] if b["dimension"] == "sector" for g in b["groups"] if g["key"] == "H"
    )
    assert transport["suppressed"] and transport["n"] == 2
    assert all(v is None for s in transport["tiers"].values() for v in s.values())
    assert all(v is None for v in transport["pillar_means"].values())
    manufacturing = next(
        g for b in data["breakdowns"] if b["dimension"] == "sector" for g in b["groups"] if g["key"] == "C"
    )
    assert not manufacturing["suppressed"] and manufacturing["tiers"]["engaged"]["share"] == 2 / 6


def test_suppression_follows_the_configured_minimum_group(app, client, db, city, monkeypatch):
    monkeypatch.setitem(app.config, "DASHBOARD_MIN_GROUP", 7)
    data = client.get("/api/v1/summary").get_json()
    sectors = next(b for b in data["breakdowns"] if b["dimension"] == "sector")["groups"]
    assert data["method"]["min_group"] == 7
    assert all(g["suppressed"] for g in sectors)  # 6 and 2 responses, both below 7


def _barriers(cost: int, needs=()) -> dict:
    from survey.modules import module_of

    module = module_of(factories.module_version("barriers-needs"))
    return {**{q.code: 1 for q in module.questions if q.kind == "rating"}, "cost": cost, "needs": list(needs)}


def test_the_modules_figures_are_suppressed_as_on_the_page(client, db):
    from survey.main import summary

    summary.forget()
    wave = factories.with_modules(factories.wave(name="Đợt mô-đun"), "barriers-needs")
    for cost in (5, 5, 4, 2, 1, 1):
        r = factories.response(wave, factories.enterprise(sector_code="C", employees=20), HIGH)
        factories.answer_module(r, "barriers-needs", _barriers(cost, ["training"]))
    for _ in range(2):
        r = factories.response(wave, factories.enterprise(sector_code="H", employees=20), HIGH)
        factories.answer_module(r, "barriers-needs", _barriers(5, ["finance"]))
    db.session.commit()
    page = client.get("/summary").get_data(as_text=True)
    module = client.get("/api/v1/summary").get_json()["modules"][0]
    assert module["code"] == "barriers-needs" and not module["overall"]["suppressed"]
    cost = next(r for r in module["overall"]["ratings"] if r["question"] == "cost")
    shown = re.search(r'data-testid="barriers-needs-cost-sample-mean">([^<]+)<', page).group(1)
    assert shown.replace(",", ".") == f"{cost['mean']:.2f}"
    sectors = next(b for b in module["breakdowns"] if b["dimension"] == "sector")["groups"]
    transport = next(g for g in sectors if g["key"] == "H")
    assert (
        transport["suppressed"] and transport["n"] == 2 and transport["ratings"] == transport["options"] == []
    )
    assert re.search(
        r'data-module="barriers-needs"[^>]*data-dimension="sector".*?<tr data-group="H" class="suppressed">',
        page,
        re.S,
    )
    assert not next(g for g in sectors if g["key"] == "C")["suppressed"]
    summary.forget()


def test_the_csv_has_one_row_per_figure_of_the_json(client, db, city):
    data = client.get("/api/v1/summary").get_json()
    answer = client.get("/api/v1/summary.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="summary-wave-{city.id}.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert {r["framework"] for r in rows} == {"dbi-2021-sme"} and {r["framework_version"] for r in rows} == {
        "1"
    }
    engaged = next(
        r
        for r in rows
        if r["section"] == "headline" and r["item"] == "engaged" and r["measure"] == "estimated_share"
    )
    tier = next(t for t in data["headline"]["tiers"] if t["code"] == "engaged")
    assert float(engaged["value"]) == tier["estimate"] and float(engaged["ci_low"]) == tier["ci_low"]
    transport = [r for r in rows if r["dimension"] == "sector" and r["group"] == "H"]
    assert transport and all(r["suppressed"] == "True" and r["value"] == "" for r in transport)
    assert all(r["n"] == "2" for r in transport)
    assert {r["group_vi"] for r in transport} == {"Vận tải, kho bãi"} or transport[0]["group_vi"]


def test_csv_text_cannot_become_a_formula(client, db, city):
    city.name = '=HYPERLINK("http://x")'
    db.session.commit()
    text = client.get("/api/v1/summary.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_an_unchanged_summary_answers_304_to_its_etag(client, db, city):
    first = client.get("/api/v1/summary")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/summary", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    csv_etag = client.get("/api/v1/summary.csv").headers["ETag"]
    assert csv_etag != etag
    assert client.get("/api/v1/summary.csv", headers={"If-None-Match": csv_etag}).status_code == 304
    assert client.get("/api/v1/summary", headers={"If-None-Match": '"other"'}).status_code == 200


def test_no_wave_with_answers_is_a_problem_not_an_empty_summary(client, db):
    from survey.main import summary

    summary.forget()
    answer = client.get("/api/v1/summary")
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"
    problem = answer.get_json()
    assert problem["code"] == "no_summary" and problem["type"] == "/api/v1/problems/no_summary"
    assert client.get("/api/v1/summary.csv").status_code == 404


def test_the_summary_switched_off_is_not_served_here_either(app, client, db, city, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_SUMMARY", False)
    assert client.get("/api/v1/summary").get_json()["code"] == "no_summary"


def test_the_public_summary_is_rate_limited_like_the_page(app, client, db, city, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_SUMMARY", "2 per minute")
    statuses = [client.get("/api/v1/summary").status_code for _ in range(2)]
    limited = client.get("/api/v1/summary")
    assert statuses == [200, 200] and limited.status_code == 429
    assert limited.mimetype == "application/problem+json" and limited.get_json()["code"] == "rate_limited"
    assert "Retry-After" in limited.headers
