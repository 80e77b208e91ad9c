"""The dashboard's module sections show the module figures, suppress small groups, and are
absent when the wave carries no module; the public summary the same, for its breakdowns."""

from __future__ import annotations

import math
import re

import pytest

from survey import frameworks
from survey.models import Role
from survey.modules import module_of
from survey.scoring import stats
from survey.scoring.stats import Z95
from tests import factories

FRAMEWORK = frameworks.load("dbi-2021-sme", 1)
ENGAGED = factories.answers_at(FRAMEWORK, 1.0)
CODE = "barriers-needs"
EN = {"Accept-Language": "en"}


def barriers(cost: int, needs=()) -> dict:
    module = module_of(factories.module_version(CODE))
    return {
        **{q.code: 1 for q in module.questions if q.kind == "rating"},
        "cost": cost,
        "needs": list(needs),
    }


@pytest.fixture
def city(db):
    """Manufacturing (C, stratum industry/small, N 6): all 6 answer, cost rated 5, 5, 4, 2,
    1, 1 (mean 3, s² 18/5, half 4-5), training ticked by 3; every other barrier rated 1.
    Transport (H, stratum trade-services/small, N 6): 2 answer, both rate cost 5 and tick
    finance; too few to report as a group."""
    wave = factories.with_modules(factories.wave(name="Đợt 2025"), CODE)
    for index, cost in enumerate((5, 5, 4, 2, 1, 1)):
        r = factories.response(wave, factories.enterprise(sector_code="C", employees=20), ENGAGED)
        factories.answer_module(r, CODE, barriers(cost, ["training"] if index < 3 else []))
    for cost in (5, 5):
        r = factories.response(wave, factories.enterprise(sector_code="H", employees=20), ENGAGED)
        factories.answer_module(r, CODE, barriers(cost, ["finance"]))
    for _ in range(4):
        factories.enterprise(sector_code="H", employees=20)  # in the register, not answering
    db.session.commit()
    return wave


def cell(page: str, testid: str) -> str:
    return re.search(rf'data-testid="{re.escape(testid)}">([^<]*)<', page).group(1).strip()


def text(html: str) -> str:
    """What a reader sees: tags dropped, no-break spaces as spaces."""
    return re.sub(r"<[^>]+>", "", html).replace("\xa0", " ")


def row(page: str, attributes: str) -> str:
    return re.search(rf"<tr {attributes}>(.*?)</tr>", page, re.S).group(1)


def test_the_section_shows_the_weighted_figures_barriers_ranked(client, db, as_role, city):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={city.id}", headers=EN).get_data(as_text=True)
    section = page.split('data-testid="module-barriers-needs"', 1)[1].split("</section>", 1)[0]
    assert '<h2 id="module-barriers-needs">Barriers and needs</h2>' in page
    # Weighted by hand: W = 6/12 each; mean (6 × 3 + 6 × 5) / 12 = 4, variance
    # 0.5² × 3.6 / 6 + 0.5² × 0 / 2 = 0.15; rated 4-5: (6 × 3/6 + 6 × 2/2) / 12 = 0.75 at
    # Kish's n = 12² / (6²/6 + 6²/2) = 6.
    se = math.sqrt(0.15)
    assert cell(section, "barriers-needs-cost-n") == "8"
    assert cell(section, "barriers-needs-cost-mean") == "4.00"
    assert f"({4 - Z95 * se:.2f}–{4 + Z95 * se:.2f})" in section  # (3.24–4.76)
    assert cell(section, "barriers-needs-cost-high") == "75.0%"
    low, high = stats.wilson_from_share(0.75, 6).low, stats.wilson_from_share(0.75, 6).high
    # Beside the share, the firms it stands for: 0.75 of the 12 firms of the register, its
    # interval scaled alike (4.4 and 11.3, rounded to whole firms).
    assert f"(≈ 9 businesses; {round(low * 12)}–{round(high * 12)})" in text(section)
    # The respondents' own: cost 5, 5, 4, 2, 1, 1, 5, 5 → mean 28 / 8, 5 of 8 rated 4-5.
    assert cell(section, "barriers-needs-cost-sample-mean") == "3.50"
    assert cell(section, "barriers-needs-cost-sample-high") == "62.5%"
    # Cost is the only barrier anyone rated 4-5: it comes first; the question in English.
    ratings = section.split('data-section="barriers"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'data-question="([a-z_]+)"', ratings)[0] == "cost"
    assert "The cost of investing in and applying technology" in ratings
    # Training: (6 × 3/6 + 6 × 0/2) / 12; finance (6 × 0 + 6 × 2/2) / 12.
    assert cell(section, "barriers-needs-needs-training-share") == "25.0%"
    assert cell(section, "barriers-needs-needs-finance-share") == "50.0%"
    assert cell(section, "barriers-needs-needs-training-count") == "3"
    assert cell(section, "barriers-needs-needs-finance-sample-share") == "25.0%"  # 2 of 8
    # Free text never appears as a figure.
    assert "barriers_other" not in section


def test_a_small_group_shows_its_n_and_no_figure(client, db, as_role, city):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={city.id}", headers=EN).get_data(as_text=True)
    breakdown = page.split('data-module="barriers-needs" data-section="barriers" data-dimension="sector"', 1)[
        1
    ]
    breakdown = breakdown.split("</table>", 1)[0]
    transport = row(breakdown, 'data-group="H" class="suppressed"')
    assert "<td>2</td>" in transport and "Too few responses to report" in transport
    assert "%" not in transport and "data-figure" not in transport
    manufacturing = row(breakdown, 'data-group="C"')
    # Manufacturing, weighted within itself: one stratum, all its firms answered.
    cost = re.search(r'data-figure="cost">([^<]*)<', manufacturing).group(1)
    assert cost.startswith("3.00 · 50.0%")


def test_a_filter_to_a_small_group_hides_every_figure(client, db, as_role, city):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={city.id}&sector=H", headers=EN).get_data(as_text=True)
    section = page.split('data-testid="module-barriers-needs"', 1)[1].split("</section>", 1)[0]
    assert 'data-testid="module-barriers-needs-suppressed"' in section
    assert 'data-testid="barriers-needs-cost-mean"' not in section
    assert not re.search(r"\d\.\d%", section)  # no share (the text's "95%" is no figure)


def test_no_section_when_the_wave_carries_no_module(client, db, as_role):
    wave = factories.wave(name="Plain")
    for _ in range(6):
        factories.response(wave, factories.enterprise(), ENGAGED)
    db.session.commit()
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={wave.id}", headers=EN).get_data(as_text=True)
    assert 'data-testid="headline"' in page
    assert "module-figures" not in page and "Barriers and needs" not in page


def test_vietnamese_page_titles_the_section_from_the_module(client, db, as_role, city):
    as_role(Role.VIEWER)
    page = client.get(f"/staff/dashboard?wave={city.id}").get_data(as_text=True)
    assert '<h2 id="module-barriers-needs">Rào cản và nhu cầu</h2>' in page
    assert "Rào cản về chi phí đầu tư, ứng dụng công nghệ" in page
    assert cell(page, "barriers-needs-cost-sample-mean") == "3,50"  # Vietnamese decimal comma


def test_public_summary_shows_the_module_and_never_a_small_group(client, db, city):
    page = client.get("/summary", headers=EN).get_data(as_text=True)
    section = page.split('data-testid="module-barriers-needs"', 1)[1].split("</section>", 1)[0]
    assert cell(section, "barriers-needs-cost-sample-mean") == "3.50"
    transport = row(section, 'data-group="H" class="suppressed"')
    assert "%" not in transport
    # Only the public summary's breakdowns: no ownership, no commune-level units.
    dimensions = set(
        re.findall(r'<details class="module-breakdown" [^>]*data-dimension="([a-z_]+)"', section)
    )
    assert "sector" in dimensions and not dimensions & {"ownership", "unit"}
