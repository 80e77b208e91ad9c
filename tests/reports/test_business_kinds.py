"""Figures for the kinds of business a wave is for: enterprises, household businesses, or all.

A wave's estimates post-stratify to the part of the register the wave is for (its kinds),
the cells include the kind of business, the reports break down by kind and population,
and the dashboard's population filter reads the headline for each part of the city.
"""

from __future__ import annotations

import json
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from survey import frameworks
from survey.exports.summary import write_summary
from survey.models import BusinessKind, IdType, Role
from survey.models.business import ENTERPRISE_KINDS
from survey.models.size_class import BILLION
from survey.statistics.rollup import DEFAULT_STRATA, register_counts, rollup
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
HIGH = factories.answers_at(FRAMEWORK, 1.0)
LOW = factories.answers_at(FRAMEWORK, 0.0)
EN = {"Accept-Language": "en"}


def small_firm():
    return factories.enterprise(sector_code="C", employees=20, revenue_vnd=5 * BILLION, capital_vnd=None)


def household(kind=BusinessKind.HOUSEHOLD):
    return factories.enterprise(
        kind=kind,
        id_type=IdType.CCCD12,
        tax_code=factories.personal_id(),
        name="Hộ kinh doanh Thử Nghiệm",
        sector_code="C",
        employees=3,
        revenue_vnd=800_000_000,
        capital_vnd=None,
    )


@pytest.fixture
def register(db):
    """10 small industry enterprises, 8 household businesses, 1 individual business."""
    return {
        "enterprise": [small_firm() for _ in range(10)],
        "household": [household() for _ in range(8)],
        "individual": [household(BusinessKind.INDIVIDUAL)],
    }


@pytest.fixture
def all_kinds(db, register):
    """A wave for every kind: enterprises 6 respond (2 engaged), households 5 (1 engaged),
    the individual business 1 (engaged)."""
    wave = factories.wave(name="Đợt mọi loại hình")
    for index, firm in enumerate(register["enterprise"][:6]):
        factories.response(wave, firm, HIGH if index < 2 else LOW)
    for index, firm in enumerate(register["household"][:5]):
        factories.response(wave, firm, HIGH if index < 1 else LOW, kind=BusinessKind.HOUSEHOLD)
    factories.response(wave, register["individual"][0], HIGH, kind=BusinessKind.INDIVIDUAL)
    db.session.commit()
    return wave


@pytest.fixture
def enterprises_only(db, register):
    """A wave for enterprises, branches and cooperatives: 3 enterprises respond (1 engaged)."""
    wave = factories.wave(name="Đợt doanh nghiệp", kinds=[k.value for k in ENTERPRISE_KINDS], open_now=False)
    for index, firm in enumerate(register["enterprise"][:3]):
        factories.response(wave, firm, HIGH if index < 1 else LOW)
    db.session.commit()
    return wave


def test_households_in_the_register_are_there(db, register):
    assert register["household"][0].size_class.value == "household"
    assert register["household"][0].population.value == "households"
    counts = dict(register_counts(db.session, ["business_kind"]))
    assert {k.value: n for k, n in counts.items()} == {"enterprise": 10, "household": 8, "individual": 1}
    only = register_counts(db.session, ["business_kind"], kinds=list(ENTERPRISE_KINDS))
    assert [(k.value, n) for k, n in only] == [("enterprise", 10)]


def test_a_wave_for_enterprises_ignores_the_household_businesses_of_the_register(db, enterprises_only):
    population = rollup(db.session, enterprises_only)["population"]
    # The wave's register part is the 10 enterprises, all in one covered cell: the 9
    # household and individual businesses are neither population nor uncovered.
    assert population["register_size"] == 10
    assert population["coverage"] == 1.0
    assert population["uncovered"] == []
    assert population["business_kinds"] == ["enterprise", "branch", "cooperative"]
    assert population["tiers"]["engaged"]["estimate"] == pytest.approx(1 / 3)


def test_a_wave_for_every_kind_counts_every_kind_of_the_register(db, all_kinds):
    population = rollup(db.session, all_kinds)["population"]
    assert population["register_size"] == 19
    assert population["strata_by"] == list(DEFAULT_STRATA) == ["business_kind", "size_group", "size_class"]
    cells = {s["key"]["business_kind"]: (s["population"], s["respondents"]) for s in population["strata"]}
    assert cells == {"enterprise": (10, 6), "household": (8, 5), "individual": (1, 1)}
    # Worked by hand, one cell per kind: Σ N_h p_h / N. Without the kind in the cells
    # the household and the individual business would share one cell (2 of 6 engaged),
    # giving (10·2/6 + 9·2/6) / 19 = 1/3.
    estimate = (10 * 2 / 6 + 8 * 1 / 5 + 1 * 1) / 19
    assert population["tiers"]["engaged"]["estimate"] == pytest.approx(estimate)
    assert population["coverage"] == 1.0


def test_rollup_by_kind_gives_each_kinds_n_and_shares(db, all_kinds):
    result = rollup(db.session, all_kinds, by="business_kind")
    groups = {g["key"]: g for g in result["groups"]}
    assert {k: g["n"] for k, g in groups.items()} == {"enterprise": 6, "household": 5, "individual": 1}
    assert groups["enterprise"]["tiers"]["engaged"]["share"] == pytest.approx(2 / 6)
    assert groups["enterprise"]["tiers"]["outside"]["share"] == pytest.approx(4 / 6)
    assert groups["household"]["tiers"]["engaged"]["share"] == pytest.approx(1 / 5)
    assert groups["individual"]["tiers"]["engaged"]["share"] == 1.0
    by_population = {g["key"]: g["n"] for g in rollup(db.session, all_kinds, by="population")["groups"]}
    assert by_population == {"enterprises": 6, "households": 6}


@pytest.mark.parametrize(
    ("population", "register_size", "n", "estimate", "heading"),
    [
        ("enterprises", 10, 6, 2 / 6, "Enterprises engaged in Industry 4.0"),
        (
            "households",
            9,
            6,
            (8 * 1 / 5 + 1) / 9,
            "Household and individual businesses engaged in Industry 4.0",
        ),
        ("", 19, 12, (10 * 2 / 6 + 8 * 1 / 5 + 1) / 19, "Businesses engaged in Industry 4.0"),
    ],
)
def test_the_population_filter_reads_the_headline_for_each_part_of_the_city(
    client, db, as_role, all_kinds, population, register_size, n, estimate, heading
):
    as_role(Role.VIEWER)
    response = client.get(f"/staff/dashboard?wave={all_kinds.id}&population={population}", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r'<h2 id="headline-title">([^<]+)</h2>', page).group(1) == heading
    shown = re.search(r'data-testid="estimate-engaged">([^<]+)<', page).group(1)
    assert shown == f"{estimate * 100:.1f}%"
    # Both the respondents and the register are restricted.
    part = re.search(r'data-testid="register-part">(.*?)</span>', page, re.S).group(1)
    assert f"Estimate for the {register_size} businesses of the register" in part
    assert f"; {n} responses" in part
    # The breakdown by kind shows each kind's n; the one individual business is too few.
    table = page.split('data-dimension="business_kind"', 1)[1].split("</table>", 1)[0]
    rows = dict(
        re.findall(r'<tr data-group="(\w+)"[^>]*>\s*<th scope="row">[^<]+</th>\s*<td>(\d+)</td>', table)
    )
    expected = {"enterprises": {"enterprise": "6"}, "households": {"household": "5", "individual": "1"}}
    assert rows == expected.get(population, {"enterprise": "6", "household": "5", "individual": "1"})
    if population != "enterprises":
        individual = re.search(r'<tr data-group="individual" class="suppressed">(.*?)</tr>', table, re.S)
        assert "Too few responses to report" in individual.group(1) and "%" not in individual.group(1)


def test_the_dashboard_form_names_populations_and_kinds_and_says_which_framework(
    client, db, as_role, all_kinds
):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={all_kinds.id}&population=households", headers=EN).get_data(
        as_text=True
    )
    select = page.split('<select name="population">', 1)[1].split("</select>", 1)[0]
    assert re.search(
        r'<option value="households" selected>Household and individual businesses</option>', select
    )
    assert '<option value="enterprises" >Enterprises and cooperatives</option>' in select
    kinds = page.split('<select name="business_kind">', 1)[1].split("</select>", 1)[0]
    assert ">Household business</option>" in kinds and ">Branch or dependent unit</option>" in kinds
    assert ">household</option>" not in kinds
    sizes = page.split('<select name="size_class">', 1)[1].split("</select>", 1)[0]
    assert ">Household or individual business</option>" in sizes
    # The quick switch between the parts of the city keeps the wave.
    switch = page.split('data-testid="population-switch"', 1)[1].split("</nav>", 1)[0]
    assert "population=enterprises" in switch and f"wave={all_kinds.id}" in switch
    framework = re.search(r'data-testid="framework">([^<]+)<', page).group(1)
    assert FRAMEWORK.title.en in framework and f"version {FRAMEWORK.version}" in framework
    # Vietnamese too: the labels, not the codes.
    page = client.get(f"/staff/dashboard?wave={all_kinds.id}", headers={"Accept-Language": "vi"}).get_data(
        as_text=True
    )
    assert (
        ">Hộ kinh doanh</option>"
        in page.split('<select name="business_kind">', 1)[1].split("</select>", 1)[0]
    )
    assert FRAMEWORK.title.vi in re.search(r'data-testid="framework">([^<]+)<', page).group(1)


def test_a_wave_for_enterprises_has_no_population_breakdown(client, db, as_role, enterprises_only):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={enterprises_only.id}", headers=EN).get_data(as_text=True)
    assert 'data-dimension="population"' not in page
    assert 'data-testid="population-switch"' not in page
    assert "Estimate for the 10 businesses of the register" in page


def test_rollup_cli_by_kind(runner, all_kinds):
    result = runner.invoke(
        args=["rollup", "--wave", str(all_kinds.id), "--by", "business_kind", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["by"] == "business_kind"
    groups = {g["key"]: g for g in data["groups"]}
    assert {k: g["n"] for k, g in groups.items()} == {"enterprise": 6, "household": 5, "individual": 1}
    assert groups["household"]["tiers"]["engaged"]["share"] == pytest.approx(0.2)
    assert data["population"]["strata_by"] == ["business_kind", "size_group", "size_class"]
    assert data["population"]["register_size"] == 19
    assert data["framework"]["title"]["en"] == FRAMEWORK.title.en
    text = runner.invoke(args=["rollup", "--wave", all_kinds.name, "--by", "business_kind"])
    assert text.exit_code == 0, text.output
    assert re.search(r"business_kind=household\s+n=5 ", text.output)
    assert "register part: enterprise, branch, cooperative, household, individual" in text.output


def test_rollup_cli_of_a_wave_for_enterprises_counts_its_register_part(runner, enterprises_only):
    result = runner.invoke(args=["rollup", "--wave", str(enterprises_only.id), "--format", "json"])
    assert result.exit_code == 0, result.output
    population = json.loads(result.output)["population"]
    assert population["register_size"] == 10 and population["coverage"] == 1.0


def _summary(db, wave, filters=None):
    buffer = BytesIO()
    written = write_summary(
        buffer, db.session, wave, filters or {}, lang="en", min_group=5, strata=DEFAULT_STRATA
    )
    buffer.seek(0)
    return load_workbook(buffer), written


def test_the_summary_workbook_breaks_down_by_kind_and_names_the_framework(db, all_kinds, enterprises_only):
    book, written = _summary(db, all_kinds)
    assert "population" in written.breakdowns and "business_kind" in written.breakdowns
    sheet = book["By business_kind"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["household"][1] == "Household business" and rows["household"][2] == 5
    assert rows["individual"][2] == 1 and rows["individual"][3] == "suppressed (n < 5)"
    assert rows["individual"][4:] == (None,) * (len(rows["individual"]) - 4)
    assert {row[0]: row[1] for row in book["By population"].iter_rows(min_row=2, values_only=True)} == {
        "enterprises": "Enterprises and cooperatives",
        "households": "Household and individual businesses",
    }
    overview = book["Overview"]
    assert (
        FRAMEWORK.title.en in overview["B3"].value and f"version {FRAMEWORK.version}" in overview["B3"].value
    )
    facts = {row[0]: row[2] for row in overview.iter_rows(values_only=True) if row[0]}
    assert facts["Kinds of business covered"] == (
        "Enterprise, Branch or dependent unit, Cooperative, Household business, Individual business"
    )
    # Households only: the register part and the kinds covered follow the filter.
    book, written = _summary(db, all_kinds, {"population": "households"})
    facts = {row[0]: row[2] for row in book["Overview"].iter_rows(values_only=True) if row[0]}
    assert facts["Firms in the register"] == 9
    assert facts["Kinds of business covered"] == "Household business, Individual business"
    assert "population" not in written.breakdowns
    # A wave for enterprises alone: no population sheet (one group), its own register part.
    book, written = _summary(db, enterprises_only)
    assert "By population" not in book.sheetnames and "population" not in written.breakdowns
    assert "business_kind" in written.breakdowns  # enterprises, branches and cooperatives
    facts = {row[0]: row[2] for row in book["Overview"].iter_rows(values_only=True) if row[0]}
    assert facts["Firms in the register"] == 10


def test_the_public_summary_breaks_down_by_population_and_kind(client, db, all_kinds):
    page = client.get("/summary", headers=EN).get_data(as_text=True)
    assert 'data-dimension="population"' in page and 'data-dimension="business_kind"' in page
    assert '<tr data-group="individual" class="suppressed">' in page
    assert "Household business" in page


def test_a_trend_never_mixes_framework_versions_or_parts_of_the_city(db, all_kinds, enterprises_only):
    from survey.dashboard.figures import comparable_waves

    later = factories.wave(name="Đợt sau", open_now=False)
    other_version = factories.wave(
        name="Đợt v2", framework_version=factories.framework_version(2), open_now=False
    )
    names = {w.name for w in comparable_waves(db.session, all_kinds)}
    assert names == {all_kinds.name, later.name}
    assert other_version.name not in names
    # Read for enterprises, the enterprise wave describes the same part of the city.
    names = {w.name for w in comparable_waves(db.session, all_kinds, {"population": "enterprises"})}
    assert names == {all_kinds.name, later.name, enterprises_only.name}
