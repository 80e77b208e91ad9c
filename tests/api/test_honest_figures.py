"""The honest group figures through the API: each group's population estimate (``weighted``)
and, by unit, the labelled model-based estimates, in the rollup and in the public summary,
with the pages' suppression, in the OpenAPI document."""

from __future__ import annotations

import csv
import io
import re

import pytest

from survey.api import summary as public
from survey.api.figure_schemas import PublicSummarySchema, RollupSchema
from survey.dashboard import figures
from survey.reports import privacy
from survey.statistics.rollup import rollup
from tests import factories
from tests.api.conftest import HIGH

STRATA = ["business_kind", "size_group", "size_class"]
TIERS = ("engaged", "preparing", "outside")


@pytest.fixture
def quiet_unit(app, db, city, monkeypatch):
    """Beside the city (all in unit 11311): unit 11329 with 6 firms and 1 response, below
    the minimum group; the model-based rule asks for 5 firms, so it gets a model figure."""
    monkeypatch.setitem(app.config, "MODEL_MIN_REGISTER", 5)
    firms = [factories.enterprise(unit_id=factories.unit("11329").id, sector_code="C") for _ in range(6)]
    factories.response(city, firms[0], HIGH)
    db.session.commit()
    return city


def test_the_rollups_groups_carry_their_weighted_figures_suppressed_ones_none(client, db, viewer, city):
    data = client.get(f"/api/v1/waves/{city.id}/rollup?by=sector", headers=viewer).get_json()
    expected = {g["key"]: g for g in rollup(db.session, city, by="sector", strata=STRATA)["groups"]}
    groups = {g["key"]: g for g in data["groups"]}
    c = groups["C"]["weighted"]
    assert c == expected["C"]["weighted"]
    assert c["register"] == 7 and c["respondents"] == 6 and 0 < c["coverage"] <= 1
    for tier in TIERS:
        e = c["tiers"][tier]
        assert set(e) == {"estimate", "ci_low", "ci_high", "firms", "firms_low", "firms_high"}
        assert e["firms"] == pytest.approx(e["estimate"] * c["register"])
    # Transport (2 responses) is suppressed: no weighted figure, though the rollup has one.
    assert expected["H"]["weighted"] is not None
    assert groups["H"]["suppressed"] and groups["H"]["weighted"] is None
    assert "model_based" not in data  # by unit only
    assert not RollupSchema().validate(data)


def test_by_unit_the_rollup_lists_model_based_figures_only_where_allowed(client, db, viewer, quiet_unit):
    data = client.get(f"/api/v1/waves/{quiet_unit.id}/rollup?by=unit", headers=viewer).get_json()
    groups = {g["key"]: g for g in data["groups"]}
    assert not groups["11311"]["suppressed"] and groups["11311"]["weighted"]
    assert groups["11329"]["suppressed"] and groups["11329"]["weighted"] is None
    (model,) = data["model_based"]  # never the unit with a direct figure
    expected = rollup(db.session, quiet_unit, by="unit", strata=STRATA, model_rule=(privacy.min_group(), 5))[
        "model_based"
    ]
    assert [model] == expected
    assert model["key"] == "11329" and model["method"] == "model-based"
    assert model["register"] == 6 and model["respondents"] == 1
    engaged = model["tiers"]["engaged"]
    assert 0 <= engaged["ci_low"] <= engaged["estimate"] <= engaged["ci_high"] <= 1
    assert not RollupSchema().validate(data)


def test_no_model_based_figure_below_the_minimum_register(app, client, db, viewer, quiet_unit, monkeypatch):
    monkeypatch.setitem(app.config, "MODEL_MIN_REGISTER", 7)
    data = client.get(f"/api/v1/waves/{quiet_unit.id}/rollup?by=unit", headers=viewer).get_json()
    assert data["model_based"] == []


def test_the_openapi_document_gives_the_new_fields(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]

    def properties(name: str) -> dict:
        return next(s for key, s in schemas.items() if key.split(".")[-1] == name)["properties"]

    assert {"weighted", "tiers", "suppressed"} <= set(properties("RollupGroup"))
    assert "weighted" in properties("RollupGroup") and "model_based" in properties("Rollup")
    weighted = properties("GroupWeighted")
    assert {"register", "respondents", "effective_n", "coverage", "tiers"} <= set(weighted)
    assert {"firms", "firms_low", "firms_high", "estimate"} <= set(properties("WeightedTier"))
    assert properties("ModelBasedUnit")["method"]["enum"] == ["model-based"]
    assert {"weighted", "model_based"} <= set(properties("SummaryGroup"))
    assert {"groups", "model_based", "model_min_register"} <= set(properties("Method"))


def test_the_public_summarys_group_estimates_are_the_pages(client, db, city):
    page = client.get("/summary").get_data(as_text=True)
    data = client.get("/api/v1/summary").get_json()
    assert not PublicSummarySchema().validate(data)
    shown = {}
    for dimension, body in re.findall(
        r'<table class="data breakdown" data-dimension="([^"]+)">(.*?)</table>', page, re.S
    ):
        for group, row in re.findall(r'<tr data-group="([^"]*)"(.*?)</tr>', body, re.S):
            for tier, estimate in re.findall(r'data-tier="([^"]+)"[^>]*?data-estimate="([^"]+)"', row):
                shown[dimension, group, tier] = float(estimate)
    given = {}
    for b in data["breakdowns"]:
        for g in b["groups"]:
            assert g["model_based"] is None  # no unit breakdown in public
            if g["suppressed"]:
                assert g["weighted"] is None
                continue
            for tier, e in (g["weighted"] or {"tiers": {}})["tiers"].items():
                if e["estimate"] is not None:
                    given[b["dimension"], "" if g["key"] is None else g["key"], tier] = e["estimate"]
    assert shown and given == pytest.approx(shown)
    sector = {g["key"]: g for b in data["breakdowns"] if b["dimension"] == "sector" for g in b["groups"]}
    assert sector["H"]["suppressed"] and sector["H"]["weighted"] is None
    assert sector["C"]["weighted"]["tiers"]["engaged"]["firms"] == pytest.approx(
        sector["C"]["weighted"]["tiers"]["engaged"]["estimate"] * sector["C"]["weighted"]["register"]
    )
    assert "post-stratified inside the group" in data["method"]["groups"]["en"]
    assert data["method"]["model_min_register"] is None


def test_the_csv_has_the_group_estimates_and_the_firms(client, db, city):
    data = client.get("/api/v1/summary").get_json()
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/summary.csv").get_data(as_text=True))))
    sector = {g["key"]: g for b in data["breakdowns"] if b["dimension"] == "sector" for g in b["groups"]}

    def find(group, measure, item="engaged"):
        (found,) = [
            r
            for r in rows
            if r["dimension"] == "sector"
            and r["group"] == group
            and r["measure"] == measure
            and r["item"] == item
        ]
        return found

    e = sector["C"]["weighted"]["tiers"]["engaged"]
    share, firms = find("C", "estimated_share"), find("C", "estimated_firms")
    assert float(share["value"]) == e["estimate"] and float(share["ci_low"]) == e["ci_low"]
    assert float(firms["value"]) == e["firms"] and float(firms["ci_high"]) == e["firms_high"]
    assert share["suppressed"] == "False" and share["n"] == "6"
    hidden = find("H", "estimated_share")
    assert hidden["value"] == "" and hidden["suppressed"] == "True"
    assert not [r for r in rows if r["measure"].startswith("model_based")]


def test_a_boards_model_based_units_are_in_the_json_and_csv_labelled(app, db, quiet_unit):
    """The public page has no unit breakdown; a board with one (the dashboard's) gives its
    model-based units, labelled, and never for a unit with a direct figure."""
    board = figures.build(
        db.session, quiet_unit, {}, privacy.min_group(), STRATA, breakdowns=("unit",), with_trend=False
    )
    with app.test_request_context():
        data = public.as_json(board)
        rows = list(public.csv_rows(data))
    schema = PublicSummarySchema()
    assert not schema.validate(schema.dump(data))  # as the API answers it (dumped)
    units = {g["key"]: g for g in data["breakdowns"][0]["groups"]}
    assert units["11311"]["model_based"] is None and units["11311"]["weighted"]
    model = units["11329"]["model_based"]
    assert units["11329"]["suppressed"] and units["11329"]["weighted"] is None
    assert model["method"] == "model-based" and model["register"] == 6
    assert model["label"] == {"vi": model["label"]["vi"], "en": "Model-based estimate"}
    assert model["tiers"]["engaged"] == board.model_based["11329"]["tiers"]["engaged"]
    assert data["method"]["model_min_register"] == 5
    measures = {(r[6], r[12]) for r in rows if r[4] == "breakdown" and r[12].startswith("model_based")}
    assert measures == {("11329", "model_based_share"), ("11329", "model_based_firms")}
