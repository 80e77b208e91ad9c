"""The breakdowns show the honest figures (issue 18): each group's population estimate,
weighted inside the group, with the respondents' own share beside it; units too small for
a direct figure get the rollup's model-based estimate, labelled as such, where their
register allows. The page's numbers are the rollup's (read from its data attributes)."""

from __future__ import annotations

import re

import pytest

from survey import frameworks
from survey.models import Role
from survey.models.business import ENTERPRISE_KINDS
from survey.statistics.rollup import breakdown, rollup
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
HIGH = factories.answers_at(FRAMEWORK, 1.0)
LOW = factories.answers_at(FRAMEWORK, 0.0)
EN = {"Accept-Language": "en"}
BILLION = 1_000_000_000


@pytest.fixture
def city(app, db):
    """Manufacturing (C) in unit 11311: 30 micro firms, 3 answer (outside); 6 large firms,
    4 answer (engaged): the respondents' share (4 of 7) is far above the weighted one.
    Transport (H) in 11311: 3 firms, 2 answer (too few). Unit 11329: 35 firms, 1 answers;
    11359: 32 firms, none answers; 11383: 10 firms, 1 answers (below the model's register)."""
    wave = factories.wave(name="Đợt 2025", kinds=[k.value for k in ENTERPRISE_KINDS])

    def firm(unit: str, employees: int = 5, sector: str = "C", revenue: int = BILLION):
        return factories.enterprise(
            unit_id=factories.unit(unit).id,
            sector_code=sector,
            employees=employees,
            revenue_vnd=revenue,
            capital_vnd=None,
        )

    micro = [firm("11311") for _ in range(30)]
    large = [firm("11311", employees=300, revenue=500 * BILLION) for _ in range(6)]
    for f in micro[:3]:
        factories.response(wave, f, LOW)
    for f in large[:4]:
        factories.response(wave, f, HIGH)
    transport = [firm("11311", sector="H") for _ in range(3)]
    for f in transport[:2]:
        factories.response(wave, f, HIGH)
    quiet = [firm("11329") for _ in range(35)]
    factories.response(wave, quiet[0], HIGH)
    for _ in range(32):
        firm("11359")
    tiny = [firm("11383") for _ in range(10)]
    factories.response(wave, tiny[0], LOW)
    db.session.commit()
    assert app.config["MODEL_MIN_REGISTER"] <= 32 and app.config["MODEL_MIN_REGISTER"] > 10
    assert app.config["DASHBOARD_MIN_GROUP"] <= 7
    return wave


def table(page: str, dimension: str) -> str:
    return page.split(f'data-dimension="{dimension}"', 1)[1].split("</table>", 1)[0]


def row(page: str, dimension: str, group: str) -> str:
    return re.search(rf'<tr data-group="{group}"[^>]*>.*?</tr>', table(page, dimension), re.S).group(0)


def attribute(html: str, tier: str, name: str) -> float:
    cell = re.search(rf'<td data-tier="{tier}"[^>]*>', html).group(0)
    return float(re.search(rf'{name}="([^"]+)"', cell).group(1))


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html).replace("\xa0", " ")).strip()


def staff_page(client, as_role, wave) -> str:
    as_role(Role.VIEWER)
    response = client.get(f"/staff/dashboard?wave={wave.id}", headers=EN)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_group_shows_the_rollups_weighted_estimate_and_the_respondents_share(
    app, client, db, as_role, city
):
    page = staff_page(client, as_role, city)
    strata = app.config["ROLLUP_STRATA"]
    manufacturing = next(g for g in breakdown(db.session, city, "sector", strata=strata) if g["key"] == "C")
    weighted = manufacturing["weighted"]
    html = row(page, "sector", "C")
    for tier, figures in weighted["tiers"].items():
        assert attribute(html, tier, "data-estimate") == figures["estimate"]
        assert attribute(html, tier, "data-ci-low") == figures["ci_low"]
        assert attribute(html, tier, "data-firms") == figures["firms"]
        assert attribute(html, tier, "data-share") == manufacturing["tiers"][tier]["share"]
    # The weighting matters here: 4 of the 7 respondents are engaged, far fewer firms are.
    engaged = weighted["tiers"]["engaged"]
    assert engaged["estimate"] < manufacturing["tiers"]["engaged"]["share"] - 0.2
    # The cell says both: the estimate with its firms, then the respondents' own share.
    cell = text(re.search(r'<td data-tier="engaged".*?</td>', html, re.S).group(0))
    estimate = f"{engaged['estimate'] * 100:.1f}%"
    share = f"{manufacturing['tiers']['engaged']['share'] * 100:.1f}%"
    assert cell.startswith(f"{estimate} (≈ {round(engaged['firms'])} firms;")
    assert cell.endswith(f"Share of respondents: {share}")
    # The header and the explanation say what the figures are.
    assert "Population estimates, weighted inside each group" in table(page, "sector")
    assert "weighted inside the group" in page.split('data-testid="breakdowns-note"', 1)[1][:600]
    # The bar of the sector chart is the weighted share too.
    chart = page.split('data-chart="by-sector"', 1)[1].split("</figure>", 1)[0]
    assert f"{estimate} (≈ {round(engaged['firms'])})" in chart


def test_a_group_too_small_shows_no_weighted_figure(client, db, as_role, city):
    page = staff_page(client, as_role, city)
    html = row(page, "sector", "H")
    assert 'class="suppressed"' in html and "Too few responses to report" in html
    assert "data-estimate" not in html and "data-share" not in html and "%" not in text(html)


def test_units_too_small_get_the_labelled_model_based_estimate_where_the_register_allows(
    app, client, db, as_role, city
):
    page = staff_page(client, as_role, city)
    model = rollup(
        db.session,
        city,
        by="unit",
        strata=app.config["ROLLUP_STRATA"],
        model_rule=(app.config["DASHBOARD_MIN_GROUP"], app.config["MODEL_MIN_REGISTER"]),
    )["model_based"]
    shown = {m["key"]: m for m in model}
    assert set(shown) == {"11329", "11359"}
    # One response and a register of 35: the model's figure, labelled, with its interval.
    for unit in ("11329", "11359"):
        html = row(page, "unit", unit)
        assert 'data-method="model-based"' in html and 'data-testid="model-based"' in html
        assert "Model-based estimate" in text(html) and "Too few responses" not in html
        assert "data-estimate" not in html  # never presented as a direct figure
        for tier, figures in shown[unit]["tiers"].items():
            assert attribute(html, tier, "data-model-estimate") == figures["estimate"]
            assert attribute(html, tier, "data-firms") == figures["firms"]
        assert "95% interval" in text(html)
    # The register-only unit (no response) is listed with its n of 0 and the model's figure.
    assert re.search(r"<td>0</td>", row(page, "unit", "11359"))
    # Below the model's register minimum: suppressed, no figure of any kind.
    tiny = row(page, "unit", "11383")
    assert "Too few responses to report" in tiny
    assert "model-based" not in tiny and "data-model-estimate" not in tiny and "%" not in text(tiny)
    # Enough respondents: the direct weighted figure, never the model's.
    busy = row(page, "unit", "11311")
    direct = next(
        g
        for g in breakdown(db.session, city, "unit", strata=app.config["ROLLUP_STRATA"])
        if g["key"] == "11311"
    )
    assert "model-based" not in busy
    assert attribute(busy, "engaged", "data-estimate") == direct["weighted"]["tiers"]["engaged"]["estimate"]
    # The note says what the model does, once, under the unit table.
    note = page.split('data-testid="model-note"', 1)[1].split("</div>", 1)[0]
    assert "borrows strength from the former district" in note and "<details>" in note
    assert page.count('data-testid="model-note"') == 1


def test_the_public_summary_shows_the_same_estimates_and_nothing_the_staff_page_suppresses(
    app, client, db, as_role, city
):
    page = client.get("/summary", headers=EN).get_data(as_text=True)
    manufacturing = next(
        g
        for g in breakdown(db.session, city, "sector", strata=app.config["ROLLUP_STRATA"])
        if g["key"] == "C"
    )
    html = row(page, "sector", "C")
    for tier, figures in manufacturing["weighted"]["tiers"].items():
        assert attribute(html, tier, "data-estimate") == figures["estimate"]
        assert attribute(html, tier, "data-share") == manufacturing["tiers"][tier]["share"]
    transport = row(page, "sector", "H")
    assert "data-estimate" not in transport and "%" not in text(transport)
    # No unit breakdown, so no model-based figure, on the anonymous page.
    assert 'data-dimension="unit"' not in page
    assert "model-based" not in page and "Model-based estimate" not in page
    # Whatever the public page shows as a figure, the staff page shows too.
    staff = staff_page(client, as_role, city)
    for dimension in re.findall(r'data-dimension="([a-z_]+)"', page):
        for group in re.findall(r'<tr data-group="([^"]+)"', table(page, dimension)):
            public = row(page, dimension, group)
            if "data-estimate" in public:
                assert "data-estimate" in row(staff, dimension, group), (dimension, group)
                assert re.findall(r'data-estimate="[^"]+"', public) == re.findall(
                    r'data-estimate="[^"]+"', row(staff, dimension, group)
                )
